package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/kolregistry/kolregistry/logverify"
)

// runLog implements `kolregistry log verify --url BASE --key VKEY [--state FILE] [--export FILE]`,
// the independent verifier: it needs no database and trusts only the verifier key.
func runLog(ctx context.Context, args []string) error { return logCommand(ctx, args, os.Stdout) }

const logUsage = `usage: kolregistry log verify --url BASE --key VKEY [--state FILE] [--export FILE.ndjson]

Checks a registry's transparency log from its public tiles, trusting only the verifier key.

exit status: 0 verified; 1 the log or the export is inconsistent; 2 could not check (bad usage, unreachable)`

func logCommand(ctx context.Context, args []string, stdout io.Writer) error {
	return group("log", logUsage, args, stdout, map[string]func([]string) error{
		"verify": func(args []string) error { return logVerify(ctx, args, stdout) },
	})
}

func logVerify(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("log verify", logUsage)
	url := fs.String("url", "", "the registry's base URL (its log is under /log/), or the log's own prefix ending in /log")
	key := fs.String("key", "", "the log's verifier key, <origin>+<hash>+<key> (`kolregistry keys verifier`, registryHead.verifierKey)")
	state := fs.String("state", "", "file keeping the last checkpoint accepted; the new one must extend it")
	export := fs.String("export", "", "an /export/*.ndjson file to check against the latest logged states")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if *url == "" || *key == "" {
		return fs.usageErr("--url and --key are required")
	}
	base := *url
	if len(base) < 4 || base[len(base)-4:] != "/log" {
		base = trimSlash(base) + "/log"
	}
	start := time.Now()
	res, err := logverify.Verify(ctx, logverify.Options{URL: base, Key: *key, State: *state, Export: *export})
	var f *logverify.Failure
	switch {
	case errors.As(err, &f):
		return &exitError{exitInconsistent, fmt.Errorf("FAILED: %w", err)}
	case err != nil:
		return &exitError{exitUnchecked, fmt.Errorf("could not check: %w", err)}
	}
	fmt.Fprintf(stdout, "log ok: checkpoint %s size %d root %x… verified from %d entries (%d records) in %s\n",
		res.Checkpoint.Origin, res.Checkpoint.Size, res.Checkpoint.Root[:6], res.Checkpoint.Size, res.Records, time.Since(start).Round(time.Millisecond))
	if res.Previous != nil {
		fmt.Fprintf(stdout, "consistent with the checkpoint accepted before (size %d)\n", res.Previous.Size)
	}
	if *export != "" {
		fmt.Fprintf(stdout, "export %s: %d records match the log\n", *export, res.Exported)
	}
	return nil
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/kolregistry/kolregistry/logverify"
)

// runLog implements `kolregistry log verify --url BASE --key VKEY [--state FILE] [--export FILE]`,
// the independent verifier: it needs no database and trusts only the verifier key.
func runLog(ctx context.Context, args []string) error { return logCommand(ctx, args, os.Stdout) }

const logUsage = "usage: kolregistry log verify --url BASE --key VKEY [--state FILE] [--export FILE.ndjson]"

func logCommand(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return &exitError{exitUnchecked, errors.New(logUsage)}
	}
	fs := flag.NewFlagSet("log verify", flag.ContinueOnError)
	url := fs.String("url", "", "the registry's base URL (its log is under /log/), or the log's own prefix ending in /log")
	key := fs.String("key", "", "the log's verifier key, <origin>+<hash>+<key> (`kolregistry keys verifier`, registryHead.verifierKey)")
	state := fs.String("state", "", "file keeping the last checkpoint accepted; the new one must extend it")
	export := fs.String("export", "", "an /export/*.ndjson file to check against the latest logged states")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 || *url == "" || *key == "" {
		return &exitError{exitUnchecked, errors.New(logUsage)}
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

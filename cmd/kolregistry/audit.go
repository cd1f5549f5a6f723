package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/kolregistry/kolregistry/db"
)

// exitError carries the exit status a command chose (main prints err and exits with code).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// Exit statuses of the verify commands (docs/transparency.md).
const (
	exitInconsistent = 1 // tampering or inconsistency found
	exitUnchecked    = 2 // could not check: database or log unreachable, bad arguments
)

// runAudit implements `kolregistry audit verify [--json]`: recompute the chain and the log's
// tree from the database, compare each event with its entry and every record's row with its
// latest logged state. Exit 0 consistent, 1 inconsistent (each problem named), 2 unchecked.
func runAudit(ctx context.Context, args []string) error {
	return auditCommand(ctx, args, os.Getenv("DATABASE_URL"), os.Stdout)
}

func auditCommand(ctx context.Context, args []string, url string, stdout io.Writer) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if len(args) == 0 || args[0] != "verify" {
		return &exitError{exitUnchecked, errors.New("usage: kolregistry audit verify [--json]")}
	}
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return &exitError{exitUnchecked, errors.New("usage: kolregistry audit verify [--json]")}
	}
	if url == "" {
		_, err := databaseURL()
		return &exitError{exitUnchecked, err}
	}
	d, err := db.Open(ctx, url, "")
	if err != nil {
		return &exitError{exitUnchecked, fmt.Errorf("could not check: %w", err)}
	}
	defer d.Close()
	start := time.Now()
	rep, err := d.VerifyLog(ctx)
	if err != nil {
		return &exitError{exitUnchecked, fmt.Errorf("could not check: %w", err)}
	}
	took := time.Since(start).Round(time.Millisecond)
	if *asJSON {
		problems := make([]map[string]any, len(rep.Problems))
		for i, p := range rep.Problems {
			problems[i] = map[string]any{"seq": p.Seq, "record": p.Record, "field": p.Field, "reason": p.Reason}
		}
		json.NewEncoder(stdout).Encode(map[string]any{"ok": len(rep.Problems) == 0, "events": rep.Events,
			"records": rep.Records, "treeSize": rep.Head.TreeSize, "seconds": took.Seconds(), "problems": problems})
	} else {
		for _, p := range rep.Problems {
			fmt.Fprintln(stdout, "INCONSISTENT:", p)
		}
	}
	if len(rep.Problems) > 0 {
		return &exitError{exitInconsistent, fmt.Errorf("%d problems found in %d events and %d records (%s)", len(rep.Problems), rep.Events, rep.Records, took)}
	}
	if !*asJSON {
		fmt.Fprintf(stdout, "audit log ok: %d events (chain, tree and entries) and %d records verified in %s; tree size %d, head hash %s\n",
			rep.Events, rep.Records, took, rep.Head.TreeSize, rep.Head.Hash)
	}
	return nil
}

package main

import (
	"context"
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

const auditUsage = `usage: kolregistry audit verify [--json]

Recomputes the audit chain and the transparency log's tree from DATABASE_URL, compares every
event with its log entry and every record's row with its latest logged state.

exit status: 0 consistent; 1 inconsistent (tampering: each problem is named);
             2 could not check (bad usage, database unreachable or failing)`

func auditCommand(ctx context.Context, args []string, url string, stdout io.Writer) error {
	return group("audit", auditUsage, args, stdout, map[string]func([]string) error{
		"verify": func(args []string) error { return auditVerify(ctx, args, url, stdout) },
	})
}

func auditVerify(ctx context.Context, args []string, url string, stdout io.Writer) error {
	fs := newFlags("audit verify", auditUsage)
	asJSON := fs.Bool("json", false, "print the report as one JSON object (ok, events, records, treeSize, seconds, problems)")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	// Exit 2 with, under --json, {"ok": false, "checked": false, "error": …} on stdout.
	unchecked := func(err error) error {
		if *asJSON {
			writeJSON(stdout, map[string]any{"ok": false, "checked": false, "error": err.Error()})
		}
		return &exitError{exitUnchecked, err}
	}
	if url == "" {
		_, err := databaseURL()
		return unchecked(err)
	}
	d, err := db.Open(ctx, url, "")
	if err != nil {
		return unchecked(fmt.Errorf("could not check: %w", err))
	}
	defer d.Close()
	start := time.Now()
	rep, err := d.VerifyLog(ctx)
	if err != nil {
		return unchecked(fmt.Errorf("could not check: %w", err))
	}
	took := time.Since(start).Round(time.Millisecond)
	if *asJSON {
		problems := make([]map[string]any, len(rep.Problems))
		for i, p := range rep.Problems {
			problems[i] = map[string]any{"seq": p.Seq, "record": p.Record, "field": p.Field, "reason": p.Reason}
		}
		writeJSON(stdout, map[string]any{"ok": len(rep.Problems) == 0, "checked": true, "events": rep.Events,
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

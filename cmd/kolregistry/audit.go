package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kolregistry/kolregistry/db"
)

// runAudit implements `kolregistry audit verify`: recompute the hash chain from the database
// and exit non-zero naming the first broken link.
func runAudit(ctx context.Context, args []string) error {
	if len(args) != 1 || args[0] != "verify" {
		return errors.New("usage: kolregistry audit verify")
	}
	url, err := databaseURL()
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, url, "")
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	n, err := d.VerifyChain(ctx)
	if err != nil {
		return fmt.Errorf("%w (%d events verified before it)", err, n)
	}
	head, err := d.AuditHead(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("audit chain ok: %d events verified in %s; head seq %d hash %s\n", n, time.Since(start).Round(time.Millisecond), head.Seq, head.Hash)
	return nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/seed"
)

// runSeed loads the synthetic demo dataset; it expects a migrated database (run migrate first).
func runSeed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	demo := fs.Bool("demo", false, "load the synthetic demo dataset (idempotent)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*demo || fs.NArg() > 0 {
		return errors.New("usage: kolregistry seed --demo (the demo dataset is the only seed)")
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
	sum, err := seed.Demo(ctx, d)
	if err != nil {
		return err
	}
	fmt.Printf("%s (%s)\n", sum, time.Since(start).Round(time.Millisecond))
	return nil
}

package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/seed"
)

// runSeed loads the synthetic demo dataset; it expects a migrated database (run migrate first).
func runSeed(ctx context.Context, args []string) error {
	fs := newFlags("seed", "usage: kolregistry seed --demo\n\nLoads the synthetic demo dataset into DATABASE_URL (migrate first); idempotent.")
	demo := fs.Bool("demo", false, "load the synthetic demo dataset (the only seed)")
	if err := fs.parse(args, os.Stdout); err != nil {
		return err
	}
	if !*demo {
		return fs.usageErr("--demo is required (the demo dataset is the only seed)")
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

package main

import (
	"context"
	"fmt"
	"os"

	"github.com/kolregistry/kolregistry/db"
)

// runMigrate is `kolregistry migrate`: apply the embedded migrations not yet applied.
func runMigrate(ctx context.Context, args []string) error {
	fs := newFlags("migrate", "usage: kolregistry migrate\n\n"+
		"Applies the embedded migrations not yet applied to DATABASE_URL (idempotent).")
	if err := fs.parse(args, os.Stdout); err != nil {
		return err
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
	if err := db.Migrate(ctx, d.SQL()); err != nil {
		return err
	}
	fmt.Println("migrations applied")
	return nil
}

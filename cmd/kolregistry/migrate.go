package main

import (
	"context"
	"fmt"

	"github.com/kolregistry/kolregistry/db"
)

func runMigrate(ctx context.Context, args []string) error {
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

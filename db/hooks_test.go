package db

import (
	"context"
	"time"
)

// SleepOn holds one connection of the named pool for d (tests saturate pools with it).
func SleepOn(ctx context.Context, s *DB, pool string, d time.Duration) error {
	_, err := s.Pools()[pool].ExecContext(ctx, "SELECT pg_sleep($1)", d.Seconds())
	return err
}

// QueryAs runs q through the read path with ctx's class and its statement timeout.
func QueryAs(ctx context.Context, s *DB, q string) error {
	rows, cancel, err := s.query(ctx, q)
	if err != nil {
		return err
	}
	defer cancel()
	for rows.Next() {
	}
	rows.Close()
	return rows.Err()
}

package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies the embedded migrations not yet recorded in schema_migration, each in its own
// transaction, in file-name order. It is idempotent and safe to run from several processes at once
// (an advisory lock serializes them). Each applied migration's SHA-256 is recorded; a migration
// whose file changed after it was applied stops the run before anything is applied (see
// checkApplied). Then it brings events and records from before the transparency log into it, once
// (fillLog).
func Migrate(ctx context.Context, sdb *sql.DB) error {
	if err := migrateFS(ctx, sdb, migrations); err != nil {
		return err
	}
	if err := fillLog(ctx, sdb); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// migrateFS applies the migrations/*.sql files of fsys (the embedded set, or a test's own).
func migrateFS(ctx context.Context, sdb *sql.DB, fsys fs.FS) error {
	conn, err := sdb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	const lockKey = 7_405_310_001 // arbitrary, fixed: "kolregistry migrate"
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, lockKey)

	// The runner owns this table (it exists before any migration runs). checksum was added later:
	// a database migrated before then has NULL there until checkApplied records it.
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migration (
		name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
		ALTER TABLE schema_migration ADD COLUMN IF NOT EXISTS checksum text`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	bodies := make(map[string][]byte, len(names))
	for _, path := range names {
		body, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		bodies[strings.TrimPrefix(path, "migrations/")] = body
	}
	applied, err := checkApplied(ctx, conn, bodies)
	if err != nil {
		return err
	}
	for _, path := range names {
		name := strings.TrimPrefix(path, "migrations/")
		if applied[name] {
			continue
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, string(bodies[name])); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migration (name, checksum) VALUES ($1, $2)`,
			name, migrationSum(bodies[name])); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
	}
	return nil
}

// checkApplied reads the applied migrations and compares each recorded checksum with its file:
// an edited file is an error that names it (an applied migration is never edited: a change is a
// new migration). A row without a checksum (applied before checksums were kept) gets its file's
// checksum now, trusting the file as it is. A recorded migration with no file (one from a newer
// build) is left alone.
func checkApplied(ctx context.Context, conn *sql.Conn, bodies map[string][]byte) (map[string]bool, error) {
	rows, err := conn.QueryContext(ctx, `SELECT name, checksum FROM schema_migration`)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	defer rows.Close()
	applied := map[string]bool{}
	var missing []string
	for rows.Next() {
		var name string
		var sum sql.NullString
		if err := rows.Scan(&name, &sum); err != nil {
			return nil, fmt.Errorf("migrate: %w", err)
		}
		applied[name] = true
		body, ok := bodies[name]
		switch {
		case !ok:
		case !sum.Valid:
			missing = append(missing, name)
		case sum.String != migrationSum(body):
			return nil, fmt.Errorf("migrate: db/migrations/%s was edited after it was applied to this database "+
				"(recorded sha256 %s, the file's is %s): restore the file and put the change in a new migration",
				name, sum.String, migrationSum(body))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	rows.Close()
	for _, name := range missing {
		if _, err := conn.ExecContext(ctx, `UPDATE schema_migration SET checksum = $2 WHERE name = $1 AND checksum IS NULL`,
			name, migrationSum(bodies[name])); err != nil {
			return nil, fmt.Errorf("migrate %s: record checksum: %w", name, err)
		}
	}
	return applied, nil
}

// migrationSum is the hex SHA-256 of a migration file's bytes.
func migrationSum(body []byte) string {
	s := sha256.Sum256(body)
	return hex.EncodeToString(s[:])
}

// MigrationsChecksum identifies the embedded migration set (tests name template databases by it).
func MigrationsChecksum() string {
	h := sha256.New()
	names, _ := fs.Glob(migrations, "migrations/*.sql")
	sort.Strings(names)
	for _, n := range names {
		b, _ := migrations.ReadFile(n)
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

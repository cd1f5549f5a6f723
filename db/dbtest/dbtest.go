// Package dbtest gives each test package its own PostgreSQL database, cloned from a template
// that is migrated once per migration set, so packages run in parallel and leave nothing behind.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	_ "github.com/lib/pq"
)

// AdminURL is the server-level DSN: TEST_DATABASE_URL, else DATABASE_URL, else the local default.
func AdminURL() string {
	for _, k := range []string{"TEST_DATABASE_URL", "DATABASE_URL"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Required reports whether a missing database must fail the run (CI=true) rather than skip.
func Required() bool { return os.Getenv("CI") == "true" }

// Database is a private database for one test package.
type Database struct {
	URL   string
	name  string
	admin *sql.DB
}

// Create makes a fresh, migrated database named for prefix. It returns an error when the server
// cannot be reached; callers in TestMain decide whether that skips or fails (see Required).
func Create(ctx context.Context, prefix string) (*Database, error) {
	admin, err := sql.Open("postgres", withDB(AdminURL(), "postgres"))
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := admin.PingContext(pctx); err != nil {
		admin.Close()
		return nil, fmt.Errorf("postgres not reachable at %s: %w", redact(AdminURL()), err)
	}
	tmpl := "kolregistry_tmpl_" + db.MigrationsChecksum()
	if err := ensureTemplate(ctx, admin, tmpl); err != nil {
		admin.Close()
		return nil, err
	}
	name := fmt.Sprintf("kolregistry_test_%s_%d_%d", sanitize(prefix), os.Getpid(), time.Now().UnixNano()%1_000_000)
	// CREATE DATABASE ... TEMPLATE fails while another session is connected to the template;
	// the template is only ever connected to while it is being built, under the same lock.
	if err := withLock(ctx, admin, func(conn *sql.Conn) error {
		_, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %q TEMPLATE %q`, name, tmpl))
		return err
	}); err != nil {
		admin.Close()
		return nil, fmt.Errorf("create test database: %w", err)
	}
	return &Database{URL: withDB(AdminURL(), name), name: name, admin: admin}, nil
}

// Drop removes the database.
func (d *Database) Drop() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d.admin.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, d.name))
	d.admin.Close()
}

// Main runs a test package's tests against its own database, exported as *url. Use from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, "resolvers", &dbURL)) }
func Main(m *testing.M, prefix string, dbURL *string) int {
	d, err := Create(context.Background(), prefix)
	if err != nil {
		if Required() {
			fmt.Fprintf(os.Stderr, "FAIL: CI=true and no database: %v\n", err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "SKIP: no database (%v); run `make test` to start one\n", err)
		return 0
	}
	defer d.Drop()
	*dbURL = d.URL
	return m.Run()
}

func ensureTemplate(ctx context.Context, admin *sql.DB, tmpl string) error {
	return withLock(ctx, admin, func(conn *sql.Conn) error {
		var exists bool
		if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, tmpl).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return nil
		}
		building := tmpl + "_building"
		conn.ExecContext(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, building))
		if _, err := conn.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %q`, building)); err != nil {
			return fmt.Errorf("create template: %w", err)
		}
		tdb, err := sql.Open("postgres", withDB(AdminURL(), building))
		if err != nil {
			return err
		}
		err = db.Migrate(ctx, tdb)
		tdb.Close()
		if err != nil {
			return fmt.Errorf("migrate template: %w", err)
		}
		// Renaming last means a template that exists is always complete.
		_, err = conn.ExecContext(ctx, fmt.Sprintf(`ALTER DATABASE %q RENAME TO %q`, building, tmpl))
		return err
	})
}

// withLock runs fn holding a server-wide advisory lock, so concurrent test packages do not race
// on building or copying the template.
func withLock(ctx context.Context, admin *sql.DB, fn func(*sql.Conn) error) error {
	conn, err := admin.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	const key = 7_405_310_002
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, key)
	return fn(conn)
}

func withDB(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return dsn + " dbname=" + name
	}
	u.Path = "/" + name
	q := u.Query()
	if q.Get("sslmode") == "" {
		q.Set("sslmode", "disable")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable DSN)"
	}
	return u.Redacted()
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(s))
}

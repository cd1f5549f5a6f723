package db_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/kolregistry/kolregistry/db"
)

// emptyDatabase creates a database with nothing in it (not cloned from the migrated template),
// dropped when the test ends.
func emptyDatabase(t *testing.T) *sql.DB {
	t.Helper()
	ctx := context.Background()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("kolregistry_test_gates_migrate_%d_%d", os.Getpid(), time.Now().UnixNano()%1_000_000)
	admin, err := sql.Open("postgres", strings.Replace(u.String(), u.Path, "/postgres", 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.ExecContext(ctx, fmt.Sprintf(`CREATE DATABASE %q`, name)); err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	d, err := sql.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.Close()
		admin.ExecContext(context.Background(), fmt.Sprintf(`DROP DATABASE IF EXISTS %q WITH (FORCE)`, name))
		admin.Close()
	})
	return d
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func recorded(t *testing.T, d *sql.DB) map[string]sql.NullString {
	t.Helper()
	rows, err := d.Query(`SELECT name, checksum FROM schema_migration`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]sql.NullString{}
	for rows.Next() {
		var n string
		var c sql.NullString
		if err := rows.Scan(&n, &c); err != nil {
			t.Fatal(err)
		}
		out[n] = c
	}
	return out
}

func tableExists(t *testing.T, d *sql.DB, name string) bool {
	t.Helper()
	var ok bool
	if err := d.QueryRow(`SELECT to_regclass($1) IS NOT NULL`, name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

const (
	m1 = "CREATE TABLE gates_one (id int);\n"
	m2 = "CREATE TABLE gates_two (id int);\n"
	m3 = "CREATE TABLE gates_three (id int);\n"
)

func TestMigrate_RecordsAChecksumPerMigration(t *testing.T) {
	d := emptyDatabase(t)
	files := fstest.MapFS{
		"migrations/0001_one.sql": {Data: []byte(m1)},
		"migrations/0002_two.sql": {Data: []byte(m2)},
	}
	for range 2 { // the second run applies nothing and changes nothing
		if err := db.MigrateFS(context.Background(), d, files); err != nil {
			t.Fatal(err)
		}
	}
	got := recorded(t, d)
	if len(got) != 2 || got["0001_one.sql"].String != sum(m1) || got["0002_two.sql"].String != sum(m2) {
		t.Fatalf("schema_migration = %v, want the two files' sha256", got)
	}
}

func TestMigrate_RefusesAnEditedAppliedMigration(t *testing.T) {
	d := emptyDatabase(t)
	files := fstest.MapFS{
		"migrations/0001_one.sql": {Data: []byte(m1)},
		"migrations/0002_two.sql": {Data: []byte(m2)},
	}
	if err := db.MigrateFS(context.Background(), d, files); err != nil {
		t.Fatal(err)
	}
	files["migrations/0002_two.sql"] = &fstest.MapFile{Data: []byte(m2 + "-- a later edit\n")}
	files["migrations/0003_three.sql"] = &fstest.MapFile{Data: []byte(m3)}
	err := db.MigrateFS(context.Background(), d, files)
	if err == nil || !strings.Contains(err.Error(), "db/migrations/0002_two.sql was edited") {
		t.Fatalf("err = %v, want one naming 0002_two.sql as edited", err)
	}
	if tableExists(t, d, "gates_three") {
		t.Fatal("0003 was applied although an applied migration was edited")
	}
	if got := recorded(t, d)["0002_two.sql"].String; got != sum(m2) {
		t.Fatalf("the recorded checksum changed to %s", got)
	}
	// Restored, the run goes on.
	files["migrations/0002_two.sql"] = &fstest.MapFile{Data: []byte(m2)}
	if err := db.MigrateFS(context.Background(), d, files); err != nil {
		t.Fatal(err)
	}
	if !tableExists(t, d, "gates_three") {
		t.Fatal("0003 was not applied after the file was restored")
	}
}

// A database migrated before checksums were kept has schema_migration(name, applied_at): the
// first run adds the column and records each applied file's checksum without running it again.
func TestMigrate_RecordsChecksumsOfADatabaseThatHasNone(t *testing.T) {
	d := emptyDatabase(t)
	if _, err := d.Exec(m1 + `CREATE TABLE schema_migration (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
		INSERT INTO schema_migration (name) VALUES ('0001_one.sql')`); err != nil {
		t.Fatal(err)
	}
	files := fstest.MapFS{
		"migrations/0001_one.sql": {Data: []byte(m1)}, // would fail if run again: gates_one exists
		"migrations/0002_two.sql": {Data: []byte(m2)},
	}
	if err := db.MigrateFS(context.Background(), d, files); err != nil {
		t.Fatal(err)
	}
	got := recorded(t, d)
	if got["0001_one.sql"].String != sum(m1) || got["0002_two.sql"].String != sum(m2) {
		t.Fatalf("schema_migration = %v, want both checksums", got)
	}
	// From now on an edit of 0001 is caught.
	files["migrations/0001_one.sql"] = &fstest.MapFile{Data: []byte("CREATE TABLE gates_one (id bigint);\n")}
	if err := db.MigrateFS(context.Background(), d, files); err == nil || !strings.Contains(err.Error(), "0001_one.sql") {
		t.Fatalf("err = %v, want one naming 0001_one.sql", err)
	}
}

// The embedded set: every migration of the package's database carries its checksum.
func TestMigrate_EmbeddedMigrationsCarryChecksums(t *testing.T) {
	d, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := db.Migrate(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	var n, without int
	if err := d.QueryRow(`SELECT count(*), count(*) FILTER (WHERE checksum IS NULL OR length(checksum) <> 64) FROM schema_migration`).Scan(&n, &without); err != nil {
		t.Fatal(err)
	}
	if n == 0 || without != 0 {
		t.Fatalf("%d migrations, %d without a checksum", n, without)
	}
}

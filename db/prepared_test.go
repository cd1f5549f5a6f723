package db_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"

	"github.com/kolregistry/kolregistry/db"
)

// TestPreparedReads: a read text is prepared the second time it runs, not the first; the
// prepared statement answers as the text does; a migration that changes what it returns does
// not fail the read (it runs as text and the statement is dropped); beyond PreparedReads texts
// the least recently used is closed while other reads go on, and none of them fails.
func TestPreparedReads(t *testing.T) {
	ctx := context.Background()
	d := openStore(t)
	conn, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE zz_prepared (a int); INSERT INTO zz_prepared VALUES (1), (2)`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Exec(`DROP TABLE zz_prepared`) })
	const text = `SELECT * FROM zz_prepared ORDER BY 1`
	read := func() (int, int64) {
		t.Helper()
		cols, firsts, err := d.QueryIntsForTest(ctx, text)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var sum int64
		for _, n := range firsts {
			sum += n
		}
		return cols, sum
	}
	if c, s := read(); c != 1 || s != 3 || d.PreparedForTest(text) {
		t.Fatalf("first read: %d columns, sum %d, prepared %v", c, s, d.PreparedForTest(text))
	}
	for range 3 {
		if c, s := read(); c != 1 || s != 3 {
			t.Fatalf("prepared read: %d columns, sum %d", c, s)
		}
	}
	if !d.PreparedForTest(text) {
		t.Fatal("a repeated read is not prepared")
	}
	if _, err := conn.ExecContext(ctx, `ALTER TABLE zz_prepared ADD COLUMN b text`); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if c, s := read(); c != 2 || s != 3 {
			t.Fatalf("after the migration: %d columns, sum %d", c, s)
		}
	}

	// Eviction under concurrent reads: 3 × PreparedReads texts, each read by several readers.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3 * db.PreparedReads {
				k := (i + w) % (3 * db.PreparedReads)
				q := fmt.Sprintf("SELECT %d + count(*)::int FROM zz_prepared", k)
				n, err := d.QueryRowIntForTest(ctx, q)
				if err != nil {
					errs <- fmt.Errorf("%s: %w", q, err)
					return
				}
				if n != k+2 {
					errs <- fmt.Errorf("%s = %d, want %d", q, n, k+2)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := d.PreparedCountForTest(); n > db.PreparedReads {
		t.Errorf("%d texts kept, at most %d expected", n, db.PreparedReads)
	}
}

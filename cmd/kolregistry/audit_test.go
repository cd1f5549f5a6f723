package main

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
)

// audit verify exits 0 on a consistent registry, 1 naming the record and field of a change
// made behind the API's back, 2 when it cannot check.
func TestAuditVerify_ExitStatuses(t *testing.T) {
	ctx := context.Background()
	d, err := dbtest.Create(ctx, "cmd_audit")
	if err != nil {
		if dbtest.Required() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	defer d.Drop()
	store, err := db.Open(ctx, d.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var id int64
	if _, err := store.Import(ctx, db.Operator, "importRecord", "test", func(ctx context.Context, tx *db.Tx) ([]db.Record, error) {
		err := tx.QueryRowContext(ctx, `INSERT INTO influencer (display_name) VALUES ('Chị Test') RETURNING id`).Scan(&id)
		return []db.Record{{Type: "Influencer", ID: id}}, err
	}); err != nil {
		t.Fatal(err)
	}
	exit := func(err error) int {
		var ee *exitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &ee):
			return ee.code
		}
		return -1
	}
	var out bytes.Buffer
	if err := auditCommand(ctx, []string{"verify"}, d.URL, &out); exit(err) != 0 || !strings.Contains(out.String(), "audit log ok: 1 events") {
		t.Fatalf("clean: %v, %s", err, out.String())
	}
	if _, err := store.SQL().Exec(`UPDATE influencer SET display_name = 'Người khác' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	err = auditCommand(ctx, []string{"verify"}, d.URL, &out)
	if exit(err) != 1 || !strings.Contains(out.String(), "Influencer "+itoa(id)) || !strings.Contains(out.String(), "field displayName") {
		t.Fatalf("tampered: exit %d (%v), %s", exit(err), err, out.String())
	}
	out.Reset()
	if err := auditCommand(ctx, []string{"verify", "--json"}, d.URL, &out); exit(err) != 1 || !strings.Contains(out.String(), `"field":"displayName"`) {
		t.Fatalf("tampered --json: %v, %s", err, out.String())
	}
	if err := auditCommand(ctx, []string{"verify"}, "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", &out); exit(err) != 2 {
		t.Fatalf("unreachable database: exit %d (%v)", exit(err), err)
	}
	if err := auditCommand(ctx, []string{"check"}, d.URL, &out); exit(err) != 2 {
		t.Fatalf("bad usage: exit %d", exit(err))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

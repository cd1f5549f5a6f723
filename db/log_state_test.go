package db_test

import (
	"context"
	"testing"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/seed"
)

// The state the write path renders is, byte for byte, the canonical form of the same fields
// built by PostgreSQL as jsonb (how states were built before, so entries written then still
// match): for every record of the demo data, and for text that needs escapes.
func TestState_RenderedIsTheCanonicalJSONB(t *testing.T) {
	t.Parallel()
	store := ownStore(t, "db_log_state")
	ctx := context.Background()
	if _, err := seed.Demo(ctx, store); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"quote \" and \\ back", "line\nbreak\ttab\x01", "sep\u2028para\u2029", "<b>&amp;</b>", "Cà phê Đà Lạt 😀"} {
		if _, err := store.SQL().Exec(`INSERT INTO brand (name, industry) VALUES ($1, 'COSMETICS')`, name); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, typ := range db.SubjectTypes() {
		rendered, viaJSONB, err := db.StatesTwoWays(ctx, store, typ)
		if err != nil {
			t.Fatal(err)
		}
		if len(rendered) != len(viaJSONB) || len(rendered) == 0 {
			t.Fatalf("%s: %d rendered, %d built as jsonb", typ, len(rendered), len(viaJSONB))
		}
		for id, want := range viaJSONB {
			if got := rendered[id]; string(got) != string(want) {
				t.Errorf("%s %d:\nrendered %s\njsonb    %s", typ, id, got, want)
			}
			n++
		}
	}
	t.Logf("%d states compared", n)
}

package db_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
)

// TestCurrentMcnSQL_AgreesWithTheRule: the compiled read's currentMcn (its SQL form of the
// "current MCN" rule) names the MCN that db.CurrentAffiliation (registry.CurrentAffiliation)
// picks from the affiliations the loaders read, on days around every boundary: before any
// affiliation, on a start day, on an end day (exclusive), exclusive management over a later
// non-exclusive one, the latest start, the highest id on equal starts.
func TestCurrentMcnSQL_AgreesWithTheRule(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	conn, err := sql.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exec := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := conn.QueryRowContext(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	kol := exec(`INSERT INTO influencer (display_name) VALUES ('Current MCN rule')`)
	mcn := map[string]int64{}
	for _, n := range []string{"Rule A", "Rule B", "Rule C", "Rule D"} {
		mcn[n] = exec(`INSERT INTO mcn (name) VALUES ($1)`, n)
	}
	aff := func(m, kind, start string, end any) {
		exec(`INSERT INTO affiliation (influencer_id, mcn_id, kind, started_on, ended_on) VALUES ($1, $2, $3, $4, $5)`,
			kol, mcn[m], kind, start, end)
	}
	aff("Rule A", "EXCLUSIVE_MANAGEMENT", "2025-01-01", "2025-05-01")
	aff("Rule B", "NON_EXCLUSIVE", "2024-06-01", nil)
	aff("Rule C", "EMPLOYEE", "2024-06-01", "2024-08-01") // same start as B, recorded later
	aff("Rule D", "NON_EXCLUSIVE", "2024-09-01", "2024-09-02")
	aff("Rule A", "EXCLUSIVE_MANAGEMENT", "2025-06-01", "2025-06-02")

	affs, err := store.AffiliationsByInfluencers(ctx, []int64{kol})
	if err != nil {
		t.Fatal(err)
	}
	names := map[int64]string{}
	for n, id := range mcn {
		names[id] = n
	}
	seen := map[string]bool{}
	days := []string{"2024-05-31", "2024-06-01", "2024-07-31", "2024-08-01", "2024-09-01", "2024-09-02",
		"2024-12-31", "2025-01-01", "2025-03-01",
		"2025-04-30", "2025-05-01", "2025-05-31", "2025-06-01", "2025-06-02", "2030-01-01"}
	for _, d := range days {
		day, err := time.ParseInLocation("2006-01-02", d, db.VietnamTime)
		if err != nil {
			t.Fatal(err)
		}
		want := ""
		if a := db.CurrentAffiliation(affs[kol], day); a != nil {
			want = names[a.McnID]
		}
		seen[want] = true
		st, err := db.CompileJSON([]db.JSONRoot{{Key: "x", Field: "influencer", ID: kol,
			Sel: []db.JSONSel{{Key: "currentMcn", Field: "currentMcn", Day: day, Sel: []db.JSONSel{{Key: "name", Field: "name"}}}}}})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := store.ReadJSON(ctx, st)
		if err != nil {
			t.Fatalf("%s: %v", st.SQL, err)
		}
		var got struct {
			X struct {
				CurrentMcn *struct{ Name string }
			}
		}
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("%v: %s", err, raw)
		}
		gotName := ""
		if got.X.CurrentMcn != nil {
			gotName = got.X.CurrentMcn.Name
		}
		if gotName != want {
			t.Errorf("on %s: the SQL picks %q, the rule %q", d, gotName, want)
		}
	}
	// The days must exercise the rule: no MCN, and each of the four.
	if len(seen) != 5 {
		t.Errorf("the days reach only these answers of the rule: %v", seen)
	}
}

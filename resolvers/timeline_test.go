package resolvers_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/kolregistry/kolregistry/resolvers"
)

// TestTimeline_ListsEverythingNewestFirstAndPages checks an influencer's, an MCN's and a
// brand's timeline against counts taken from the tables directly: every event once, newest
// first, the same events whether read in one page or walked three at a time.
func TestTimeline_ListsEverythingNewestFirstAndPages(t *testing.T) {
	store := openStore(t)
	a := newAPI(t, store)
	ctx := context.Background()

	// An influencer with a sanction; the expected count comes from the rows themselves.
	var infID int64
	if err := store.SQL().QueryRowContext(ctx, `SELECT min(influencer_id) FROM sanction WHERE influencer_id IS NOT NULL`).Scan(&infID); err != nil {
		t.Fatal(err)
	}
	var want int
	err := store.SQL().QueryRowContext(ctx, `SELECT 1
		+ (SELECT count(*) FROM platform_account WHERE influencer_id = $1)
		+ (SELECT count(*) FROM affiliation WHERE influencer_id = $1)
		+ (SELECT count(*) FROM affiliation WHERE influencer_id = $1 AND ended_on IS NOT NULL)
		+ (SELECT count(*) FROM disclosure WHERE influencer_id = $1)
		+ (SELECT count(*) FROM sanction WHERE influencer_id = $1)
		+ (SELECT count(*) - count(DISTINCT c.sanction_id) FROM sanction_status_change c JOIN sanction s ON s.id = c.sanction_id WHERE s.influencer_id = $1)
		+ (SELECT count(*) FROM audit_event e WHERE e.subject_type = 'Influencer' AND e.subject_id = $1 AND e.action <> 'registerInfluencer')`,
		infID).Scan(&want)
	if err != nil {
		t.Fatal(err)
	}
	gid := resolvers.GlobalIDOfRaw("Influencer:" + strconv.FormatInt(infID, 10))

	const q = `query($id: ID!, $first: Int, $after: String) { node(id: $id) { ... on Influencer {
		timeline(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
		  nodes { kind on at status auditSeq label(lang: EN) record { id } } } } } }`
	all := a.ok(q, map[string]any{"id": gid, "first": 100})
	nodes := list(all, "node.timeline.nodes")
	if got := int(get(all, "node.timeline.totalCount").(float64)); got != want || len(nodes) != want {
		t.Fatalf("timeline has %d events (totalCount %d), want %d from the tables", len(nodes), got, want)
	}
	kinds := map[string]int{}
	prev := "9999-12-31"
	for i, n := range nodes {
		kinds[n.(map[string]any)["kind"].(string)]++
		on := get(n, "on").(string)
		if on > prev {
			t.Fatalf("event %d (%s) is dated %s, after the event before it (%s): not newest first", i, get(n, "kind"), on, prev)
		}
		prev = on
		if get(n, "record.id") == nil || get(n, "label") == "" {
			t.Fatalf("event %d has no record or label: %v", i, n)
		}
	}
	for _, k := range []string{"REGISTERED", "ACCOUNT_ADDED", "AFFILIATION_STARTED", "AFFILIATION_ENDED", "DISCLOSURE_PUBLISHED", "SANCTION_DECIDED"} {
		if kinds[k] == 0 {
			t.Errorf("no %s event in %v", k, kinds)
		}
	}

	// Walking three at a time yields the same events in the same order.
	var walked []any
	var after any
	for pages := 0; ; pages++ {
		if pages > want {
			t.Fatal("paging does not end")
		}
		d := a.ok(q, map[string]any{"id": gid, "first": 3, "after": after})
		walked = append(walked, list(d, "node.timeline.nodes")...)
		if get(d, "node.timeline.pageInfo.hasNextPage") != true {
			break
		}
		after = get(d, "node.timeline.pageInfo.endCursor")
	}
	if len(walked) != len(nodes) {
		t.Fatalf("walking pages gave %d events, one page %d", len(walked), len(nodes))
	}
	for i := range walked {
		if get(walked[i], "kind") != get(nodes[i], "kind") || get(walked[i], "record.id") != get(nodes[i], "record.id") {
			t.Fatalf("event %d differs between paging and one page: %v vs %v", i, walked[i], nodes[i])
		}
	}

	// An MCN's and a brand's timelines: registered, plus members' contracts or disclosures.
	for _, c := range []struct{ typ, sql, kind string }{
		{"Mcn", `SELECT min(id) FROM mcn`, "AFFILIATION_STARTED"},
		{"Brand", `SELECT min(id) FROM brand`, "DISCLOSURE_PUBLISHED"},
	} {
		var oid int64
		if err := store.SQL().QueryRowContext(ctx, c.sql).Scan(&oid); err != nil {
			t.Fatal(err)
		}
		d := a.ok(`query($id: ID!) { node(id: $id) { ... on `+c.typ+` { url timeline(first: 100) { totalCount nodes { kind } } } } }`,
			map[string]any{"id": resolvers.GlobalIDOfRaw(c.typ + ":" + strconv.FormatInt(oid, 10))})
		got := map[string]bool{}
		for _, n := range list(d, "node.timeline.nodes") {
			got[get(n, "kind").(string)] = true
		}
		if !got["REGISTERED"] || !got[c.kind] {
			t.Errorf("%s timeline lacks REGISTERED or %s: %v", c.typ, c.kind, got)
		}
	}
}

package resolvers_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/server"
)

// nestedFilteredQuery asks each influencer's sanctions three ways: active ones, complied ones
// (one status, given as a variable) and all of them.
const nestedFilteredQuery = `query($n: Int!, $done: [SanctionStatus!]) { influencers(first: $n) { nodes { id
	active: sanctions(first: 5, active: true) { totalCount nodes { status } facets { status { value count } } }
	done: sanctions(first: 5, status: $done) { totalCount nodes { status } }
	notActive: sanctions(first: 5, active: false) { totalCount nodes { status } }
	all: sanctions(first: 5) { totalCount nodes { status } } } } }`

// TestNestedSanctions_StatusAndActiveFilters: Influencer.sanctions(status:, active:) returns only
// the sanctions of those statuses (active: registry.ActiveStatuses), with their totalCount and
// facets, and the three read paths (compiled, planned, loaders) answer the same.
func TestNestedSanctions_StatusAndActiveFilters(t *testing.T) {
	store := openStore(t)
	vars := map[string]any{"n": 20, "done": []string{"COMPLIED"}}
	var answers []string
	for _, path := range []struct {
		name                  string
		unplanned, uncompiled bool
	}{{"compiled", false, false}, {"planned", false, true}, {"loaders", true, true}} {
		a := newAPIConfig(t, store, func(c *server.Config) {
			c.UnplannedReads, c.UncompiledReads = path.unplanned, path.uncompiled
		})
		data := a.ok(nestedFilteredQuery, vars)
		nodes := list(data, "influencers.nodes")
		if len(nodes) != 20 {
			t.Fatalf("%s: %d influencers, want 20", path.name, len(nodes))
		}
		withSanctions := 0
		for _, n := range nodes {
			statuses := func(name string) []string {
				var out []string
				for _, s := range list(n, name+".nodes") {
					out = append(out, get(s, "status").(string))
				}
				return out
			}
			total := func(name string) int { return int(get(n, name+".totalCount").(float64)) }
			for _, s := range statuses("active") {
				if s != "IN_FORCE" && s != "UNDER_COMPLAINT" && s != "UNDER_LITIGATION" {
					t.Errorf("%s: active: true returned a %s sanction", path.name, s)
				}
			}
			for _, s := range statuses("done") {
				if s != "COMPLIED" {
					t.Errorf("%s: status: [COMPLIED] returned a %s sanction", path.name, s)
				}
			}
			for _, s := range statuses("notActive") {
				if s == "IN_FORCE" {
					t.Errorf("%s: active: false returned an IN_FORCE sanction", path.name)
				}
			}
			if total("active")+total("notActive") != total("all") {
				t.Errorf("%s: active %d + not active %d != all %d", path.name, total("active"), total("notActive"), total("all"))
			}
			if total("active") != len(statuses("active")) || total("done") != len(statuses("done")) {
				t.Errorf("%s: totalCount does not count the filtered list", path.name)
			}
			facets := 0
			for _, f := range list(n, "active.facets.status") {
				facets += int(get(f, "count").(float64))
			}
			if facets != total("active") {
				t.Errorf("%s: facets of the active list count %d, totalCount %d", path.name, facets, total("active"))
			}
			if total("all") > 0 {
				withSanctions++
				// The fixture gives each sanctioned influencer one IN_FORCE and one COMPLIED sanction.
				if !slices.Equal(statuses("active"), []string{"IN_FORCE"}) || !slices.Equal(statuses("done"), []string{"COMPLIED"}) {
					t.Errorf("%s: %v: active %v, complied %v; want [IN_FORCE], [COMPLIED]", path.name, get(n, "id"),
						statuses("active"), statuses("done"))
				}
			}
		}
		if withSanctions == 0 {
			t.Fatalf("%s: no influencer of the page has sanctions; the test proves nothing", path.name)
		}
		b, _ := json.Marshal(data)
		answers = append(answers, string(b))
	}
	if answers[0] != answers[1] || answers[1] != answers[2] {
		t.Errorf("the read paths answer differently:\ncompiled %s\nplanned  %s\nloaders  %s", answers[0], answers[1], answers[2])
	}
}

// TestNestedSanctions_FilterKeepsBatching: the filter is part of the loader key, so each
// filtered list is one statement for the whole level, on the planned and the loader paths.
func TestNestedSanctions_FilterKeepsBatching(t *testing.T) {
	query := `query($n: Int!) { influencers(first: $n) { nodes {
		active: sanctions(first: 5, active: true) { totalCount nodes { agency { name } } }
		done: sanctions(first: 5, status: [COMPLIED]) { nodes { status } }
		alsoDone: sanctions(first: 5, status: [COMPLIED, COMPLIED]) { nodes { status } } } } }`
	for _, path := range []struct {
		name      string
		unplanned bool
	}{{"loaders", true}, {"planned", false}} {
		t.Run(path.name, func(t *testing.T) {
			configure := func(c *server.Config) {
				c.LoaderWait, c.UnplannedReads, c.UncompiledReads = 100*time.Millisecond, path.unplanned, true
			}
			s, l := statementsOf(t, query, 10, configure), statementsOf(t, query, 50, configure)
			t.Logf("statements: first 10 → %d, first 50 → %d", len(s), len(l))
			// influencers, active page, active count, agencies, complied page (the planner fetches
			// the page of [COMPLIED, COMPLIED] again, into the same loader key; the loader path may
			// split the count batch behind the agencies, as without a filter): at most 7 at any
			// size, where a statement per parent would be 50 and more.
			if len(l) > 7 {
				t.Errorf("first: 50 sent %d statements; expected one per list", len(l))
			}
			if small, large := kinds(s), kinds(l); !slices.Equal(small, large) {
				t.Errorf("statement kinds differ between first: 10 (%d) and first: 50 (%d)", len(small), len(large))
			}
			if t.Failed() {
				for _, q := range l {
					t.Log(truncate(q, 200))
				}
			}
		})
	}
}

package resolvers_test

import (
	"encoding/base64"
	"fmt"
	"testing"
)

func TestNode_RoundTripsEveryEntityType(t *testing.T) {
	a := newAPI(t, openStore(t))
	// One ID of every type, each read from the place a client would find it.
	data := a.ok(`{
		influencers(first: 1) { nodes { id accounts { id } affiliations { id } } }
		mcns(first: 1) { nodes { id } }
		brands(first: 1) { nodes { id } }
		disclosures(first: 1) { nodes { id } }
		agencies(first: 1) { nodes { id } }
		sanctions(first: 1) { nodes { id } }
	}`, nil)
	ids := map[string]string{
		"Influencer":      get(data, "influencers.nodes.0.id").(string),
		"PlatformAccount": get(data, "influencers.nodes.0.accounts.0.id").(string),
		"Affiliation":     get(data, "influencers.nodes.0.affiliations.0.id").(string),
		"Mcn":             get(data, "mcns.nodes.0.id").(string),
		"Brand":           get(data, "brands.nodes.0.id").(string),
		"Disclosure":      get(data, "disclosures.nodes.0.id").(string),
		"Agency":          get(data, "agencies.nodes.0.id").(string),
		"Sanction":        get(data, "sanctions.nodes.0.id").(string),
	}
	for typ, id := range ids {
		t.Run(typ, func(t *testing.T) {
			d := a.ok(`query($id: ID!) { node(id: $id) { __typename id } nodes(ids: [$id]) { id } }`, map[string]any{"id": id})
			if got := get(d, "node.__typename"); got != typ {
				t.Errorf("node(id:).__typename = %v, want %s", got, typ)
			}
			if got := get(d, "node.id"); got != id {
				t.Errorf("node(id:).id = %v, want %s", got, id)
			}
			if got := get(d, "nodes.0.id"); got != id {
				t.Errorf("nodes(ids:)[0].id = %v, want %s", got, id)
			}
		})
	}

	// The typed root fields answer null for an ID of another type, and for an ID no row has.
	mcnID := ids["Mcn"]
	missing := base64.RawURLEncoding.EncodeToString([]byte("Influencer:987654321"))
	unknownType := base64.RawURLEncoding.EncodeToString([]byte("Planet:1"))
	d := a.ok(fmt.Sprintf(`{
		wrongType: influencer(id: %q) { id }
		missing: influencer(id: %q) { id }
		missingNode: node(id: %q) { id }
		unknownType: node(id: %q) { id }
		mixed: nodes(ids: [%q, %q]) { id }
	}`, mcnID, missing, missing, unknownType, missing, mcnID), nil)
	for _, k := range []string{"wrongType", "missing", "missingNode", "unknownType", "mixed.0"} {
		if v := get(d, k); v != nil {
			t.Errorf("%s = %v, want null", k, v)
		}
	}
	if get(d, "mixed.1.id") != mcnID {
		t.Errorf("nodes(ids:) lost the order or the second entity: %v", get(d, "mixed"))
	}
}

func TestNestedFields_MatchTheRowsTheyReferTo(t *testing.T) {
	a := newAPI(t, openStore(t))
	d := a.ok(`{ sanctions(first: 5, filter: {status: IN_FORCE}) { nodes {
		decisionNumber fineVnd remedies status
		subject { __typename ... on Influencer { id displayName currentMcn { name } sanctions(first: 10) { nodes { decisionNumber } } } }
		agency { slug }
		violations { category legalBasis { instrument article clause point } }
		statusHistory { status agency { slug } }
		relatedDisclosures { id influencer { id } relatedSanctions { decisionNumber } brands { name } }
	} } }`, nil)
	nodes := list(d, "sanctions.nodes")
	if len(nodes) != 5 {
		t.Fatalf("got %d sanctions", len(nodes))
	}
	for _, n := range nodes {
		num := get(n, "decisionNumber")
		if get(n, "subject.__typename") != "Influencer" {
			t.Errorf("%v: subject %v", num, get(n, "subject"))
		}
		found := false
		for _, s := range list(n, "subject.sanctions.nodes") {
			found = found || get(s, "decisionNumber") == num
		}
		if !found {
			t.Errorf("%v is not among its subject's sanctions", num)
		}
		if get(n, "violations.0.legalBasis.instrument") != "38/2021/NĐ-CP" || get(n, "violations.0.legalBasis.article") != float64(34) {
			t.Errorf("%v: violations %v", num, get(n, "violations"))
		}
		if get(n, "statusHistory.0.status") != "IN_FORCE" || get(n, "agency.slug") != "cuc-ptth" {
			t.Errorf("%v: history %v agency %v", num, get(n, "statusHistory"), get(n, "agency"))
		}
		if get(n, "relatedDisclosures.0.influencer.id") != get(n, "subject.id") {
			t.Errorf("%v: related disclosure of someone else", num)
		}
		if get(n, "subject.currentMcn.name") == nil {
			t.Errorf("%v: subject has no current MCN", num)
		}
	}
	// An MCN's current members all name it as their current MCN.
	m := a.ok(`{ mcns(first: 1) { nodes { name members(first: 100) { totalCount nodes { current influencer { currentMcn { name } } } }
		past: members(current: false, first: 100) { totalCount nodes { current } } } } }`, nil)
	name := get(m, "mcns.nodes.0.name")
	for _, mem := range list(m, "mcns.nodes.0.members.nodes") {
		if get(mem, "current") != true || get(mem, "influencer.currentMcn.name") != name {
			t.Errorf("member %v of %v", mem, name)
		}
	}
	if get(m, "mcns.nodes.0.members.totalCount") == float64(0) || get(m, "mcns.nodes.0.past.totalCount") == float64(0) {
		t.Errorf("want current and past members: %v", get(m, "mcns.nodes.0"))
	}
}

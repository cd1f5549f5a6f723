package resolvers_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
	"github.com/kolregistry/kolregistry/db/seed"
	"github.com/kolregistry/kolregistry/resolvers"
	"github.com/kolregistry/kolregistry/server"
)

// Fragments of every scalar field, so that the corpus compares whole objects.
const planFragments = `
fragment I on Influencer { id displayName legalName aliases province categories version createdAt updatedAt }
fragment A on PlatformAccount { id platform handle url platformUserId followerCount followersAsOf identityVerification createdAt }
fragment M on Mcn { id name taxCode website province version createdAt updatedAt }
fragment F on Affiliation { id kind startedOn endedOn current source version }
fragment B on Brand { id name taxCode industry version createdAt updatedAt }
fragment D on Disclosure { id productName productCategory contentUrl platform publishedAt label labelTiming compensation status version createdAt updatedAt retractionReason }
fragment S on Sanction { id decisionNumber decidedOn effectiveOn fineVnd remedies status sourceUrl sourceSha256 recordedAt version }
fragment G on Agency { id slug name nameEn kind jurisdiction status createdAt }
fragment P on PageInfo { hasNextPage hasPreviousPage startCursor endCursor }
`

// planCorpus is the equivalence corpus: every root field that reads entities, every nested
// field, both paging directions, filters and orderings. $-variables come from demoIDs.
var planCorpus = []struct{ name, query string }{
	// Root fields by id, every nested field below them.
	{"influencer-all-nested", `query($inf: ID!) { influencer(id: $inf) { ...I credentials { field title issuer validUntil } accounts { ...A influencer { id } } affiliations { ...F influencer { id } mcn { ...M } } currentMcn { ...M } disclosures(first: 3) { totalCount nodes { ...D } pageInfo { ...P } } sanctions(first: 3) { totalCount edges { cursor node { ...S } } pageInfo { ...P } } } }`},
	{"influencer-missing", `{ influencer(id: "SW5mbHVlbmNlcjo5OTk5OTk5") { id accounts { id } } }`},
	{"influencer-of-other-type", `query($mcn: ID!) { influencer(id: $mcn) { id } }`},
	{"mcn-all-nested", `query($mcn: ID!) { mcn(id: $mcn) { ...M members(first: 5) { totalCount nodes { ...F influencer { ...I accounts { handle } } mcn { id } } pageInfo { ...P } } disclosures(first: 4) { totalCount nodes { ...D influencer { id } } } sanctions(first: 3) { totalCount nodes { ...S agency { ...G } } } } }`},
	{"mcn-members-current", `query($mcn: ID!) { mcn(id: $mcn) { current: members(current: true, first: 3) { totalCount nodes { id current } } past: members(current: false, first: 3) { totalCount nodes { id current } } all: members(first: 3) { totalCount nodes { id } } } }`},
	{"brand-all-nested", `query($brand: ID!) { brand(id: $brand) { ...B disclosures(first: 5) { totalCount nodes { ...D brands { ...B } } pageInfo { ...P } } sanctions(first: 5) { totalCount nodes { ...S subject { __typename ... on Brand { id name } } } } } }`},
	{"agency-all-nested", `query($agency: ID!) { agency(id: $agency) { ...G sanctions(first: 5) { totalCount nodes { ...S violations { category description legalBasis { instrument article clause point } } } pageInfo { ...P } } } }`},
	{"node-influencer", `query($inf: ID!) { node(id: $inf) { id ... on Influencer { displayName accounts { handle } sanctions(first: 2) { nodes { id } } } } }`},
	{"node-sanction", `query($sanction: ID!) { node(id: $sanction) { id ... on Sanction { ...S agency { name } subject { __typename ... on Influencer { displayName } ... on Mcn { name } ... on Brand { name } } } } }`},
	{"node-disclosure", `query($disclosure: ID!) { node(id: $disclosure) { id ... on Disclosure { ...D influencer { displayName } account { handle } brands { name } mcn { name } filedBy { slug } relatedSanctions { id } } } }`},
	{"node-account", `query($account: ID!) { node(id: $account) { id ... on PlatformAccount { ...A influencer { ...I } } } }`},
	{"node-affiliation", `query($affiliation: ID!) { node(id: $affiliation) { id ... on Affiliation { ...F influencer { displayName } mcn { name } } } }`},
	{"nodes-mixed", `query($inf: ID!, $mcn: ID!, $brand: ID!, $agency: ID!) { nodes(ids: [$inf, $mcn, $brand, $agency]) { id __typename ... on Influencer { accounts { handle } } ... on Mcn { members(first: 2) { nodes { id } } } } }`},

	// Influencers: orderings, filters, paging both ways, every nested field.
	{"influencers-default", `{ influencers(first: 10) { totalCount nodes { ...I } pageInfo { ...P } } }`},
	{"influencers-nested-nodes", `{ influencers(first: 15) { nodes { id credentials { title } accounts { handle influencer { displayName } } affiliations { kind mcn { name } } currentMcn { name } } } }`},
	{"influencers-nested-edges", `{ influencers(first: 12) { edges { cursor node { id disclosures(first: 2) { totalCount nodes { id brands { name } } } sanctions(first: 2) { totalCount nodes { id agency { slug } } } } } } }`},
	{"influencers-nodes-and-edges", `{ influencers(first: 8) { nodes { id accounts { handle } } edges { node { id currentMcn { name } accounts { platform } } } } }`},
	{"influencers-created-desc", `{ influencers(first: 10, orderBy: {field: CREATED_AT, direction: DESC}) { nodes { id createdAt accounts { id } } pageInfo { ...P } } }`},
	{"influencers-updated-asc", `{ influencers(first: 10, orderBy: {field: UPDATED_AT}) { nodes { id updatedAt } } }`},
	{"influencers-after", `query($infAfter: String!) { influencers(first: 7, after: $infAfter) { nodes { id accounts { handle } } pageInfo { ...P } } }`},
	{"influencers-last", `{ influencers(last: 6) { nodes { id currentMcn { name } } pageInfo { ...P } } }`},
	{"influencers-last-before", `query($infAfter: String!) { influencers(last: 4, before: $infAfter) { nodes { id sanctions(first: 1) { nodes { id } } } pageInfo { ...P } } }`},
	{"influencers-sanctioned", `{ influencers(first: 20, filter: {hasActiveSanction: true}) { totalCount nodes { id sanctions(first: 5) { totalCount nodes { ...S violations { category } statusHistory { status effectiveOn reason agency { slug } } relatedDisclosures { id productName } } } } } }`},
	{"influencers-not-sanctioned", `{ influencers(first: 5, filter: {hasActiveSanction: false}) { nodes { id sanctions(first: 5) { totalCount } } } }`},
	{"influencers-province-category", `{ influencers(first: 10, filter: {province: ["VN-SG", "VN-HN"], category: [BEAUTY, FOOD]}) { totalCount nodes { id province categories } } }`},
	{"influencers-platform-mcn", `query($mcn: ID!) { influencers(first: 10, filter: {platform: [TIKTOK], mcnId: [$mcn]}) { totalCount nodes { id currentMcn { id } accounts { platform } } } }`},
	{"influencers-nested-disclosures-last", `{ influencers(first: 5) { nodes { id disclosures(last: 2) { nodes { id publishedAt } pageInfo { ...P } } } } }`},
	{"influencers-nested-after", `query($nestedAfter: String!) { influencers(first: 5) { nodes { id disclosures(first: 2, after: $nestedAfter) { nodes { id } pageInfo { ...P } } } } }`},
	{"influencers-aliases", `{ influencers(first: 6) { nodes { id a: sanctions(first: 1) { nodes { id } } b: sanctions(first: 3) { totalCount nodes { id agency { name } } } x: accounts { handle } y: accounts { platform influencer { id } } } } }`},
	{"influencers-invalid-nested-page", `{ influencers(first: 1) { nodes { id disclosures(first: 0) { nodes { id } } } } }`},
	{"influencers-deep", `{ influencers(first: 5) { nodes { id disclosures(first: 3) { nodes { id influencer { id accounts { handle } currentMcn { name members(first: 2) { nodes { id influencer { displayName } } } } } } } } } }`},

	// MCNs.
	{"mcns-default", `{ mcns(first: 10) { totalCount nodes { ...M } pageInfo { ...P } } }`},
	{"mcns-members", `{ mcns(first: 5) { nodes { id members(first: 4) { totalCount nodes { ...F influencer { id accounts { handle } } } } } } }`},
	{"mcns-members-current", `{ mcns(first: 5) { nodes { id members(current: true, first: 3) { totalCount edges { cursor node { id mcn { name } } } } } } }`},
	{"mcns-filter", `{ mcns(first: 10, filter: {province: ["VN-SG"], hasActiveSanction: false}) { totalCount nodes { id province sanctions(first: 2) { totalCount } } } }`},
	{"mcns-last", `{ mcns(last: 3) { nodes { id disclosures(first: 2) { nodes { id mcn { id } } } } pageInfo { ...P } } }`},
	{"mcns-sanctions", `{ mcns(first: 20, filter: {hasActiveSanction: true}) { nodes { id sanctions(first: 3) { totalCount nodes { ...S subject { __typename ... on Mcn { id name } } } } } } }`},

	// Brands.
	{"brands-default", `{ brands(first: 10) { totalCount nodes { ...B } pageInfo { ...P } } }`},
	{"brands-nested", `{ brands(first: 6) { nodes { id disclosures(first: 3) { totalCount nodes { id influencer { displayName } brands { id } } } sanctions(first: 2) { totalCount nodes { id } } } } }`},
	{"brands-filter", `{ brands(first: 10, filter: {industry: [COSMETICS, FOOD_SUPPLEMENT]}) { totalCount nodes { id industry } } }`},
	{"brands-sanctioned", `{ brands(first: 10, filter: {hasActiveSanction: true}) { nodes { id sanctions(first: 3) { nodes { ...S agency { slug } } } } } }`},
	{"brands-last", `{ brands(last: 4) { nodes { id name } pageInfo { ...P } } }`},

	// Disclosures.
	{"disclosures-default", `{ disclosures(first: 10) { totalCount nodes { ...D } pageInfo { ...P } } }`},
	{"disclosures-all-nested", `{ disclosures(first: 20) { nodes { id influencer { ...I } account { ...A } brands { ...B } mcn { ...M } filedBy { ...G } relatedSanctions { ...S agency { slug } } } } }`},
	{"disclosures-category", `{ disclosures(first: 50, filter: {productCategory: [COSMETICS]}) { nodes { id productName publishedAt brands { name } influencer { displayName } } } }`},
	{"disclosures-created-asc", `{ disclosures(first: 10, orderBy: {field: CREATED_AT, direction: ASC}) { nodes { id createdAt account { handle } } } }`},
	{"disclosures-filters", `{ disclosures(first: 10, filter: {platform: [TIKTOK, FACEBOOK], label: [NONE, QUANG_CAO], status: [ACTIVE]}) { totalCount nodes { id platform label status mcn { name } } } }`},
	{"disclosures-by-influencer", `query($inf: ID!) { disclosures(first: 10, filter: {influencerId: [$inf]}) { totalCount nodes { id influencer { id } } } }`},
	{"disclosures-by-brand", `query($brand: ID!) { disclosures(first: 10, filter: {brandId: [$brand]}) { nodes { id brands { id } } } }`},
	{"disclosures-after", `query($discAfter: String!) { disclosures(first: 5, after: $discAfter) { nodes { id brands { name } } pageInfo { ...P } } }`},
	{"disclosures-last-before", `query($discAfter: String!) { disclosures(last: 5, before: $discAfter) { nodes { id influencer { id } } pageInfo { ...P } } }`},
	{"disclosures-published-range", `{ disclosures(first: 10, filter: {publishedFrom: "2025-01-01", publishedTo: "2026-12-31"}) { totalCount nodes { id publishedAt } } }`},

	// Sanctions.
	{"sanctions-default", `{ sanctions(first: 10) { totalCount nodes { ...S } pageInfo { ...P } } }`},
	{"sanctions-fine-desc", `{ sanctions(first: 20, orderBy: {field: FINE_VND, direction: DESC}) { nodes { id decisionNumber fineVnd status violations { category legalBasis { instrument article clause } } } } }`},
	{"sanctions-all-nested", `{ sanctions(first: 25) { nodes { id subject { __typename ... on Influencer { ...I accounts { handle } } ... on Mcn { ...M } ... on Brand { ...B } } agency { ...G } violations { category description legalBasis { instrument article clause point } } statusHistory { status effectiveOn reason documentUrl recordedAt agency { ...G } } relatedDisclosures { ...D brands { name } } } } }`},
	{"sanctions-recorded-asc", `{ sanctions(first: 10, orderBy: {field: RECORDED_AT, direction: ASC}) { nodes { id recordedAt agency { slug } } } }`},
	{"sanctions-filters", `{ sanctions(first: 10, filter: {active: true, violation: [MISLEADING_CLAIMS, UNDISCLOSED_ADVERTISING], minFineVnd: 1000000}) { totalCount nodes { id fineVnd violations { category } } } }`},
	{"sanctions-by-agency", `query($agency: ID!) { sanctions(first: 10, filter: {agencyId: [$agency], status: [IN_FORCE, COMPLIED]}) { totalCount nodes { id agency { id } } } }`},
	{"sanctions-decided-range", `{ sanctions(first: 10, filter: {decidedFrom: "2020-01-01", decidedTo: "2030-01-01"}, orderBy: {field: DECIDED_ON, direction: ASC}) { nodes { id decidedOn } pageInfo { ...P } } }`},
	{"sanctions-after", `query($sancAfter: String!) { sanctions(first: 5, after: $sancAfter) { nodes { id subject { __typename } } pageInfo { ...P } } }`},
	{"sanctions-last", `{ sanctions(last: 5) { nodes { id agency { name } } pageInfo { ...P } } }`},

	// Agencies.
	{"agencies-default", `{ agencies(first: 10) { totalCount nodes { ...G } pageInfo { ...P } } }`},
	{"agencies-nested", `{ agencies(first: 10) { nodes { id sanctions(first: 3) { totalCount nodes { id subject { __typename } violations { category } } } } } }`},
	{"agencies-last", `{ agencies(last: 2) { edges { cursor node { id sanctions(last: 2) { nodes { id } pageInfo { ...P } } } } } }`},

	// Fields the planner leaves to the loaders, beside planned ones.
	{"search-mixed", `{ search(query: "beauty", first: 10) { nodes { __typename ... on Influencer { id accounts { handle } } ... on Brand { id } } } }`},
	{"two-roots", `query($inf: ID!) { a: influencer(id: $inf) { id accounts { handle } } b: influencers(first: 3) { nodes { id accounts { handle } } } c: sanctions(first: 3) { nodes { id agency { name } } } }`},

	// The peer benchmark's shapes (scripts/bench-peers/queries.py), and more of what the
	// compiled path covers: every scalar, aliases, __typename, fragments, @skip/@include.
	{"bench-a", `query($inf: ID!) { influencer(id: $inf) { id displayName province accounts { platform handle followerCount } } }`},
	{"bench-b", `{ influencers(first: 20) { nodes { id displayName accounts { platform handle } currentMcn { name } sanctions(first: 5) { nodes { decisionNumber fineVnd agency { name } } } } } }`},
	{"bench-e", `{ influencers(first: 50) { nodes { displayName accounts { handle } sanctions(first: 5) { nodes { decisionNumber agency { name } } } disclosures(first: 5) { nodes { productName brands { name } } } } } }`},
	{"bench-f", `{ mcns(first: 10) { nodes { name members(first: 10) { nodes { kind influencer { displayName accounts { handle } } } } } } }`},
	{"bench-g", `{ disclosures(first: 30) { nodes { productName account { handle } influencer { displayName sanctions(first: 3) { nodes { fineVnd violations { category } } } } } } }`},
	{"compiled-every-scalar", `{ influencers(first: 6, filter: {hasActiveSanction: true}) { __typename totalCount nodes { __typename ...I accounts { ...A } affiliations { ...F mcn { ...M } influencer { id } } disclosures(first: 4) { totalCount nodes { ...D brands { ...B } account { id } mcn { id } filedBy { ...G } relatedSanctions { id } } } sanctions(first: 4) { totalCount nodes { ...S agency { ...G } violations { __typename category description legalBasis { __typename instrument article clause point } } relatedDisclosures { id publishedAt } } } } } }`},
	{"compiled-typename-skip-include", `query($yes: Boolean = true, $no: Boolean = false) { __typename mcns(first: 4) { __typename nodes { __typename name @include(if: $yes) website @skip(if: $yes) province @include(if: $no) members(current: false, first: 3) { __typename totalCount nodes { id current endedOn } } } } }`},
	{"compiled-aliases-merge", `{ x: disclosures(first: 6, orderBy: {field: CREATED_AT, direction: DESC}) { nodes { id a: productName a: productName influencer { id } influencer { displayName } } } y: brands(first: 3, filter: {industry: [COSMETICS]}) { totalCount nodes { name disclosures(first: 2) { nodes { id } } } } z: agencies(first: 5) { nodes { slug sanctions(first: 2) { totalCount nodes { id } } } } }`},
	{"compiled-nested-after", `query($nestedAfter: String!, $infAfter: String!) { influencers(first: 3, after: $infAfter) { totalCount nodes { id disclosures(first: 2, after: $nestedAfter) { totalCount nodes { id } } } } }`},
	{"compiled-escapes", `{ influencers(first: 5, orderBy: {field: CREATED_AT}, filter: {createdTo: "2025-03-02T00:00:00Z", createdFrom: "2025-03-01T00:00:00Z"}) { totalCount nodes { ...I accounts { ...A } } } }`},
	{"compiled-edges-pageinfo", `{ influencers(first: 5, orderBy: {field: CREATED_AT, direction: DESC}) { __typename totalCount edges { __typename cursor node { id } } pageInfo { __typename ...P } nodes { id } } }`},
	{"compiled-backward", `query($discAfter: String!, $sancAfter: String!) { disclosures(last: 4, before: $discAfter) { edges { cursor node { id publishedAt } } pageInfo { ...P } } s: sanctions(last: 3, orderBy: {field: FINE_VND}) { totalCount edges { cursor } pageInfo { ...P } } b: sanctions(before: $sancAfter) { nodes { id } } }`},
	{"compiled-backward-after", `query($sancAfter: String!) { sanctions(last: 2, after: $sancAfter) { nodes { id } pageInfo { ...P } } }`},
	{"compiled-cursor-keys", `{ a: influencers(first: 5, filter: {createdTo: "2025-03-02T00:00:00Z", createdFrom: "2025-03-01T00:00:00Z"}) { edges { cursor node { displayName } } pageInfo { ...P } } b: brands(first: 3) { edges { cursor } } c: agencies(last: 3) { edges { cursor } pageInfo { ...P } } d: sanctions(first: 3, orderBy: {field: DECIDED_ON}) { edges { cursor } } e: sanctions(first: 3, orderBy: {field: RECORDED_AT, direction: DESC}) { edges { cursor } } f: mcns(first: 2) { nodes { members(first: 2) { edges { cursor } pageInfo { ...P } } } } g: disclosures(first: 2, orderBy: {field: CREATED_AT, direction: ASC}) { edges { cursor } } }`},
	{"compiled-current-mcn", `{ influencers(first: 40) { nodes { id currentMcn { ...M members(first: 2) { totalCount } } affiliations { id current } } } }`},
	{"compiled-nested-backward", `query($brand: ID!, $mcn: ID!) { influencers(first: 5) { nodes { id disclosures(last: 2) { edges { cursor node { id } } pageInfo { ...P } } sanctions(last: 1) { totalCount nodes { id } } } } brand(id: $brand) { disclosures(last: 3) { nodes { id } pageInfo { ...P } } } mcn(id: $mcn) { members(last: 2, current: true) { edges { cursor node { id } } pageInfo { ...P } } } }`},
	{"compiled-by-id", `query($mcn: ID!, $brand: ID!, $agency: ID!, $inf: ID!) { mcn(id: $mcn) { ...M members(first: 3) { nodes { id } } } brand(id: $brand) { ...B } agency(id: $agency) { ...G } influencer(id: $inf) { ...I } }`},
}

// demoAPI serves a database holding the demo dataset (seed --demo): compiled (the default),
// planned without the compiled path, and neither (the loaders).
func demoAPIs(t *testing.T) (compiled, planned, unplanned string, store *db.DB) {
	t.Helper()
	ctx := context.Background()
	d, err := dbtest.Create(ctx, "resolvers_plan")
	if err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(d.Drop)
	store, err = db.Open(ctx, d.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := seed.Demo(ctx, store); err != nil {
		t.Fatalf("seed: %v", err)
	}
	oddRows(t, d.URL)
	serve := func(unplanned, uncompiled bool) string {
		cfg := server.DefaultConfig()
		cfg.NoResponseCache = true
		cfg.RateLimitAnon = 1 << 30
		cfg.ComplexityLimit = 1 << 30 // these queries compare JSON, some priced past the limit (docs/limits.md)
		cfg.UnplannedReads, cfg.UncompiledReads = unplanned, uncompiled
		srv := httptest.NewServer(server.New(cfg, store, nil))
		t.Cleanup(srv.Close)
		return srv.URL + "/graphql"
	}
	return serve(false, false), serve(false, true), serve(true, true), store
}

func postRaw(t *testing.T, url, query string, vars map[string]any) []byte {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	res, err := http.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// demoIDs are the corpus's variables, read from the demo data.
func demoIDs(t *testing.T, url string) map[string]any {
	t.Helper()
	var r struct {
		Data struct {
			Inf struct {
				Nodes []struct {
					ID           string
					Accounts     []struct{ ID string }
					Affiliations []struct{ ID string }
					Disclosures  struct{ Nodes []struct{ ID string } }
					Sanctions    struct{ Nodes []struct{ ID string } }
				}
			}
			Page   struct{ PageInfo struct{ EndCursor string } }
			Nested struct {
				Nodes []struct {
					Disclosures struct{ PageInfo struct{ EndCursor string } }
				}
			}
			Disc struct {
				PageInfo struct{ EndCursor string }
			}
			Sanc struct {
				PageInfo struct{ EndCursor string }
			}
			Mcns     struct{ Nodes []struct{ ID string } }
			Brands   struct{ Nodes []struct{ ID string } }
			Agencies struct{ Nodes []struct{ ID string } }
		}
	}
	b := postRaw(t, url, `{
		inf: influencers(first: 1, filter: {hasActiveSanction: true}) { nodes { id accounts { id } affiliations { id }
			disclosures(first: 1) { nodes { id } } sanctions(first: 1) { nodes { id } } } }
		page: influencers(first: 9) { pageInfo { endCursor } }
		nested: influencers(first: 1) { nodes { disclosures(first: 1) { pageInfo { endCursor } } } }
		disc: disclosures(first: 12) { pageInfo { endCursor } }
		sanc: sanctions(first: 6) { pageInfo { endCursor } }
		mcns(first: 1, filter: {hasActiveSanction: true}) { nodes { id } }
		brands(first: 1, filter: {hasActiveSanction: true}) { nodes { id } }
		agencies(first: 1) { nodes { id } } }`, nil)
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	d := r.Data
	if len(d.Inf.Nodes) == 0 || len(d.Inf.Nodes[0].Accounts) == 0 || len(d.Inf.Nodes[0].Affiliations) == 0 ||
		len(d.Inf.Nodes[0].Disclosures.Nodes) == 0 || len(d.Inf.Nodes[0].Sanctions.Nodes) == 0 ||
		len(d.Mcns.Nodes) == 0 || len(d.Brands.Nodes) == 0 || len(d.Agencies.Nodes) == 0 || len(d.Nested.Nodes) == 0 {
		t.Fatalf("the demo data lacks a row the corpus needs: %s", b)
	}
	inf := d.Inf.Nodes[0]
	return map[string]any{
		"inf": inf.ID, "account": inf.Accounts[0].ID, "affiliation": inf.Affiliations[0].ID,
		"disclosure": inf.Disclosures.Nodes[0].ID, "sanction": inf.Sanctions.Nodes[0].ID,
		"mcn": d.Mcns.Nodes[0].ID, "brand": d.Brands.Nodes[0].ID, "agency": d.Agencies.Nodes[0].ID,
		"infAfter": d.Page.PageInfo.EndCursor, "nestedAfter": d.Nested.Nodes[0].Disclosures.PageInfo.EndCursor,
		"discAfter": d.Disc.PageInfo.EndCursor, "sancAfter": d.Sanc.PageInfo.EndCursor,
	}
}

// oddText holds every character the JSON writers escape, or might: control characters,
// quotes, backslashes, HTML's <>&, line and paragraph separators, non-ASCII.
var oddText = func() string {
	var b strings.Builder
	b.WriteString("Odd \"quoted\" \\ back <b>&amp; \u2028\u2029 Tiếng Việt 🙂 ")
	for c := rune(1); c < 0x20; c++ {
		b.WriteRune(c)
	}
	return b.String() + "\x7f end"
}()

// oddRows adds an influencer named oddText, with timestamps whose fractions end in zeros, and
// an account, a disclosure and a brand of that name (demoIDs finds them as $odd).
func oddRows(t *testing.T, url string) {
	t.Helper()
	conn, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = conn.Exec(`WITH i AS (
		INSERT INTO influencer (display_name, legal_name, aliases, created_at, updated_at)
		VALUES ($1, $1, ARRAY[$1, 'x'], '2025-03-01 10:00:00.12+00', '2025-03-01 10:00:00+07') RETURNING id),
	a AS (INSERT INTO platform_account (influencer_id, platform, handle, url, created_at)
		SELECT id, 'TIKTOK', 'odd_handle', $1, '2025-03-01 10:00:00.000001+00' FROM i RETURNING id)
	SELECT 1`, oddText)
	if err != nil {
		t.Fatalf("odd rows: %v", err)
	}
}

// withFragments appends the fragments of planFragments that query spreads.
func withFragments(query string) string {
	var b strings.Builder
	b.WriteString(query)
	for _, line := range strings.Split(planFragments, "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.Contains(query, "..."+f[1]+" ") {
			b.WriteString("\n" + line)
		}
	}
	return b.String()
}

// varsOf keeps the variables a query declares.
func varsOf(query string, all map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range all {
		if strings.Contains(query, "$"+k+":") {
			out[k] = v
		}
	}
	return out
}

// TestPlannedReads_SameJSONAsLoaders: the compiled and the planned read paths answer every
// query of the corpus byte for byte as the loader path does, and the compiled path answers the
// shapes it covers (the peer benchmark's among them) with its one statement.
func TestPlannedReads_SameJSONAsLoaders(t *testing.T) {
	if len(planCorpus) < 50 {
		t.Fatalf("the corpus has %d queries; it should have at least 50", len(planCorpus))
	}
	compiled, planned, unplanned, _ := demoAPIs(t)
	ids := demoIDs(t, planned)
	nonEmpty, nCompiled := 0, 0
	var notCompiled []string
	for _, c := range planCorpus {
		t.Run(c.name, func(t *testing.T) {
			q := withFragments(c.query)
			vars := varsOf(c.query, ids)
			before := resolvers.CompiledReadCount()
			fast := postRaw(t, compiled, q, vars)
			wasCompiled := resolvers.CompiledReadCount() > before
			if wasCompiled {
				nCompiled++
			} else {
				notCompiled = append(notCompiled, c.name)
			}
			if again := postRaw(t, compiled, q, vars); !bytes.Equal(again, fast) { // the kept statement
				t.Fatalf("compiled path, asked twice, answered differently\nfirst:  %s\nsecond: %s", truncate(string(fast), 2000), truncate(string(again), 2000))
			}
			got, want := postRaw(t, planned, q, vars), postRaw(t, unplanned, q, vars)
			if !bytes.Equal(fast, want) {
				t.Fatalf("compiled (%v) and loader paths differ\ncompiled: %s\nloaders:  %s", wasCompiled, truncate(string(fast), 3000), truncate(string(want), 3000))
			}
			if mustCompile := strings.HasPrefix(c.name, "bench-") || strings.HasPrefix(c.name, "compiled-") ||
				c.name == "disclosures-category" || c.name == "sanctions-fine-desc"; mustCompile && !wasCompiled {
				t.Errorf("%s was not answered by the compiled path", c.name)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("planned and loader paths differ\nplanned: %s\nloaders: %s", truncate(string(got), 2000), truncate(string(want), 2000))
			}
			var r response
			if err := json.Unmarshal(got, &r); err != nil {
				t.Fatalf("%v: %s", err, got)
			}
			wantErr := strings.Contains(c.name, "invalid")
			if (len(r.Errors) > 0) != wantErr {
				t.Fatalf("errors %+v (expected some: %v)", r.Errors, wantErr)
			}
			if len(got) > 200 {
				nonEmpty++
			}
			if c.name == "compiled-escapes" && !bytes.Contains(got, []byte(`\u0008\t\n\u000B\u000C\r`)) {
				t.Errorf("the odd influencer is missing or written otherwise: %s", truncate(string(got), 2000))
			}
		})
	}
	// Equal answers prove little if they are empty: most of the corpus must return rows.
	if nonEmpty < len(planCorpus)*3/4 {
		t.Errorf("only %d of %d responses carry rows", nonEmpty, len(planCorpus))
	}
	t.Logf("%d of %d queries answered by the compiled path; the others: %v", nCompiled, len(planCorpus), notCompiled)
}

// TestPlannedReads_NoBatchingWindow: with a loader window far longer than any statement, a
// planned nested page still answers before a window could close, because the planner primes
// every loader first. Not a timing target: a window of a minute cannot be met by chance.
func TestPlannedReads_NoBatchingWindow(t *testing.T) {
	store := openStore(t)
	a := newAPIWait(t, store, time.Minute)
	done := make(chan response, 1)
	go func() { done <- a.do(nestedQuery, map[string]any{"n": 10}) }()
	select {
	case r := <-done:
		if len(r.Errors) > 0 {
			t.Fatalf("query failed: %+v", r.Errors)
		}
		if got := len(list(r.Data, "influencers.nodes")); got != 10 {
			t.Fatalf("got %d influencers, want 10", got)
		}
	case <-time.After(45 * time.Second):
		t.Fatal("the planned nested page waited for a loader window")
	}
}

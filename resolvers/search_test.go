package resolvers_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
)

// insert runs an INSERT … RETURNING id in the package database.
func insert(t *testing.T, store *db.DB, q string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := store.SQL().QueryRowContext(context.Background(), q+" RETURNING id", args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return id
}

func gid(typ string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf("%s:%d", typ, id)))
}

const searchQuery = `query($q: String!, $kinds: [SearchKind!], $first: Int, $after: String) {
	search(query: $q, kinds: $kinds, first: $first, after: $after) {
		totalCount
		pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
		edges {
			cursor kind matchedField matchedText score
			node {
				__typename
				... on Influencer { id displayName }
				... on PlatformAccount { id handle influencer { displayName } }
				... on Mcn { id name }
				... on Brand { id name }
			}
		}
		nodes { __typename }
	}
}`

func TestSearch_ReturnsTheMatchedEntitiesWithFieldAndScore(t *testing.T) {
	store := openStore(t)
	a := newAPI(t, store)
	kol := insert(t, store, `INSERT INTO influencer (display_name, aliases) VALUES ('Quách Tĩnh Nhi', ARRAY['Nhi Bánh Bèo'])`)
	acct := insert(t, store, `INSERT INTO platform_account (influencer_id, platform, handle, url)
		VALUES ($1, 'TIKTOK', 'quachtinhnhi', 'https://www.tiktok.com/@quachtinhnhi')`, kol)
	mcn := insert(t, store, `INSERT INTO mcn (name) VALUES ('Tĩnh Nhi Entertainment')`)
	brand := insert(t, store, `INSERT INTO brand (name) VALUES ('Bánh Bèo Cô Nhi')`)

	data := a.ok(searchQuery, map[string]any{"q": "QUACH TINH NHI"})
	s := get(data, "search")
	if got := get(s, "edges.0.node.id"); got != gid("Influencer", kol) {
		t.Fatalf("first result %v, want the influencer; %v", got, s)
	}
	for path, want := range map[string]any{
		"edges.0.kind": "INFLUENCER", "edges.0.matchedField": "DISPLAY_NAME", "edges.0.matchedText": "Quách Tĩnh Nhi",
		"edges.0.score": 1.0, "edges.0.node.__typename": "Influencer", "nodes.0.__typename": "Influencer",
		"pageInfo.hasPreviousPage": false,
	} {
		if got := get(s, path); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	// Every kind comes back as its own type, with the field that matched.
	found := map[string]string{}
	for _, e := range list(s, "edges") {
		if id, _ := get(e, "node.id").(string); id != "" {
			found[id] = get(e, "node.__typename").(string) + "/" + get(e, "matchedField").(string)
		}
	}
	if want := "PlatformAccount/HANDLE"; found[gid("PlatformAccount", acct)] != want {
		t.Errorf("the account whose handle is the name run together: %q, want %q (all: %v)", found[gid("PlatformAccount", acct)], want, found)
	}
	if total := int(get(s, "totalCount").(float64)); total < 2 || total != len(list(s, "edges")) {
		t.Errorf("totalCount %d with %d edges on one page", total, len(list(s, "edges")))
	}

	data = a.ok(searchQuery, map[string]any{"q": "https://www.tiktok.com/@QuachTinhNhi", "first": 1})
	if got := get(data, "search.edges.0.node.influencer.displayName"); got != "Quách Tĩnh Nhi" {
		t.Errorf("profile URL: first result's influencer %v, want Quách Tĩnh Nhi", got)
	}
	data = a.ok(searchQuery, map[string]any{"q": "tinh nhi entertainment", "first": 1})
	if got := get(data, "search.edges.0.node.id"); got != gid("Mcn", mcn) || get(data, "search.edges.0.node.__typename") != "Mcn" {
		t.Errorf("MCN: first result %v, want the MCN", get(data, "search.edges.0"))
	}
	data = a.ok(searchQuery, map[string]any{"q": "banh beo", "kinds": []string{"BRAND", "INFLUENCER"}})
	for _, e := range list(data, "search.edges") {
		if k := get(e, "kind"); k != "BRAND" && k != "INFLUENCER" {
			t.Errorf("kinds [BRAND, INFLUENCER] returned a %v", k)
		}
	}
	ids := []any{}
	for _, e := range list(data, "search.edges") {
		ids = append(ids, get(e, "node.id"))
	}
	if !strings.Contains(fmt.Sprint(ids), gid("Brand", brand)) || !strings.Contains(fmt.Sprint(ids), gid("Influencer", kol)) {
		t.Errorf("banh beo: %v, want the brand and the influencer's alias", ids)
	}
}

func TestSearch_PagesWithCursors(t *testing.T) {
	store := openStore(t)
	a := newAPI(t, store)
	for i := range 7 {
		insert(t, store, `INSERT INTO influencer (display_name) VALUES ($1)`, fmt.Sprintf("Khổng Minh Triết %d", i))
	}
	whole := a.ok(searchQuery, map[string]any{"q": "khong minh triet", "first": 100})
	var want []any
	for _, e := range list(whole, "search.edges") {
		want = append(want, get(e, "node.id"))
	}
	var got []any
	var after any
	for page := 0; page < 10; page++ {
		d := a.ok(searchQuery, map[string]any{"q": "khong minh triet", "first": 3, "after": after})
		for _, e := range list(d, "search.edges") {
			got = append(got, get(e, "node.id"))
		}
		if get(d, "search.pageInfo.hasNextPage") != true {
			break
		}
		after = get(d, "search.pageInfo.endCursor")
	}
	if len(want) < 7 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pages of 3 gave %v, one page gave %v", got, want)
	}
}

func TestSearch_RefusesBadInputAndAnswersEmpty(t *testing.T) {
	store := openStore(t)
	a := newAPI(t, store)
	// A light selection: every request here counts against the rate limit.
	const light = `query($q: String!, $first: Int, $after: String) { search(query: $q, first: $first, after: $after) { totalCount } }`
	for _, vars := range []map[string]any{
		{"q": ""}, {"q": " "}, {"q": "x"}, {"q": "@"}, {"q": "đ"},
		{"q": "mai vlog", "first": 0}, {"q": "mai vlog", "first": 101}, {"q": "mai vlog", "after": "not-a-cursor"},
	} {
		r := a.do(light, vars)
		if r.code() != "BAD_USER_INPUT" || r.Data != nil && get(r.Data, "search") != nil {
			t.Errorf("search %v: code %q, data %v; want BAD_USER_INPUT", vars, r.code(), r.Data)
		}
	}
	d := a.ok(searchQuery, map[string]any{"q": "xqzvkw jjqqpp"})
	if n := len(list(d, "search.edges")); n != 0 || get(d, "search.totalCount") != 0.0 || get(d, "search.pageInfo.hasNextPage") != false {
		t.Errorf("no match: %v; want an empty connection", d)
	}
	if list(d, "search.edges") == nil || list(d, "search.nodes") == nil {
		t.Errorf("no match: edges and nodes must be [], got %v", d)
	}
}

const vettingQuery = `query($id: ID!, $asOf: Date) {
	vettingReport(influencerId: $id, asOf: $asOf) {
		influencer { displayName }
		asOf riskLevel reasons
		factors { code level reason }
		activeSanctions { decisionNumber status }
		sanctions { sanction { decisionNumber } status statusSince }
		sanctionCount totalFinesVnd
		openAppeals { decisionNumber }
		disclosureCount disclosuresWithoutClearLabel promotedCategories
		currentMcn { name }
		credentials { field title }
	}
}`

func TestVettingReport_AsOfADate(t *testing.T) {
	store := openStore(t)
	a := newAPI(t, store)
	agency := insert(t, store, `INSERT INTO agency (slug, name, kind, jurisdiction) VALUES ('vetting-test', 'Cục Kiểm tra', 'INSPECTORATE', 'VN')`)
	kol := insert(t, store, `INSERT INTO influencer (display_name) VALUES ('Bạch Vân Vetting')`)
	mcn := insert(t, store, `INSERT INTO mcn (name) VALUES ('Vân Vetting MCN')`)
	insert(t, store, `INSERT INTO affiliation (influencer_id, mcn_id, kind, started_on) VALUES ($1, $2, 'EXCLUSIVE_MANAGEMENT', '2024-01-01')`, kol, mcn)
	insert(t, store, `INSERT INTO influencer_credential (influencer_id, field, title, issuer) VALUES ($1, 'FINANCE', 'CFA', 'CFA Institute')`, kol)
	sanction := func(number, decided string, fine int64, history ...string) int64 {
		id := insert(t, store, `INSERT INTO sanction (subject_kind, influencer_id, agency_id, decision_number, decided_on, fine_vnd, status)
			VALUES ('INFLUENCER', $1, $2, $3, $4, $5, $6)`, kol, agency, number, decided, fine, history[len(history)-2])
		for i := 0; i < len(history); i += 2 {
			insert(t, store, `INSERT INTO sanction_status_change (sanction_id, status, effective_on, agency_id) VALUES ($1, $2, $3, $4)`,
				id, history[i], history[i+1], agency)
		}
		return id
	}
	sanction("11/QĐ-XPHC", "2025-01-10", 60_000_000, "IN_FORCE", "2025-01-10")
	sanction("12/QĐ-XPHC", "2025-02-10", 40_000_000, "IN_FORCE", "2025-02-10", "UNDER_COMPLAINT", "2025-03-01")
	sanction("13/QĐ-XPHC", "2025-08-10", 10_000_000, "IN_FORCE", "2025-08-10")
	for i, label := range []string{"NONE", "QUANG_CAO", "QUANG_CAO", "AMBIGUOUS", "QUANG_CAO"} {
		insert(t, store, `INSERT INTO disclosure (influencer_id, product_name, product_category, platform, published_at, label,
			label_timing, compensation, filed_by) VALUES ($1, 'Viên uống', 'FOOD_SUPPLEMENT', 'TIKTOK', $2, $3, 'DURING_ONLY', 'CASH_FEE', $4)`,
			kol, time.Date(2025, 1, 1+i, 10, 0, 0, 0, db.VietnamTime), label, agency)
	}

	r := a.ok(vettingQuery, map[string]any{"id": gid("Influencer", kol), "asOf": "2025-03-15"})
	v := get(r, "vettingReport")
	for path, want := range map[string]any{
		"influencer.displayName": "Bạch Vân Vetting", "asOf": "2025-03-15", "riskLevel": "HIGH",
		// The contested decision stays enforceable (LHAV Art. 73(1)), so it counts among those in force.
		"reasons.0": "2 sanctions in force (1 contested: a complaint or lawsuit does not suspend execution)", "reasons.1": "1 complaint open",
		"reasons.2": "40% of disclosures without a clear label (2 of 5)", "reasons.3": "promotes FOOD_SUPPLEMENT with no health credential",
		"factors.0.code": "SANCTION_IN_FORCE", "factors.0.level": "HIGH", "factors.1.code": "OPEN_APPEAL", "factors.1.level": "MEDIUM",
		"sanctionCount": 2.0, "totalFinesVnd": 100_000_000.0,
		"activeSanctions.0.decisionNumber": "12/QĐ-XPHC", "activeSanctions.1.decisionNumber": "11/QĐ-XPHC",
		"openAppeals.0.decisionNumber": "12/QĐ-XPHC",
		"sanctions.0.status":           "UNDER_COMPLAINT", "sanctions.0.statusSince": "2025-03-01",
		"disclosureCount": 5.0, "disclosuresWithoutClearLabel": 2.0, "promotedCategories.0": "FOOD_SUPPLEMENT",
		"currentMcn.name": "Vân Vetting MCN", "credentials.0.field": "FINANCE",
	} {
		if got := get(v, path); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	if n := len(list(v, "sanctions")); n != 2 {
		t.Errorf("%d sanctions on 2025-03-15, want 2 (the third is decided in August)", n)
	}
	if n := len(list(v, "reasons")); n != 4 {
		t.Errorf("reasons %v, want 4", list(v, "reasons"))
	}

	// Without asOf: today, with the August sanction.
	r = a.ok(vettingQuery, map[string]any{"id": gid("Influencer", kol)})
	if get(r, "vettingReport.sanctionCount") != 3.0 || get(r, "vettingReport.reasons.0") != "3 sanctions in force (1 contested: a complaint or lawsuit does not suspend execution)" ||
		get(r, "vettingReport.asOf") != time.Now().In(db.VietnamTime).Format("2006-01-02") {
		t.Errorf("today's report: %v", get(r, "vettingReport"))
	}

	for _, c := range []struct {
		vars map[string]any
		code string
	}{
		{map[string]any{"id": gid("Influencer", kol), "asOf": time.Now().AddDate(0, 0, 3).Format("2006-01-02")}, "BAD_USER_INPUT"},
		{map[string]any{"id": "garbage"}, "BAD_USER_INPUT"},
		{map[string]any{"id": gid("Influencer", 1<<40)}, "NOT_FOUND"},
		{map[string]any{"id": gid("Mcn", mcn)}, "NOT_FOUND"},
	} {
		if r := a.do(vettingQuery, c.vars); r.code() != c.code {
			t.Errorf("vettingReport %v: code %q (%v), want %s", c.vars, r.code(), r.Errors, c.code)
		}
	}
}

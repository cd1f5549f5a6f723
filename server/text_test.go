package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/graph/model"
)

// Text Postgres cannot store (a NUL character; invalid UTF-8 where the transport lets it
// through) is BAD_USER_INPUT naming the argument, variable or parameter, on every path, and
// never INTERNAL; a refused mutation writes nothing.
func TestText_NULIsBadUserInputNamingTheField(t *testing.T) {
	s := newWriteServer(t, Config{})
	tok, err := auth.Issue(s.key.priv, auth.TokenRequest{Agency: s.agency.Slug, Scopes: auth.Scopes, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	bearer := "Bearer " + tok
	cases := []struct {
		name, query string
		vars        map[string]any
		header      []string
		field       string
	}{
		{"search, inline", `{ search(query: "Minh\u0000") { totalCount } }`, nil, nil, "search.query"},
		{"search, variable", `query($q: String!) { search(query: $q) { totalCount } }`, map[string]any{"q": "\x00"}, nil, "$q"},
		{"filter list, inline", `{ influencers(filter: {province: ["VN-SG", "VN-\u0000"]}) { totalCount } }`, nil, nil, "influencers.filter.province.1"},
		{"filter, variable", `query($f: DisclosureFilter) { disclosures(filter: $f) { totalCount } }`,
			map[string]any{"f": map[string]any{"province": []any{"a\x00b"}}}, nil, "$f.province.0"},
		{"nested field argument under an alias", `{ x: influencers(first: 1) { nodes { disclosures(after: "\u0000") { totalCount } } } }`,
			nil, nil, "x.nodes.disclosures.after"},
		{"node id", `{ node(id: "\u0000") { id } }`, nil, nil, "node.id"},
		{"inside a fragment", `query { ...F } fragment F on Query { search(query: "\u0000") { totalCount } }`, nil, nil, "search.query"},
		{"mutation input, variable", `mutation($input: RegisterInfluencerInput!) { registerInfluencer(input: $input) { influencer { id } userErrors { code } } }`,
			map[string]any{"input": map[string]any{"displayName": "Minh\x00"}}, []string{"Authorization", bearer}, "$input.displayName"},
		{"mutation input list, inline", `mutation { registerInfluencer(input: {displayName: "Minh", aliases: ["ok", "x\u0000"]}) { influencer { id } } }`,
			nil, []string{"Authorization", bearer}, "registerInfluencer.input.aliases.1"},
		{"idempotency key", `mutation($input: RegisterBrandInput!) { registerBrand(input: $input) { brand { id } } }`,
			map[string]any{"input": map[string]any{"name": "Sữa Việt", "idempotencyKey": "k\x00"}}, []string{"Authorization", bearer}, "$input.idempotencyKey"},
		{"sanction violation description", `mutation($input: RecordSanctionInput!) { recordSanction(input: $input) { sanction { id } } }`,
			map[string]any{"input": map[string]any{"subjectId": "SW5mbHVlbmNlcjox", "decisionNumber": "1/QĐ-XPHC", "decidedOn": "2025-01-01", "fineVnd": 1,
				"violations": []any{map[string]any{"category": "OTHER", "description": "\x00", "legalBasis": map[string]any{"instrument": "38/2021/NĐ-CP", "article": 1}}}}},
			[]string{"Authorization", bearer}, "$input.violations.0.description"},
	}
	before := tableCounts(t, s.store)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.query(t, c.query, c.vars, c.header...)
			if r.code() != "BAD_USER_INPUT" || r.gql.Errors[0].Extensions["field"] != c.field {
				t.Fatalf("HTTP %d %s", r.status, r.body)
			}
			if string(r.gql.Data) != "" && string(r.gql.Data) != "null" {
				t.Errorf("data %s", r.gql.Data)
			}
		})
	}
	if d := changed(before, tableCounts(t, s.store)); len(d) > 0 {
		t.Errorf("refused requests wrote rows: %v", d)
	}

	t.Run("GET /graphql with a NUL in the query parameter", func(t *testing.T) {
		r := s.get(t, url.Values{"query": {"{ search(query: \"\x00\") { totalCount } }"}})
		if r.status != http.StatusBadRequest || r.code() != "BAD_USER_INPUT" || r.gql.Errors[0].Extensions["field"] != "query" {
			t.Fatalf("HTTP %d %s", r.status, r.body)
		}
	})
	t.Run("GET /graphql with a NUL in a variable", func(t *testing.T) {
		r := s.get(t, url.Values{"query": {`query($q: String!) { search(query: $q) { totalCount } }`}, "variables": {`{"q":"\u0000"}`}})
		if r.code() != "BAD_USER_INPUT" || r.gql.Errors[0].Extensions["field"] != "$q" {
			t.Fatalf("HTTP %d %s", r.status, r.body)
		}
	})
	for _, c := range []struct{ name, rawQuery, field string }{
		{"export filter with a NUL", "province=VN-SG&province=%00", "province"},
		{"export filter with invalid UTF-8", "province=%FF%FE", "province"},
		{"export parameter name with a NUL", "a%00b=1", "a\ufffdb"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, s.URL+"/export/disclosures.csv?"+c.rawQuery, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := s.do(t, req)
			if r.status != http.StatusBadRequest || r.code() != "BAD_USER_INPUT" || r.gql.Errors[0].Extensions["field"] != c.field {
				t.Fatalf("HTTP %d %s", r.status, r.body)
			}
		})
	}
	// The messages say what is wrong without echoing the bytes.
	r := s.query(t, `{ search(query: "\u0000") { totalCount } }`, nil)
	if b, _ := json.Marshal(r.gql.Errors[0].Message); strings.Contains(string(b), `\u0000`) {
		t.Errorf("message echoes the NUL: %s", b)
	}
	s.requireHealthy(t)
}

// The backstop: text that reached Postgres unchecked and was refused there is BAD_USER_INPUT,
// not INTERNAL, and the driver's words do not reach the client.
func TestText_PostgresRefusalIsBadUserInput(t *testing.T) {
	store := openStore(t)
	s := newFaultyServer(t, func(ctx context.Context) (*model.Viewer, error) {
		var out string
		err := store.SQL().QueryRowContext(ctx, `SELECT $1::text`, "a\x00b").Scan(&out)
		if err == nil {
			t.Error("Postgres stored a NUL")
		}
		return nil, fmt.Errorf("load viewer: %w", err)
	})
	r := s.query(t, `{ viewer { anonymous } }`, nil)
	if r.code() != "BAD_USER_INPUT" || strings.Contains(strings.ToLower(r.body), "pq:") || strings.Contains(r.body, "0x00") {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
}

package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const acceptGraphQLResponse = "application/graphql-response+json"

// TestGraphQL_RefusesBadInput sends one bad request per case, checks its status and
// errors[0].extensions.code, and then that the server still answers a good query.
func TestGraphQL_RefusesBadInput(t *testing.T) {
	s := newTestServer(t, Config{})
	type sender func(t *testing.T, s *testServer) result
	postRaw := func(body string, header ...string) sender {
		return func(t *testing.T, s *testServer) result { return s.post(t, body, header...) }
	}
	query := func(q string, vars map[string]any, header ...string) sender {
		return func(t *testing.T, s *testServer) result { return s.query(t, q, vars, header...) }
	}
	get := func(params url.Values, header ...string) sender {
		return func(t *testing.T, s *testServer) result { return s.get(t, params, header...) }
	}
	const overComplex = `{ influencers(first: 100) { nodes { disclosures(first: 100) { nodes { brands { name } } } } } }`

	cases := []struct {
		name   string
		send   sender
		status int
		code   string
		// field, when set, is the expected extensions.field.
		field string
		// requestError: refused before execution, so the response has no data entry.
		requestError bool
	}{
		// Refused by the transport before GraphQL sees the request.
		{name: "malformed JSON body", send: postRaw(`{ "not a JSON`), status: 400, code: "BAD_USER_INPUT", requestError: true},
		{name: "body that is not an object", send: postRaw(`["query"]`), status: 400, code: "BAD_USER_INPUT", requestError: true},
		{name: "query that is not a string", send: postRaw(`{"query": 7}`), status: 400, code: "BAD_USER_INPUT", requestError: true},
		{name: "variables that are not an object", send: postRaw(`{"query": "{ viewer { anonymous } }", "variables": "x"}`), status: 400, code: "BAD_USER_INPUT", requestError: true},
		{name: "trailing data after the body", send: postRaw(`{"query": "{ viewer { anonymous } }"} {}`), status: 400, code: "BAD_USER_INPUT", requestError: true},
		{name: "empty body", send: postRaw(``), status: 400, code: "BAD_USER_INPUT", requestError: true},
		{name: "no query", send: postRaw(`{"qeury": "{ viewer { anonymous } }"}`), status: 400, code: "BAD_USER_INPUT", requestError: true},
		{name: "3 MB body", send: postRaw(`{"query": "{ viewer { anonymous } }", "variables": {"pad": "` + strings.Repeat("x", 3<<20) + `"}}`), status: 413, code: "BAD_USER_INPUT", requestError: true},
		{name: "invalid UTF-8 in a variable", send: postRaw("{\"query\": \"query($p: [String!]) { influencers(filter: {province: $p}) { totalCount } }\", \"variables\": {\"p\": [\"VN-\xff\"]}}"), status: 400, code: "BAD_USER_INPUT", requestError: true},
		{name: "lone surrogate escape in a variable", send: postRaw(`{"query": "query($p: [String!]) { influencers(filter: {province: $p}) { totalCount } }", "variables": {"p": ["VN-\udc00"]}}`), status: 400, code: "BAD_USER_INPUT", requestError: true},
		{name: "text/plain body", send: postRaw(`{"query": "{ viewer { anonymous } }"}`, "Content-Type", "text/plain"), status: 415, code: "BAD_USER_INPUT", requestError: true},
		{name: "GET with variables that are not JSON", send: get(url.Values{"query": {"{ viewer { anonymous } }"}, "variables": {"{nope"}}), status: 400, code: "BAD_USER_INPUT", requestError: true},

		// GraphQL request errors: 200 with application/json, 400 with graphql-response+json.
		{name: "query that fails to parse", send: query(`{ influencers(first: `, nil), status: 200, code: "BAD_USER_INPUT", requestError: true},
		{name: "query that fails to parse, graphql-response+json", send: query(`{ influencers(first: `, nil, "Accept", acceptGraphQLResponse), status: 400, code: "BAD_USER_INPUT", requestError: true},
		{name: "unknown field", send: query(`{ influencers { nodes { displayNam } } }`, nil), status: 200, code: "BAD_USER_INPUT", requestError: true},
		{name: "unknown enum value", send: query(`{ influencers(filter: {category: [NOT_A_CATEGORY]}) { totalCount } }`, nil), status: 200, code: "BAD_USER_INPUT", requestError: true},
		{name: "unknown enum value in a variable", send: query(`query($c: [ContentCategory!]) { influencers(filter: {category: $c}) { totalCount } }`, map[string]any{"c": []string{"NOT_A_CATEGORY"}}, "Accept", acceptGraphQLResponse), status: 400, code: "BAD_USER_INPUT", requestError: true},
		{name: "variable of the wrong type", send: query(`query($n: Int) { influencers(first: $n) { totalCount } }`, map[string]any{"n": "ten"}), status: 200, code: "BAD_USER_INPUT", requestError: true},
		{name: "missing required variable", send: query(`query($id: ID!) { influencer(id: $id) { id } }`, nil), status: 200, code: "BAD_USER_INPUT", requestError: true},
		{name: "unknown operation name", send: postRaw(`{"query": "query A { viewer { anonymous } }", "operationName": "B"}`), status: 200, code: "BAD_USER_INPUT", requestError: true},
		{name: "over-complex query", send: query(overComplex, nil), status: 200, code: "COMPLEXITY_LIMIT_EXCEEDED", requestError: true},
		{name: "over-complex query, graphql-response+json", send: query(overComplex, nil, "Accept", acceptGraphQLResponse), status: 400, code: "COMPLEXITY_LIMIT_EXCEEDED", requestError: true},
		// GraphQL over HTTP: a mutation over GET gets 405 (gqlgen's own GET transport says 406,
		// without extensions.code). Also when the document is invalid for another reason.
		{name: "mutation over GET", send: get(url.Values{"query": {"mutation { __typename }"}}), status: 405, code: "BAD_USER_INPUT", requestError: true},
		{name: "mutation chosen by operationName over GET", send: get(url.Values{"query": {"query Q { viewer { anonymous } } mutation M { __typename }"}, "operationName": {"M"}}), status: 405, code: "BAD_USER_INPUT", requestError: true},

		// Argument values the resolvers refuse: the request executes, the field fails.
		{name: "first: 0", send: query(`{ influencers(first: 0) { totalCount } }`, nil), status: 200, code: "BAD_USER_INPUT", field: "first"},
		{name: "first: 101", send: query(`{ influencers(first: 101) { totalCount } }`, nil), status: 200, code: "BAD_USER_INPUT", field: "first"},
		{name: "last: -1", send: query(`{ influencers(last: -1) { totalCount } }`, nil), status: 200, code: "BAD_USER_INPUT", field: "last"},
		{name: "malformed ID", send: query(`{ influencer(id: "!!!") { id } }`, nil), status: 200, code: "BAD_USER_INPUT"},
		{name: "malformed cursor", send: query(`{ influencers(after: "garbage") { totalCount } }`, nil), status: 200, code: "BAD_USER_INPUT", field: "after"},
		{name: "malformed Date argument", send: query(`{ sanctions(filter: {decidedFrom: "last tuesday"}) { totalCount } }`, nil), status: 200, code: "BAD_USER_INPUT"},
		{name: "Int64 variable out of range", send: query(`query($f: Int64) { sanctions(filter: {minFineVnd: $f}) { totalCount } }`, map[string]any{"f": 1 << 60}), status: 200, code: "BAD_USER_INPUT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.send(t, s)
			if r.status != c.status || r.code() != c.code {
				t.Errorf("got HTTP %d %s, want HTTP %d %s\n%s", r.status, r.code(), c.status, c.code, truncate(r.body))
			}
			if c.field != "" && len(r.gql.Errors) > 0 && r.gql.Errors[0].Extensions["field"] != c.field {
				t.Errorf("extensions.field = %v, want %q", r.gql.Errors[0].Extensions["field"], c.field)
			}
			if c.requestError && r.gql.Data != nil {
				t.Errorf("a request error has a data entry: %s", truncate(r.body))
			}
			for _, e := range r.gql.Errors {
				if strings.Contains(e.Message, "Did you mean") {
					t.Errorf("suggestions are off, yet: %q", e.Message)
				}
			}
			if !strings.HasPrefix(r.header.Get("Content-Type"), "application/") {
				t.Errorf("Content-Type = %q", r.header.Get("Content-Type"))
			}
			s.requireHealthy(t)
		})
	}
}

func truncate(s string) string {
	if len(s) > 500 {
		return s[:500] + "…"
	}
	return s
}

func TestGraphQL_AnswersPOSTAndGETQueries(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, accept := range []string{"", "application/json", acceptGraphQLResponse, "*/*"} {
		r := s.query(t, goodQuery, nil, "Accept", accept)
		if r.status != 200 || len(r.gql.Errors) > 0 {
			t.Errorf("POST, Accept %q: HTTP %d %s", accept, r.status, r.body)
		}
		want := "application/json"
		if accept == acceptGraphQLResponse {
			want = acceptGraphQLResponse
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, want) {
			t.Errorf("POST, Accept %q: Content-Type %q, want %s", accept, ct, want)
		}
	}
	r := s.get(t, url.Values{
		"query":     {`query($n: Int) { influencers(first: $n) { totalCount } }`},
		"variables": {`{"n": 5}`},
	})
	if r.status != 200 || len(r.gql.Errors) > 0 || !strings.Contains(string(r.gql.Data), `"totalCount":0`) {
		t.Errorf("GET: HTTP %d %s", r.status, r.body)
	}
}

func TestGraphQL_IntrospectionIsOn(t *testing.T) {
	s := newTestServer(t, Config{})
	r := s.query(t, `{ __schema { queryType { name } } }`, nil)
	if r.status != 200 || !strings.Contains(string(r.gql.Data), `"name":"Query"`) {
		t.Errorf("HTTP %d %s", r.status, r.body)
	}
}

func TestGraphQL_ComplexityLimitIsConfigurable(t *testing.T) {
	s := newTestServer(t, Config{ComplexityLimit: 10})
	r := s.query(t, `{ influencers(first: 5) { nodes { id displayName } } }`, nil)
	if r.code() != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Errorf("limit 10: HTTP %d %s", r.status, r.body)
	}
	r = s.query(t, `{ viewer { anonymous } }`, nil)
	if r.status != 200 || len(r.gql.Errors) > 0 {
		t.Errorf("cheap query under limit 10: HTTP %d %s", r.status, r.body)
	}
}

func TestGraphQL_RefusesUnsupportedMethods(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		req, _ := http.NewRequest(method, s.URL+"/graphql", strings.NewReader(`{"query":"{ viewer { anonymous } }"}`))
		req.Header.Set("Content-Type", "application/json")
		r := s.do(t, req)
		if r.status != http.StatusMethodNotAllowed || r.code() != "BAD_USER_INPUT" || r.header.Get("Allow") == "" {
			t.Errorf("%s: HTTP %d Allow %q %s", method, r.status, r.header.Get("Allow"), r.body)
		}
	}
}

// @hasScope is wired: an anonymous mutation is refused as UNAUTHENTICATED, not INTERNAL.
func TestGraphQL_AnonymousMutationIsUnauthenticated(t *testing.T) {
	s := newTestServer(t, Config{})
	r := s.query(t, `mutation { registerBrand(input: {name: "Brand X"}) { brand { id } userErrors { code } } }`, nil)
	if r.status != 200 || r.code() != "UNAUTHENTICATED" {
		t.Errorf("HTTP %d %s", r.status, r.body)
	}
	// A valid mutation sent over GET is refused before it runs.
	g := s.get(t, url.Values{"query": {`mutation { registerBrand(input: {name: "Brand X"}) { brand { id } } }`}})
	if g.status != http.StatusMethodNotAllowed || g.code() != "BAD_USER_INPUT" || g.header.Get("Allow") != "POST" {
		t.Errorf("GET: HTTP %d Allow %q %s", g.status, g.header.Get("Allow"), g.body)
	}
}

package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/mmcdole/gofeed/atom"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
)

// followServer is a write server with a bearer for every write scope.
type followServer struct {
	*writeServer
	bearer string
	dbURL  string // the private database's
}

func newFollowServer(t *testing.T) *followServer {
	t.Helper()
	return newFollowServerCfg(t, Config{})
}

// newFollowServerCfg serves a private database (the package's other tests count its rows)
// with one accredited agency. The walks read pages of 100 events many times a second, far
// past a public budget: the rate limits are lifted.
func newFollowServerCfg(t *testing.T, cfg Config) *followServer {
	t.Helper()
	d, err := dbtest.Create(context.Background(), "follow")
	if err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(d.Drop)
	store, err := db.Open(context.Background(), d.URL, "")
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	key := newEdKey(t)
	cfg.Authenticator = authenticator(t, store, key)
	cfg.RateLimitAnon, cfg.RateLimitAgency = 1<<30, 1<<30
	logs := &logBuffer{}
	srv := httptest.NewServer(New(cfg, store, slog.New(slog.NewJSONHandler(logs, nil))))
	t.Cleanup(srv.Close)
	ws := &writeServer{testServer: &testServer{Server: srv, store: store, logs: logs}, key: key,
		agency: accredit(t, store, "cuc-follow", "VN")}
	bearer := "Bearer " + signToken(t, jwt.SigningMethodEdDSA, key.priv, key.kid,
		validClaims(ws.agency.Slug, "influencers:write brands:write sanctions:write disclosures:write mcns:write"))
	return &followServer{writeServer: ws, bearer: bearer, dbURL: d.URL}
}

func (s *followServer) mutate(t *testing.T, query string, vars map[string]any, into any) {
	t.Helper()
	mustData(t, s.query(t, query, vars, "Authorization", s.bearer), into)
}

func (s *followServer) registerInfluencer(t *testing.T, name string) string {
	t.Helper()
	var d struct {
		P struct {
			Influencer struct{ ID string } `json:"influencer"`
		} `json:"registerInfluencer"`
	}
	s.mutate(t, `mutation($n: String!) { registerInfluencer(input: {displayName: $n}) { influencer { id } userErrors { message } } }`,
		map[string]any{"n": name}, &d)
	if d.P.Influencer.ID == "" {
		t.Fatalf("registerInfluencer %q wrote nothing", name)
	}
	return d.P.Influencer.ID
}

func (s *followServer) recordSanction(t *testing.T, subject string) string {
	t.Helper()
	var d struct {
		P struct {
			Sanction struct{ ID string } `json:"sanction"`
		} `json:"recordSanction"`
	}
	s.mutate(t, `mutation($in: RecordSanctionInput!) { recordSanction(input: $in) { sanction { id } userErrors { message } } }`,
		map[string]any{"in": map[string]any{
			"subjectId": subject, "decisionNumber": fmt.Sprintf("%d/QĐ-XPHC", time.Now().UnixNano()%999999+1),
			"decidedOn": "2025-03-20", "fineVnd": 70000000,
			"violations": []map[string]any{{"category": "UNDISCLOSED_ADVERTISING",
				"legalBasis": map[string]any{"instrument": "38/2021/NĐ-CP", "article": 34, "clause": 5}}},
		}}, &d)
	if d.P.Sanction.ID == "" {
		t.Fatal("recordSanction wrote nothing")
	}
	return d.P.Sanction.ID
}

type changeNode struct {
	Seq       int64           `json:"seq"`
	Action    string          `json:"action"`
	SubjectID string          `json:"subjectId"`
	URL       *string         `json:"url"`
	Diff      json.RawMessage `json:"diff"`
	Record    json.RawMessage `json:"record"`
	Hash      string          `json:"hash"`
}

const changesQuery = `query($after: Int64, $first: Int, $actions: [String!], $related: ID) {
	changes(afterSeq: $after, first: $first, actions: $actions, relatedTo: $related) {
		nodes { seq action subjectId url diff record hash }
		pageInfo { hasNextPage endCursor } } }`

// walkChanges pages the feed forward from after until a page says there is no more.
func (s *testServer) walkChanges(t *testing.T, after int64, vars map[string]any) []changeNode {
	t.Helper()
	var out []changeNode
	for range 10000 {
		v := map[string]any{"after": after, "first": 100}
		for k, x := range vars {
			v[k] = x
		}
		var d struct {
			C struct {
				Nodes    []changeNode
				PageInfo struct{ HasNextPage bool }
			} `json:"changes"`
		}
		mustData(t, s.query(t, changesQuery, v), &d)
		out = append(out, d.C.Nodes...)
		if len(d.C.Nodes) > 0 {
			after = d.C.Nodes[len(d.C.Nodes)-1].Seq
		}
		if !d.C.PageInfo.HasNextPage {
			return out
		}
	}
	t.Fatal("the feed never ended")
	return nil
}

func (s *testServer) changesNDJSON(t *testing.T, after int64) []map[string]any {
	t.Helper()
	resp, body := s.exportGet(t, "/export/changes.ndjson", url.Values{"afterSeq": {fmt.Sprint(after)}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("changes.ndjson: HTTP %d %s", resp.StatusCode, body)
	}
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func TestChanges_FeedWalkedFromZeroWhileWritingReturnsEveryEventOnceInOrder_AndNDJSONEqualsIt(t *testing.T) {
	s := newFollowServer(t)
	first := s.registerInfluencer(t, "Quỳnh Feed")

	// Writers run while a reader walks the feed from 0, page after page.
	const writers, each = 3, 15
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				select {
				case <-stop:
					return
				default:
				}
				if i%3 == 2 {
					s.recordSanction(t, first)
				} else {
					s.registerInfluencer(t, fmt.Sprintf("Feed %d-%d", w, i))
				}
			}
		}()
	}
	var seen []changeNode
	var after int64
	for deadline := time.Now().Add(60 * time.Second); ; {
		page := s.walkChanges(t, after, nil)
		seen = append(seen, page...)
		if len(page) > 0 {
			after = page[len(page)-1].Seq
		}
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Millisecond):
			if time.Now().After(deadline) {
				close(stop)
				t.Fatal("writers did not finish within 60 s")
			}
			continue
		}
		break
	}
	seen = append(seen, s.walkChanges(t, after, nil)...) // what the last writes added

	var head int64
	if err := s.store.SQL().QueryRow(`SELECT max(seq) FROM audit_event`).Scan(&head); err != nil {
		t.Fatal(err)
	}
	if len(seen) < writers*each {
		t.Fatalf("the walk returned %d events, fewer than the %d written", len(seen), writers*each)
	}
	for i, n := range seen {
		if n.Seq != int64(i)+1 {
			t.Fatalf("event %d of the walk has seq %d: want every seq once, in order, from 1", i, n.Seq)
		}
	}
	if int64(len(seen)) > head {
		t.Fatalf("walk returned %d events, the trail holds %d", len(seen), head)
	}

	// The NDJSON export from 0 holds the same events, field for field.
	lines := s.changesNDJSON(t, 0)
	if len(lines) < len(seen) {
		t.Fatalf("changes.ndjson holds %d events, the walk %d", len(lines), len(seen))
	}
	for i, n := range seen {
		l := lines[i]
		subj := l["subject"].(map[string]any)
		diff, _ := json.Marshal(l["diff"])
		record, _ := json.Marshal(l["record"])
		if fmt.Sprint(l["seq"]) != fmt.Sprint(n.Seq) || l["action"] != n.Action || subj["id"] != n.SubjectID ||
			l["hash"] != n.Hash || !jsonEqual(t, diff, n.Diff) || !jsonEqual(t, record, n.Record) {
			t.Fatalf("line %d = %v\nwant the feed's %+v", i, l, n)
		}
		if n.URL != nil && l["url"] != *n.URL {
			t.Fatalf("line %d url %v, feed %s", i, l["url"], *n.URL)
		}
	}
	// Resuming from a seq gives the rest, from the next one.
	mid := seen[len(seen)/2].Seq
	rest := s.changesNDJSON(t, mid)
	if len(rest) == 0 || fmt.Sprint(rest[0]["seq"]) != fmt.Sprint(mid+1) {
		t.Fatalf("resuming after %d starts at %v", mid, rest)
	}
	t.Logf("walked %d events while %d writers wrote; NDJSON equal", len(seen), writers)
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return string(a) == string(b)
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return string(ja) == string(jb)
}

func TestChanges_LastChangedAtMovesWithSanctionsButUpdatedAtDoesNot(t *testing.T) {
	s := newFollowServer(t)
	id := s.registerInfluencer(t, "Lan Last Changed")
	const q = `query($id: ID!) { influencer(id: $id) { updatedAt lastChangedAt lastChangeSeq } }`
	type inf struct {
		I struct {
			UpdatedAt, LastChangedAt string
			LastChangeSeq            int64
		} `json:"influencer"`
	}
	var before, after inf
	mustData(t, s.query(t, q, map[string]any{"id": id}), &before)
	sanction := s.recordSanction(t, id)
	mustData(t, s.query(t, q, map[string]any{"id": id}), &after)
	if after.I.UpdatedAt != before.I.UpdatedAt {
		t.Errorf("updatedAt moved from %s to %s: it is the influencer's own fields' time", before.I.UpdatedAt, after.I.UpdatedAt)
	}
	if !(after.I.LastChangedAt > before.I.LastChangedAt) || after.I.LastChangeSeq <= before.I.LastChangeSeq {
		t.Errorf("lastChangedAt %s → %s, seq %d → %d: want both to move with the sanction", before.I.LastChangedAt,
			after.I.LastChangedAt, before.I.LastChangeSeq, after.I.LastChangeSeq)
	}
	// relatedTo finds the influencer's own event and the sanction's.
	got := s.walkChanges(t, 0, map[string]any{"related": id})
	if len(got) != 2 || got[0].SubjectID != id || got[1].SubjectID != sanction || got[1].Seq != after.I.LastChangeSeq {
		t.Errorf("changes(relatedTo) = %+v, want the registration then the sanction", got)
	}
}

func TestChanges_RefusesBadArguments(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, c := range []struct{ args, field string }{
		{`afterSeq: -1`, "afterSeq"},
		{`first: 101`, "first"},
		{`last: 5, afterSeq: 3`, "last"},
		{`beforeSeq: 3`, "beforeSeq"},
		{`types: ["Nope"]`, "types"},
		{`types: []`, "types"},
		{`agencyId: "bad"`, "agencyId"},
		{`relatedTo: "bad"`, "relatedTo"},
		{`from: "2025-01-02T00:00:00Z", to: "2025-01-01T00:00:00Z"`, "to"},
	} {
		r := s.query(t, `{ changes(`+c.args+`) { nodes { seq } } }`, nil)
		if r.code() != "BAD_USER_INPUT" {
			t.Errorf("changes(%s): %s, want BAD_USER_INPUT", c.args, r.body)
		}
	}
	for _, p := range []string{"afterSeq=x", "afterSeq=-1", "other=1", "afterSeq=1&afterSeq=2"} {
		resp, body := s.exportGet(t, "/export/changes.ndjson?"+p, nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "BAD_USER_INPUT") {
			t.Errorf("changes.ndjson?%s: HTTP %d %s", p, resp.StatusCode, body)
		}
	}
}

func TestFeeds_AtomFeedsParseAndHoldTheLatestChanges(t *testing.T) {
	s := newFollowServer(t)
	id := s.registerInfluencer(t, "Atom Influencer")
	sanction := s.recordSanction(t, id)
	for _, c := range []struct {
		path     string
		wantLink string // an entry must link to this record's page
		status   int
	}{
		{"/feeds/sanctions.atom", "/sanctions/" + sanction, 200},
		{"/feeds/status-changes.atom", "", 200},
		{"/feeds/influencers/" + id + ".atom", "/influencers/" + id, 200},
		{"/feeds/influencers/" + sanction + ".atom", "", 404},
		{"/feeds/nothing.atom", "", 404},
	} {
		resp, body := s.exportGet(t, c.path, nil)
		if resp.StatusCode != c.status {
			t.Errorf("%s: HTTP %d, want %d: %s", c.path, resp.StatusCode, c.status, body)
			continue
		}
		if c.status != 200 {
			continue
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
			t.Errorf("%s: Content-Type %q", c.path, ct)
		}
		f, err := (&atom.Parser{}).Parse(bytes.NewReader(body))
		if err != nil {
			t.Errorf("%s does not parse as Atom: %v\n%s", c.path, err, body)
			continue
		}
		// RFC 4287 §4.1.1: a feed has an id, a title, an updated and an author (or every entry has one).
		if f.ID == "" || f.Title == "" || f.Updated == "" || f.UpdatedParsed == nil || len(f.Authors) == 0 {
			t.Errorf("%s misses a required feed element: %+v", c.path, f)
		}
		found := c.wantLink == ""
		ids := map[string]bool{}
		for _, e := range f.Entries {
			// §4.1.2: an entry has an id, a title and an updated; ids are unique in the feed.
			if e.ID == "" || e.Title == "" || e.UpdatedParsed == nil || ids[e.ID] {
				t.Errorf("%s: entry misses a required element or repeats an id: %+v", c.path, e)
			}
			ids[e.ID] = true
			for _, l := range e.Links {
				if strings.HasSuffix(l.Href, c.wantLink) && c.wantLink != "" {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("%s: no entry links to %s:\n%s", c.path, c.wantLink, body)
		}
	}
}

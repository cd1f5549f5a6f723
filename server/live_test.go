package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/golang-jwt/jwt/v5"
	"github.com/redis/go-redis/v9"

	"github.com/kolregistry/kolregistry/events"
)

// Live alerts: subscriptions over WebSocket, fanned out between replicas through Redis.

// wsMessage is a graphql-transport-ws (or graphql-ws) message.
type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsClient speaks graphql-transport-ws to /graphql; a goroutine reads every message into msgs
// and answers the server's pings.
type wsClient struct {
	conn *websocket.Conn
	msgs chan wsMessage
}

func dialLive(t *testing.T, baseURL string, header http.Header) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(baseURL, "http")+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header,
	})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	if conn.Subprotocol() != "graphql-transport-ws" {
		t.Fatalf("negotiated subprotocol %q", conn.Subprotocol())
	}
	c := &wsClient{conn: conn, msgs: make(chan wsMessage, 100)}
	go func() {
		defer close(c.msgs)
		for {
			var m wsMessage
			if err := wsjson.Read(context.Background(), conn, &m); err != nil {
				return
			}
			if m.Type == "ping" {
				_ = wsjson.Write(context.Background(), conn, wsMessage{Type: "pong"})
				continue
			}
			c.msgs <- m
		}
	}()
	c.send(t, wsMessage{Type: "connection_init", Payload: json.RawMessage(`{}`)})
	if m := c.next(t); m.Type != "connection_ack" {
		t.Fatalf("first message %+v, want connection_ack", m)
	}
	return c
}

func (c *wsClient) send(t *testing.T, m wsMessage) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := wsjson.Write(ctx, c.conn, m); err != nil {
		t.Fatalf("send %s: %v", m.Type, err)
	}
}

func (c *wsClient) subscribe(t *testing.T, id, query string) {
	t.Helper()
	p, _ := json.Marshal(map[string]any{"query": query})
	c.send(t, wsMessage{ID: id, Type: "subscribe", Payload: p})
}

// next waits for a message; the wait is generous, as the machine may be busy.
func (c *wsClient) next(t *testing.T) wsMessage {
	t.Helper()
	return c.within(t, 10*time.Second)
}

func (c *wsClient) within(t *testing.T, d time.Duration) wsMessage {
	t.Helper()
	select {
	case m, ok := <-c.msgs:
		if !ok {
			t.Fatal("the server closed the socket")
		}
		return m
	case <-time.After(d):
		t.Fatalf("no message within %s", d)
	}
	return wsMessage{}
}

// errorCode is the first error's extensions.code in a "next" payload (a GraphQL response) or
// an "error" payload (a list of errors).
func errorCode(t *testing.T, m wsMessage) string {
	t.Helper()
	var errs []struct {
		Extensions map[string]any `json:"extensions"`
	}
	switch m.Type {
	case "next":
		var r struct {
			Errors *[]struct {
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(m.Payload, &r); err != nil || r.Errors == nil {
			return ""
		}
		errs = *r.Errors
	case "error":
		if err := json.Unmarshal(m.Payload, &errs); err != nil {
			t.Fatalf("error payload: %v: %s", err, m.Payload)
		}
	}
	if len(errs) == 0 {
		return ""
	}
	c, _ := errs[0].Extensions["code"].(string)
	return c
}

// liveRedis connects to REDIS_URL or 127.0.0.1:6379; it skips when Redis does not answer,
// unless CI=true.
func liveRedis(t *testing.T) redis.UniversalClient {
	t.Helper()
	opts := &redis.Options{Addr: "127.0.0.1:6379"}
	if u := os.Getenv("REDIS_URL"); u != "" {
		var err error
		if opts, err = redis.ParseURL(u); err != nil {
			t.Fatalf("REDIS_URL: %v", err)
		}
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis at %s: %v", opts.Addr, err)
		}
		t.Skipf("redis at %s does not answer (%v); set CI=true to fail instead", opts.Addr, err)
	}
	return c
}

// replica is one API instance sharing the package's Postgres and a Redis channel with others.
func replica(t *testing.T, key edKey, channel string) (*testServer, *events.Bus) {
	t.Helper()
	bus := events.New(liveRedis(t), events.Options{Channel: channel})
	t.Cleanup(func() { bus.Close() })
	store := openStore(t)
	s := newTestServer(t, Config{Authenticator: authenticator(t, store, key), Events: bus})
	return s, bus
}

func mustData(t *testing.T, r result, into any) {
	t.Helper()
	if r.status != http.StatusOK || len(r.gql.Errors) > 0 {
		t.Fatalf("HTTP %d: %s", r.status, r.body)
	}
	if err := json.Unmarshal(r.gql.Data, into); err != nil {
		t.Fatalf("data: %v: %s", err, r.body)
	}
}

type liveSanction struct {
	ID             string `json:"id"`
	DecisionNumber string `json:"decisionNumber"`
	Status         string `json:"status"`
	Version        int    `json:"version"`
	Subject        struct {
		ID string `json:"id"`
	} `json:"subject"`
	StatusHistory []struct {
		Status string `json:"status"`
	} `json:"statusHistory"`
}

const liveSanctionFields = `id decisionNumber status version subject { ... on Influencer { id } } statusHistory { status }`

func TestLiveAlerts_ASanctionRecordedOnOneReplicaReachesSubscribersOnAnother(t *testing.T) {
	key := newEdKey(t)
	channel := "kolregistry:test:" + rand.Text() + ":events"
	a, _ := replica(t, key, channel)
	b, busB := replica(t, key, channel)
	agency := accredit(t, a.store, "cuc-live", "VN")
	bearer := "Bearer " + signToken(t, jwt.SigningMethodEdDSA, key.priv, key.kid,
		validClaims(agency.Slug, "influencers:write sanctions:write"))

	register := func(name string) string {
		var d struct {
			P struct {
				Influencer struct{ ID string } `json:"influencer"`
			} `json:"registerInfluencer"`
		}
		mustData(t, a.query(t, `mutation($n: String!) { registerInfluencer(input: {displayName: $n}) {
			influencer { id } userErrors { message } } }`, map[string]any{"n": name}, "Authorization", bearer), &d)
		if d.P.Influencer.ID == "" {
			t.Fatalf("registerInfluencer %q returned no influencer", name)
		}
		return d.P.Influencer.ID
	}
	watched, other := register("Lan Ngọc Live"), register("Hoàng Live")

	ws := dialLive(t, b.URL, nil) // anonymous, on replica B
	ws.subscribe(t, "watched", fmt.Sprintf(`subscription { sanctionRecorded(influencerIds: [%q]) { %s } }`, watched, liveSanctionFields))
	ws.subscribe(t, "other", fmt.Sprintf(`subscription { sanctionRecorded(influencerIds: [%q]) { %s } }`, other, liveSanctionFields))
	ws.subscribe(t, "status", fmt.Sprintf(`subscription { sanctionStatusChanged(influencerIds: [%q]) { %s } }`, watched, liveSanctionFields))
	// The protocol does not acknowledge a subscribe: wait until B's bus holds all three.
	for deadline := time.Now().Add(10 * time.Second); busB.Subscribers() < 3; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("replica B holds %d subscriptions, want 3", busB.Subscribers())
		}
	}

	record := func(subject string) liveSanction {
		var d struct {
			P struct {
				Sanction liveSanction `json:"sanction"`
			} `json:"recordSanction"`
		}
		mustData(t, a.query(t, `mutation($in: RecordSanctionInput!) { recordSanction(input: $in) {
			sanction { `+liveSanctionFields+` } userErrors { message } } }`, map[string]any{"in": map[string]any{
			"subjectId": subject, "decisionNumber": fmt.Sprintf("%d/QĐ-XPHC", mrand.IntN(999999)+1),
			"decidedOn": "2025-03-20", "fineVnd": 70000000,
			"violations": []map[string]any{{"category": "UNDISCLOSED_ADVERTISING",
				"legalBasis": map[string]any{"instrument": "38/2021/NĐ-CP", "article": 34, "clause": 5}}},
		}}, "Authorization", bearer), &d)
		if d.P.Sanction.ID == "" {
			t.Fatal("recordSanction returned no sanction")
		}
		return d.P.Sanction
	}

	// Recorded through A; the subscriber on B hears of it within 2 s of the commit.
	recorded := record(watched)
	committed := time.Now()
	got := map[string][]liveSanction{}
	var latency time.Duration
	for len(got["watched"]) == 0 {
		m := ws.next(t)
		if m.Type != "next" {
			t.Fatalf("unexpected %s message for %q: %s", m.Type, m.ID, m.Payload)
		}
		var p struct {
			Data struct {
				S liveSanction `json:"sanctionRecorded"`
			} `json:"data"`
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		got[m.ID] = append(got[m.ID], p.Data.S)
		latency = time.Since(committed)
	}
	t.Logf("alert reached replica B %s after recordSanction returned on replica A", latency)
	if latency > 2*time.Second {
		t.Errorf("alert took %s; want within 2 s", latency)
	}
	if s := got["watched"][0]; s.ID != recorded.ID || s.Subject.ID != watched || s.DecisionNumber != recorded.DecisionNumber ||
		s.Status != "IN_FORCE" {
		t.Errorf("subscriber got %+v, want the sanction just recorded: %+v", s, recorded)
	}

	// A sanction on the other influencer reaches only the other subscriber; since each
	// subscription keeps the order of the bus, had "other" been sent the first sanction it
	// would have arrived before this one.
	second := record(other)
	for len(got["other"]) == 0 {
		m := ws.next(t)
		if m.Type != "next" || m.ID != "other" {
			t.Fatalf("unexpected message %s for %q: %s", m.Type, m.ID, m.Payload)
		}
		var p struct {
			Data struct {
				S liveSanction `json:"sanctionRecorded"`
			} `json:"data"`
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		got["other"] = append(got["other"], p.Data.S)
	}
	if len(got["other"]) != 1 || got["other"][0].ID != second.ID || len(got["watched"]) != 1 {
		t.Errorf("filters leaked: watched got %d, other got %+v; want 1 each, other only %s", len(got["watched"]), got["other"], second.ID)
	}

	// A status change is announced with the record as it now stands: the history the first
	// event showed (one entry) must not come back from a cache.
	var d struct {
		P struct {
			Sanction liveSanction `json:"sanction"`
		} `json:"changeSanctionStatus"`
	}
	mustData(t, a.query(t, `mutation($in: ChangeSanctionStatusInput!) { changeSanctionStatus(input: $in) {
		sanction { id status } userErrors { message } } }`, map[string]any{"in": map[string]any{
		"sanctionId": recorded.ID, "status": "UNDER_COMPLAINT", "effectiveOn": "2025-04-02",
		"reason": "Khiếu nại lần đầu", "expectedVersion": recorded.Version,
	}}, "Authorization", bearer), &d)
	if d.P.Sanction.Status != "UNDER_COMPLAINT" {
		t.Fatalf("changeSanctionStatus: %+v", d.P)
	}
	m := ws.next(t)
	var p struct {
		Data struct {
			S liveSanction `json:"sanctionStatusChanged"`
		} `json:"data"`
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || m.ID != "status" {
		t.Fatalf("want the status change on %q, got %s %q: %s", "status", m.Type, m.ID, m.Payload)
	}
	if s := p.Data.S; s.ID != recorded.ID || s.Status != "UNDER_COMPLAINT" || len(s.StatusHistory) != 2 {
		t.Errorf("status change event %+v; want %s UNDER_COMPLAINT with 2 history entries", s, recorded.ID)
	}
	select {
	case m := <-ws.msgs:
		t.Errorf("unexpected message %s for %q: %s", m.Type, m.ID, m.Payload)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestLiveAlerts_RefusesBadFiltersAndTooManySubscriptions(t *testing.T) {
	t.Parallel()
	bus := events.New(nil, events.Options{}) // in-process
	t.Cleanup(func() { bus.Close() })
	s := newTestServer(t, Config{MaxSubscriptionsPerConnection: 2, Events: bus})
	ws := dialLive(t, s.URL, http.Header{"Origin": {"https://newsroom.example"}}) // any origin
	brand := "QnJhbmQ6MQ"                                                         // Brand:1

	for name, query := range map[string]string{
		"malformed":    `subscription { sanctionRecorded(influencerIds: ["nope"]) { id } }`,
		"another type": `subscription { sanctionRecorded(influencerIds: ["` + brand + `"]) { id } }`,
		"empty list":   `subscription { disclosureFiled(brandIds: []) { id } }`,
	} {
		ws.subscribe(t, name, query)
		m := ws.next(t)
		if m.ID != name || errorCode(t, m) != "BAD_USER_INPUT" {
			t.Errorf("%s: got %s %q %s; want BAD_USER_INPUT", name, m.Type, m.ID, m.Payload)
		}
		if m.Type == "next" {
			if c := ws.next(t); c.Type != "complete" || c.ID != name {
				t.Errorf("%s: after the error got %s %q; want complete", name, c.Type, c.ID)
			}
		}
	}

	ws.subscribe(t, "1", `subscription { sanctionRecorded { id } }`)
	ws.subscribe(t, "2", `subscription { disclosureFiled(brandIds: ["`+brand+`"]) { id } }`)
	// A socket runs its subscribes concurrently: wait until both hold their slot.
	for deadline := time.Now().Add(10 * time.Second); bus.Subscribers() < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the bus holds %d subscriptions, want 2", bus.Subscribers())
		}
	}
	ws.subscribe(t, "3", `subscription { sanctionStatusChanged { id } }`)
	m := ws.next(t)
	if m.ID != "3" || errorCode(t, m) != "RATE_LIMITED" {
		t.Errorf("third subscription on a connection capped at 2: got %s %q %s; want RATE_LIMITED", m.Type, m.ID, m.Payload)
	}
	if c := ws.next(t); c.Type != "complete" || c.ID != "3" {
		t.Errorf("after the refusal got %s %q; want complete", c.Type, c.ID)
	}
	// Stopping one frees its slot: the next subscribe is accepted.
	ws.send(t, wsMessage{ID: "1", Type: "complete"})
	for deadline := time.Now().Add(10 * time.Second); bus.Subscribers() > 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the bus still holds %d subscriptions after the client completed one", bus.Subscribers())
		}
	}
	ws.subscribe(t, "4", `subscription { sanctionStatusChanged { id } }`)
	for deadline := time.Now().Add(10 * time.Second); bus.Subscribers() < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("a subscribe after a slot was freed was not accepted (%d open)", bus.Subscribers())
		}
	}
}

func TestLiveAlerts_SubscriptionsAreRefusedOverHTTP(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Config{})
	r := s.query(t, `subscription { sanctionRecorded { id } }`, nil)
	if r.status != http.StatusBadRequest || r.code() != "BAD_USER_INPUT" || !strings.Contains(r.body, "WebSocket") {
		t.Errorf("subscription over POST: HTTP %d %s; want 400 BAD_USER_INPUT pointing to WebSocket", r.status, r.body)
	}
}

func TestLiveAlerts_OtherUpgradesAreOrdinaryRequests(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Config{})
	// curl --http2 over cleartext asks for h2c: the query must still be answered.
	r := s.post(t, `{"query":"{ viewer { anonymous } }"}`, "Connection", "Upgrade, HTTP2-Settings", "Upgrade", "h2c")
	if r.status != http.StatusOK || r.code() != "" || !strings.Contains(r.body, `"anonymous":true`) {
		t.Errorf("query with Upgrade: h2c: HTTP %d %s", r.status, r.body)
	}
}

// disclosureFiled filters by brand and influencer together, and an idempotent retry of the
// mutation, which writes nothing, announces nothing.
func TestLiveAlerts_DisclosureFiledByBrandAndInfluencer(t *testing.T) {
	key := newEdKey(t)
	bus := events.New(nil, events.Options{})
	t.Cleanup(func() { bus.Close() })
	store := openStore(t)
	s := newTestServer(t, Config{Authenticator: authenticator(t, store, key), Events: bus})
	agency := accredit(t, s.store, "cuc-live-d", "VN")
	bearer := "Bearer " + signToken(t, jwt.SigningMethodEdDSA, key.priv, key.kid,
		validClaims(agency.Slug, "influencers:write brands:write disclosures:write"))
	mutate := func(query string, vars map[string]any, field, record string) string {
		t.Helper()
		var d map[string]map[string]struct {
			ID string `json:"id"`
		}
		mustData(t, s.query(t, query, vars, "Authorization", bearer), &d)
		id := d[field][record].ID
		if id == "" {
			t.Fatalf("%s returned no %s", field, record)
		}
		return id
	}
	influencer := func(name string) string {
		return mutate(`mutation($n: String!) { registerInfluencer(input: {displayName: $n}) { influencer { id } } }`,
			map[string]any{"n": name}, "registerInfluencer", "influencer")
	}
	brand := func(name string) string {
		return mutate(`mutation($input: RegisterBrandInput!) { registerBrand(input: $input) { brand { id } } }`,
			brandInput(name), "registerBrand", "brand")
	}
	kol, otherKOL := influencer("Khánh Vy Live"), influencer("Quang Linh Live")
	watched, other := brand("Sữa Việt Live "+rand.Text()), brand("Mỹ phẩm Live "+rand.Text())
	file := func(inf string, brands []string, key string) string {
		return mutate(`mutation($in: FileDisclosureInput!) { fileDisclosure(input: $in) { disclosure { id } } }`,
			map[string]any{"in": map[string]any{
				"influencerId": inf, "platform": "TIKTOK", "brandIds": brands, "productName": "Sữa hạt",
				"productCategory": "FOOD", "publishedAt": "2025-05-02T10:00:00Z", "label": "QUANG_CAO",
				"labelTiming": "BEFORE_AND_DURING", "compensation": "CASH_FEE", "idempotencyKey": key,
			}}, "fileDisclosure", "disclosure")
	}

	ws := dialLive(t, s.URL, nil)
	ws.subscribe(t, "d", fmt.Sprintf(`subscription { disclosureFiled(brandIds: [%q], influencerIds: [%q]) { id brands { id } influencer { id } } }`, watched, kol))
	for deadline := time.Now().Add(10 * time.Second); bus.Subscribers() < 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the subscription was not registered")
		}
	}
	k := rand.Text()
	file(kol, []string{other}, k+"1")                  // another brand
	file(otherKOL, []string{watched}, k+"2")           // another influencer
	want := file(kol, []string{other, watched}, k+"3") // both match
	if again := file(kol, []string{other, watched}, k+"3"); again != want {
		t.Fatalf("idempotent retry returned %s, want %s", again, want)
	}
	m := ws.next(t)
	var p struct {
		Data struct {
			D struct {
				ID     string `json:"id"`
				Brands []struct {
					ID string `json:"id"`
				} `json:"brands"`
			} `json:"disclosureFiled"`
		} `json:"data"`
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || m.Type != "next" {
		t.Fatalf("got %s: %s", m.Type, m.Payload)
	}
	if p.Data.D.ID != want || len(p.Data.D.Brands) != 2 {
		t.Errorf("got %+v, want disclosure %s with its 2 brands", p.Data.D, want)
	}
	select {
	case m := <-ws.msgs:
		t.Errorf("unexpected second message (a filter leaked or the retry was announced): %s %s", m.Type, m.Payload)
	case <-time.After(300 * time.Millisecond):
	}
}

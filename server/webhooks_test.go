package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/webhook"
)

// receiver is a test's own HTTPS webhook endpoint: it checks every delivery's signature and
// records the seqs it received, in arrival order.
type receiver struct {
	*httptest.Server
	t      *testing.T
	mu     sync.Mutex
	secret string
	got    []int64
	bad    []string
	// answer decides the response to a delivery (nil: 204).
	answer func(seq int64) int
	// at is when each seq first arrived.
	at map[int64]time.Time
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, at: map[int64]time.Time{}}
	r.Server = httptest.NewTLSServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	id, ts, sig := req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp"), req.Header.Get("webhook-signature")
	var m webhook.Message
	_ = json.Unmarshal(body, &m)
	r.mu.Lock()
	secret, answer := r.secret, r.answer
	r.mu.Unlock()
	status := http.StatusNoContent
	if answer != nil {
		status = answer(m.Data.Seq)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	tsn, err := strconv.ParseInt(ts, 10, 64)
	switch {
	case err != nil || time.Since(time.Unix(tsn, 0)).Abs() > 5*time.Minute:
		r.bad = append(r.bad, "timestamp "+ts)
	case !webhook.Verify(secret, id, tsn, body, sig):
		r.bad = append(r.bad, fmt.Sprintf("bad signature on %s", id))
	case id != webhook.MessageID(m.Data.Seq) || m.Type != "registry.change":
		r.bad = append(r.bad, fmt.Sprintf("id %s for seq %d, type %q", id, m.Data.Seq, m.Type))
	case status/100 == 2:
		r.got = append(r.got, m.Data.Seq)
		if _, ok := r.at[m.Data.Seq]; !ok {
			r.at[m.Data.Seq] = time.Now()
		}
	}
	w.WriteHeader(status)
}

// firstSeen is the seqs received, each once, in the order they first arrived.
func (r *receiver) firstSeen() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int64
	seen := map[int64]bool{}
	for _, s := range r.got {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func (r *receiver) tls() *tls.Config {
	return r.Client().Transport.(*http.Transport).TLSClientConfig
}

// subscriberServer is a follow server with a registered subscriber and its token.
type subscriberServer struct {
	*followServer
	sub string // the subscriber's bearer
}

func newSubscriberServer(t *testing.T, allowPrivate bool) *subscriberServer {
	t.Helper()
	s := newFollowServerCfg(t, Config{WebhookAllowPrivate: allowPrivate})
	name := fmt.Sprintf("newsroom-%d", time.Now().UnixNano()%1e9)
	if _, err := s.store.AddSubscriber(context.Background(), name); err != nil {
		t.Fatal(err)
	}
	bearer := "Bearer " + signToken(t, jwt.SigningMethodEdDSA, s.key.priv, s.key.kid,
		validClaims("subscriber:"+name, "watchlists:write"))
	return &subscriberServer{followServer: s, sub: bearer}
}

func (s *subscriberServer) subscriberMutate(t *testing.T, query string, vars map[string]any, into any) {
	t.Helper()
	mustData(t, s.query(t, query, vars, "Authorization", s.sub), into)
}

// watch creates a watchlist of items and an endpoint at url; it returns the endpoint's ID and secret.
func (s *subscriberServer) watch(t *testing.T, items []map[string]any, url string) (string, string) {
	t.Helper()
	var w struct {
		P struct {
			Watchlist  struct{ ID string }
			UserErrors []struct{ Message string }
		} `json:"createWatchlist"`
	}
	s.subscriberMutate(t, `mutation($in: CreateWatchlistInput!) { createWatchlist(input: $in) { watchlist { id } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"name": "contracted", "items": items}}, &w)
	if w.P.Watchlist.ID == "" {
		t.Fatalf("createWatchlist: %+v", w.P.UserErrors)
	}
	var e struct {
		P struct {
			Endpoint   struct{ ID string }
			Secret     string
			UserErrors []struct{ Message string }
		} `json:"createWebhookEndpoint"`
	}
	s.subscriberMutate(t, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) {
		endpoint { id } secret userErrors { message } } }`, map[string]any{"in": map[string]any{"watchlistId": w.P.Watchlist.ID, "url": url}}, &e)
	if e.P.Endpoint.ID == "" {
		t.Fatalf("createWebhookEndpoint: %+v", e.P.UserErrors)
	}
	return e.P.Endpoint.ID, e.P.Secret
}

func (s *followServer) addAccount(t *testing.T, influencer, platform, handle string) {
	t.Helper()
	var d struct {
		P struct {
			Account    *struct{ ID string }
			UserErrors []struct{ Message string }
		} `json:"addPlatformAccount"`
	}
	s.mutate(t, `mutation($in: AddPlatformAccountInput!) { addPlatformAccount(input: $in) { account { id } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"influencerId": influencer, "platform": platform, "handle": handle}}, &d)
	if d.P.Account == nil {
		t.Fatalf("addPlatformAccount: %+v", d.P.UserErrors)
	}
}

func runWorker(t *testing.T, store *db.DB, o webhook.Options) context.CancelFunc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); webhook.New(store, o).Run(ctx) }()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, timeout time.Duration, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", timeout, what)
		}
	}
}

// expectedSeqs is what the watchlist {influencer a, handle h} must receive after seq from: every
// event about a, and every event about b from the account with the handle on.
func expectedSeqs(t *testing.T, s *testServer, from int64, a, b string, bFrom int64) []int64 {
	var out []int64
	for _, n := range s.walkChanges(t, from, map[string]any{"related": a}) {
		out = append(out, n.Seq)
	}
	if b != "" {
		for _, n := range s.walkChanges(t, bFrom-1, map[string]any{"related": b}) {
			out = append(out, n.Seq)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return slices.Compact(out)
}

func headSeq(t *testing.T, store *db.DB) int64 {
	h, err := store.AuditHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h.Seq
}

func TestWebhooks_ReceiverGetsEveryEventOfItsWatchlistInOrderSigned(t *testing.T) {
	s := newSubscriberServer(t, true)
	rcv := newReceiver(t)
	a := s.registerInfluencer(t, "Quỳnh Hook")
	b := s.registerInfluencer(t, "Not Yet Watched")
	other := s.registerInfluencer(t, "Someone Else")
	handle := fmt.Sprintf("bep.nha.%d", time.Now().UnixNano()%1e9)
	_, secret := s.watch(t, []map[string]any{{"recordId": a}, {"platform": "TIKTOK", "handle": "@" + handle}}, rcv.URL)
	rcv.mu.Lock()
	rcv.secret = secret
	rcv.mu.Unlock()
	from := headSeq(t, s.store)

	runWorker(t, s.store, webhook.Options{AllowPrivate: true, TLS: rcv.tls(), Poll: 20 * time.Millisecond, Workers: 2})
	s.recordSanction(t, a)
	s.recordSanction(t, other) // not watched
	s.addAccount(t, b, "TIKTOK", handle)
	bFrom := headSeq(t, s.store)
	s.recordSanction(t, b)
	s.recordSanction(t, a)
	s.addAccount(t, a, "YOUTUBE", handle+"-yt")

	want := expectedSeqs(t, s.testServer, from, a, b, bFrom)
	if len(want) != 5 {
		t.Fatalf("expected 5 watched events after %d, the feed says %v", from, want)
	}
	waitFor(t, 30*time.Second, "all watched events delivered", func() bool { return len(rcv.firstSeen()) >= len(want) })
	time.Sleep(200 * time.Millisecond) // anything unexpected would arrive now
	if got := rcv.firstSeen(); !slices.Equal(got, want) {
		t.Errorf("received %v, want exactly %v in order", got, want)
	}
	if len(rcv.bad) > 0 {
		t.Errorf("bad deliveries: %v", rcv.bad)
	}

	// The delivery log shows them delivered, in seq order (a receipt comes before the commit of
	// its batch: the log catches up).
	waitFor(t, 30*time.Second, "the deliveries recorded", func() bool {
		var n int
		s.store.SQL().QueryRow(`SELECT count(*) FROM webhook_delivery WHERE status <> 'DELIVERED'`).Scan(&n)
		return n == 0
	})
	var log struct {
		V struct {
			S struct {
				Endpoints []struct {
					Deliveries struct {
						Nodes []struct {
							Seq      int64
							Status   string
							Attempts int
							Event    struct{ Seq int64 }
						}
					}
				} `json:"webhookEndpoints"`
			} `json:"subscriber"`
		} `json:"viewer"`
	}
	mustData(t, s.query(t, `{ viewer { subscriber { webhookEndpoints { deliveries(first: 20) { nodes { seq status attempts event { seq } } } } } } }`,
		nil, "Authorization", s.sub), &log)
	nodes := log.V.S.Endpoints[0].Deliveries.Nodes
	if len(nodes) != len(want) {
		t.Fatalf("delivery log %+v, want %d rows", nodes, len(want))
	}
	for i, n := range nodes {
		if n.Seq != want[i] || n.Status != "DELIVERED" || n.Attempts < 1 || n.Event.Seq != n.Seq {
			t.Errorf("delivery %d: %+v, want seq %d DELIVERED", i, n, want[i])
		}
	}
}

func TestWebhooks_ReceiverDownThenBackGetsEverythingInOrder_AndReplay(t *testing.T) {
	s := newSubscriberServer(t, true)
	rcv := newReceiver(t)
	a := s.registerInfluencer(t, "Down Then Back")
	endpoint, secret := s.watch(t, []map[string]any{{"recordId": a}}, rcv.URL)
	down := true
	rcv.mu.Lock()
	rcv.secret = secret
	rcv.answer = func(int64) int {
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		if down {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}
	rcv.mu.Unlock()
	from := headSeq(t, s.store)
	runWorker(t, s.store, webhook.Options{AllowPrivate: true, TLS: rcv.tls(), Poll: 20 * time.Millisecond,
		FirstRetry: 50 * time.Millisecond, MaxRetry: 200 * time.Millisecond})
	for range 4 {
		s.recordSanction(t, a)
	}
	// While down: the first delivery is retried, the others wait behind it.
	waitFor(t, 20*time.Second, "retries of the first delivery", func() bool {
		var n int
		s.store.SQL().QueryRow(`SELECT coalesce(max(attempts), 0) FROM webhook_delivery`).Scan(&n)
		return n >= 3
	})
	rcv.mu.Lock()
	down = false
	rcv.mu.Unlock()
	want := expectedSeqs(t, s.testServer, from, a, "", 0)
	waitFor(t, 30*time.Second, "everything delivered once the receiver is back", func() bool { return len(rcv.firstSeen()) >= len(want) })
	if got := rcv.firstSeen(); !slices.Equal(got, want) {
		t.Errorf("received %v, want %v in order", got, want)
	}

	// A replay from the second event delivers it and the rest again, in order.
	before := len(rcv.got)
	var p struct {
		P struct {
			Queued     int
			UserErrors []struct{ Message string }
		} `json:"replayWebhookDeliveries"`
	}
	s.subscriberMutate(t, `mutation($in: ReplayWebhookDeliveriesInput!) { replayWebhookDeliveries(input: $in) { queued userErrors { message } } }`,
		map[string]any{"in": map[string]any{"endpointId": endpoint, "fromSeq": want[1]}}, &p)
	if p.P.Queued != len(want)-1 {
		t.Fatalf("replay queued %d (%+v), want %d", p.P.Queued, p.P.UserErrors, len(want)-1)
	}
	waitFor(t, 30*time.Second, "the replay", func() bool {
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		return len(rcv.got) >= before+len(want)-1
	})
	rcv.mu.Lock()
	replayed := append([]int64(nil), rcv.got[before:]...)
	rcv.mu.Unlock()
	if !slices.Equal(replayed, want[1:]) {
		t.Errorf("replay delivered %v, want %v", replayed, want[1:])
	}
	if len(rcv.bad) > 0 {
		t.Errorf("bad deliveries: %v", rcv.bad)
	}
}

func TestWebhooks_AWorkerKilledMidDeliveryLosesNothing(t *testing.T) {
	s := newSubscriberServer(t, true)
	rcv := newReceiver(t)
	a := s.registerInfluencer(t, "Killed Mid Delivery")
	_, secret := s.watch(t, []map[string]any{{"recordId": a}}, rcv.URL)
	from := headSeq(t, s.store)
	for range 3 {
		s.recordSanction(t, a)
	}
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	rcv.mu.Lock()
	rcv.secret = secret
	first := true
	rcv.answer = func(int64) int {
		rcv.mu.Lock()
		f := first
		first = false
		rcv.mu.Unlock()
		if f { // the first request hangs until the worker that sent it is gone
			arrived <- struct{}{}
			<-release
			return http.StatusOK
		}
		return http.StatusNoContent
	}
	rcv.mu.Unlock()

	// Worker 1 has its own connections; it dies with the first delivery in flight: its
	// transaction never commits, so the delivery is still pending.
	store1, err := db.Open(context.Background(), s.dbURL, "")
	if err != nil {
		t.Fatal(err)
	}
	stop1 := runWorker(t, store1, webhook.Options{AllowPrivate: true, TLS: rcv.tls(), Poll: 20 * time.Millisecond, Workers: 1})
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("worker 1 never delivered")
	}
	stop1()
	store1.Close()
	close(release)
	var pending int
	s.store.SQL().QueryRow(`SELECT count(*) FROM webhook_delivery WHERE status = 'PENDING'`).Scan(&pending)
	if pending != 3 {
		t.Fatalf("%d deliveries pending after the kill, want all 3", pending)
	}

	runWorker(t, s.store, webhook.Options{AllowPrivate: true, TLS: rcv.tls(), Poll: 20 * time.Millisecond})
	want := expectedSeqs(t, s.testServer, from, a, "", 0)
	waitFor(t, 30*time.Second, "everything delivered by worker 2", func() bool { return len(rcv.firstSeen()) >= len(want) })
	if got := rcv.firstSeen(); !slices.Equal(got, want) {
		t.Errorf("received %v, want %v", got, want)
	}
}

func TestWebhooks_PrivateAddressesAreRefused(t *testing.T) {
	s := newSubscriberServer(t, false)
	a := s.registerInfluencer(t, "Private Address")
	for _, u := range []string{"https://127.0.0.1:8443/hook", "https://[::1]/hook", "https://10.0.0.7/hook", "https://169.254.169.254/latest",
		"https://localhost/hook", "http://example.com/hook", "https://user:pw@example.com/hook", "ftp://example.com"} {
		var w struct {
			P struct{ Watchlist struct{ ID string } } `json:"createWatchlist"`
		}
		s.subscriberMutate(t, `mutation($in: CreateWatchlistInput!) { createWatchlist(input: $in) { watchlist { id } } }`,
			map[string]any{"in": map[string]any{"name": "w " + u, "items": []map[string]any{{"recordId": a}}}}, &w)
		var e struct {
			P struct {
				Endpoint   *struct{ ID string }
				UserErrors []struct {
					Field []string
					Code  string
				}
			} `json:"createWebhookEndpoint"`
		}
		s.subscriberMutate(t, `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { endpoint { id } userErrors { field code } } }`,
			map[string]any{"in": map[string]any{"watchlistId": w.P.Watchlist.ID, "url": u}}, &e)
		if e.P.Endpoint != nil || len(e.P.UserErrors) != 1 || e.P.UserErrors[0].Code != "INVALID" {
			t.Errorf("endpoint %s: %+v, want refused INVALID", u, e.P)
		}
	}
	// The dialer checks the address again at delivery: an endpoint that resolves to loopback
	// by then (here written straight into the table) is never called.
	rcv := newReceiver(t)
	var called atomic.Bool
	rcv.answer = func(int64) int { called.Store(true); return 204 }
	var wl int64
	s.store.SQL().QueryRow(`SELECT id FROM watchlist ORDER BY id LIMIT 1`).Scan(&wl)
	if _, err := s.store.SQL().Exec(`INSERT INTO webhook_endpoint (subscriber_id, watchlist_id, url, secret)
		SELECT subscriber_id, id, $2, $3 FROM watchlist WHERE id = $1`, wl, rcv.URL, webhook.NewSecret()); err != nil {
		t.Fatal(err)
	}
	s.recordSanction(t, a)
	runWorker(t, s.store, webhook.Options{TLS: rcv.tls(), Poll: 20 * time.Millisecond, FirstRetry: time.Hour})
	waitFor(t, 20*time.Second, "a failed attempt", func() bool {
		var n int
		s.store.SQL().QueryRow(`SELECT count(*) FROM webhook_delivery WHERE attempts > 0 AND last_error LIKE '%not public%'`).Scan(&n)
		return n > 0
	})
	if called.Load() {
		t.Error("the worker called a loopback endpoint")
	}
	// An agency's token cannot manage watchlists; anonymous callers neither.
	r := s.query(t, `mutation { createWatchlist(input: {name: "x"}) { watchlist { id } } }`, nil, "Authorization", s.bearer)
	if r.code() != "FORBIDDEN" {
		t.Errorf("agency token: %s", r.body)
	}
}

// Delivery latency (commit → receipt) and one endpoint's backlog throughput, on loopback. The
// test checks that everything arrives in order; the numbers are logged, not asserted (run with
// -v -run TestWebhooks_LatencyAndThroughput; docs/webhooks.md has the figures).
func TestWebhooks_LatencyAndThroughput(t *testing.T) {
	s := newSubscriberServer(t, true)
	rcv := newReceiver(t)
	a := s.registerInfluencer(t, "Latency")
	_, secret := s.watch(t, []map[string]any{{"recordId": a}}, rcv.URL)
	rcv.mu.Lock()
	rcv.secret = secret
	rcv.mu.Unlock()
	const live, backlog = 30, 150
	poll := 50 * time.Millisecond
	stop := runWorker(t, s.store, webhook.Options{AllowPrivate: true, TLS: rcv.tls(), Poll: poll})
	committed := map[int64]time.Time{}
	for range live {
		s.recordSanction(t, a)
		committed[headSeq(t, s.store)] = time.Now()
		time.Sleep(20 * time.Millisecond)
	}
	waitFor(t, 60*time.Second, "live deliveries", func() bool { return len(rcv.firstSeen()) >= live })
	var lat []time.Duration
	rcv.mu.Lock()
	for seq, at := range committed {
		lat = append(lat, rcv.at[seq].Sub(at))
	}
	rcv.mu.Unlock()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	stop()

	// A backlog: written while no worker runs, then drained by one.
	for range backlog {
		s.recordSanction(t, a)
	}
	start := time.Now()
	runWorker(t, s.store, webhook.Options{AllowPrivate: true, TLS: rcv.tls(), Poll: poll})
	waitFor(t, 120*time.Second, "the backlog", func() bool { return len(rcv.firstSeen()) >= live+backlog })
	took := time.Since(start)
	got := rcv.firstSeen()
	if !slices.IsSorted(got) || len(got) != live+backlog {
		t.Fatalf("deliveries out of order or missing: %v", got)
	}
	t.Logf("latency commit→receipt over %d events (poll %s): p50 %s, p99 %s, max %s; backlog of %d to one endpoint drained in %s (%.0f deliveries/s)",
		live, poll, lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*99/100].Round(time.Millisecond),
		lat[len(lat)-1].Round(time.Millisecond), backlog, took.Round(time.Millisecond), float64(backlog)/took.Seconds())
}

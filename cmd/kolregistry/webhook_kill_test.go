package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
	"github.com/kolregistry/kolregistry/webhook"
)

// slowReceiver is the test's own HTTPS endpoint for two webhook endpoints (/a and /b): it
// takes a while over every delivery, checks its signature and records, per path, the seqs it
// acknowledged in arrival order and the ones in flight.
type slowReceiver struct {
	*httptest.Server
	delay   time.Duration
	mu      sync.Mutex
	secrets map[string]string
	got     map[string][]int64
	flying  map[string]int64 // path → seq of the delivery being answered
	bad     []string
}

func (r *slowReceiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var m webhook.Message
	_ = json.Unmarshal(body, &m)
	path := req.URL.Path
	id, ts := req.Header.Get("webhook-id"), req.Header.Get("webhook-timestamp")
	tsn, _ := strconv.ParseInt(ts, 10, 64)
	r.mu.Lock()
	ok := webhook.Verify(r.secrets[path], id, tsn, body, req.Header.Get("webhook-signature")) && id == webhook.MessageID(m.Data.Seq)
	if !ok {
		r.bad = append(r.bad, fmt.Sprintf("%s: bad signature or id on %s", path, id))
	}
	r.flying[path] = m.Data.Seq
	r.mu.Unlock()
	time.Sleep(r.delay) // a slow receiver: the delivery is in flight meanwhile
	r.mu.Lock()
	delete(r.flying, path)
	if ok {
		r.got[path] = append(r.got[path], m.Data.Seq)
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// firstSeen is path's seqs, each once, in the order they were first acknowledged.
func (r *slowReceiver) firstSeen(path string) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int64
	for _, s := range r.got[path] {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func (r *slowReceiver) times(path string, seq int64) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.got[path] {
		if s == seq {
			n++
		}
	}
	return n
}

// SIGKILL to a real `kolregistry serve` while its webhook workers have deliveries in flight to
// a slow receiver: the killed deliveries' transactions never commit, so a new server delivers
// them again, and each endpoint gets every event of its watchlist at least once, in seq order,
// with no gap.
func TestServe_SIGKILLMidWebhookDeliveryLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a server")
	}
	ctx := context.Background()
	d, err := dbtest.Create(ctx, "cmd_webhook_kill")
	if err != nil {
		if dbtest.Required() {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	t.Cleanup(d.Drop)
	store, err := db.Open(ctx, d.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	var agencyID int64
	if err := store.SQL().QueryRow(`INSERT INTO agency (slug, name, kind, jurisdiction)
		VALUES ('kill-test', 'Cục Thử', 'BROADCASTING_AUTHORITY', 'VN') RETURNING id`).Scan(&agencyID); err != nil {
		t.Fatal(err)
	}
	agencies, err := store.AgenciesByIDs(ctx, []int64{agencyID})
	if err != nil {
		t.Fatal(err)
	}
	agency := agencies[agencyID]
	register := func(name string) int64 {
		res, err := store.RegisterInfluencer(ctx, agency, nil, db.NewInfluencer{DisplayName: name})
		if err != nil {
			t.Fatal(err)
		}
		return res.SubjectID
	}
	n := 0
	sanction := func(influencer int64) {
		n++
		if _, err := store.RecordSanction(ctx, agency, nil, db.NewSanction{
			SubjectKind: "INFLUENCER", SubjectID: influencer, DecisionNumber: fmt.Sprintf("%d/QĐ-XPHC", 100+n),
			DecidedOn:  time.Date(2025, 5, 20, 0, 0, 0, 0, time.UTC),
			Violations: []db.NewViolation{{Category: "MISLEADING_CLAIMS", Instrument: "38/2021/NĐ-CP", Article: 34}},
			FineVnd:    1_000_000, Remedies: []string{"CORRECT_INFORMATION"},
		}); err != nil {
			t.Fatal(err)
		}
	}
	inf := map[string]int64{"/a": register("Bị Theo Dõi A"), "/b": register("Bị Theo Dõi B")}
	other := register("Không Ai Theo Dõi")

	rcv := &slowReceiver{delay: 120 * time.Millisecond, secrets: map[string]string{},
		got: map[string][]int64{}, flying: map[string]int64{}}
	rcv.Server = httptest.NewTLSServer(http.HandlerFunc(rcv.serve))
	defer rcv.Close()
	// The server trusts the receiver's certificate through SSL_CERT_FILE, as an operator's
	// would trust a private CA.
	certFile := filepath.Join(t.TempDir(), "receiver.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rcv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}

	sub, err := store.AddSubscriber(ctx, "kill-test")
	if err != nil {
		t.Fatal(err)
	}
	var from int64
	if err := store.SQL().QueryRow(`SELECT coalesce(max(seq), 0) FROM audit_event`).Scan(&from); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/a", "/b"} {
		w, _, err := store.CreateWatchlist(ctx, sub.ID, nil, "watch "+path, []db.WatchItem{{RefType: "Influencer", RefID: inf[path]}})
		if err != nil {
			t.Fatal(err)
		}
		secret := webhook.NewSecret()
		rcv.secrets[path] = secret
		if _, _, err := store.CreateEndpoint(ctx, sub.ID, nil, w.ID, rcv.URL+path, secret); err != nil {
			t.Fatal(err)
		}
	}
	const before = 12
	for range before {
		sanction(inf["/a"])
		sanction(inf["/b"])
		sanction(other)
	}

	env := []string{"DATABASE_URL=" + d.URL, "WEBHOOK_ALLOW_PRIVATE=1", "SSL_CERT_FILE=" + certFile, "REDIS_URL="}
	srv := serve(t, env...)
	// Kill it once both endpoints have some acknowledged and a delivery in flight.
	var killedIn map[string]int64
	waitUntil(t, 60*time.Second, "deliveries in flight on both endpoints", func() bool {
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		if len(rcv.got["/a"]) >= 3 && len(rcv.got["/b"]) >= 3 && len(rcv.flying) == 2 {
			killedIn = map[string]int64{"/a": rcv.flying["/a"], "/b": rcv.flying["/b"]}
			if err := srv.cmd.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			return true
		}
		return false
	})
	<-srv.exited
	t.Logf("SIGKILLed with seq %d (/a) and %d (/b) in flight; acknowledged so far: /a %v, /b %v",
		killedIn["/a"], killedIn["/b"], rcv.firstSeen("/a"), rcv.firstSeen("/b"))

	// Events written while no server runs are delivered too.
	for range 3 {
		sanction(inf["/a"])
		sanction(inf["/b"])
	}
	serve(t, env...)

	for path, id := range inf {
		var want []int64
		rows, err := store.SQL().Query(`SELECT DISTINCT seq FROM audit_event_ref WHERE ref_type = 'Influencer' AND ref_id = $1 AND seq > $2 ORDER BY seq`, id, from)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s int64
			rows.Scan(&s)
			want = append(want, s)
		}
		rows.Close()
		if len(want) < before+3 {
			t.Fatalf("%s: only %d events about its influencer: %v", path, len(want), want)
		}
		waitUntil(t, 90*time.Second, path+": every event delivered", func() bool { return len(rcv.firstSeen(path)) >= len(want) })
		if got := rcv.firstSeen(path); !slices.Equal(got, want) {
			t.Errorf("%s received %v, want every event of its watchlist once in seq order: %v", path, got, want)
		}
		// The delivery cut by the kill was made again: at least once, not at most once.
		if c := rcv.times(path, killedIn[path]); c < 2 {
			t.Errorf("%s: the delivery in flight at the kill (seq %d) arrived %d time(s), want it delivered again", path, killedIn[path], c)
		}
	}
	// The receipt comes before the commit of its batch: the log catches up.
	waitUntil(t, 30*time.Second, "every delivery recorded DELIVERED", func() bool {
		var undelivered int
		store.SQL().QueryRow(`SELECT count(*) FROM webhook_delivery WHERE status <> 'DELIVERED'`).Scan(&undelivered)
		return undelivered == 0
	})
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.bad) > 0 {
		t.Errorf("bad deliveries: %s", strings.Join(rcv.bad, "; "))
	}
}

func waitUntil(t *testing.T, timeout time.Duration, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: not yet %s", timeout, what)
		}
	}
}

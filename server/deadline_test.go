package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
	"github.com/kolregistry/kolregistry/db/seed"
)

var demo struct {
	once sync.Once
	url  string
	err  error
	drop func()
}

// demoStore opens a database of its own holding the demo dataset (seed --demo), made once per
// test binary and dropped when the package's tests end (TestMain).
func demoStore(t testing.TB) *db.DB {
	t.Helper()
	demo.once.Do(func() {
		d, err := dbtest.Create(context.Background(), "server_demo")
		if err != nil {
			demo.err = err
			return
		}
		demo.url, demo.drop = d.URL, d.Drop
		store, err := db.Open(context.Background(), d.URL, "")
		if err != nil {
			demo.err = err
			return
		}
		defer store.Close()
		_, demo.err = seed.Demo(context.Background(), store)
	})
	if demo.err != nil {
		t.Fatalf("demo database: %v", demo.err)
	}
	store, err := db.Open(context.Background(), demo.url, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// accountCycle is issue 8's first hostile query, accounts { influencer { accounts … } } n deep,
// from a page of 100 influencers: within the depth limit for n ≤ 5, priced far above the
// cost limit, which the tests that run it lift.
func accountCycle(n int) string {
	inner := "accounts { handle }"
	for range n - 1 {
		inner = "accounts { handle influencer { displayName " + inner + " } }"
	}
	page := "influencers(first: 100) { nodes { " + inner + " } }"
	return "{ a: " + page + " b: " + page + " c: " + page + " }"
}

// cpuTime is the CPU this process has used (user + system).
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// quietWithin polls until the process is idle (under 20 % of one core over 200 ms) and its
// heap is back within 32 MiB of base, and fails if that takes longer than limit.
func quietWithin(t *testing.T, limit time.Duration, base uint64) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		c0, t0 := cpuTime(t), time.Now()
		time.Sleep(200 * time.Millisecond)
		busy := float64(cpuTime(t)-c0) / float64(time.Since(t0))
		heap := heapInUse()
		if busy < 0.2 && heap < base+32<<20 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("still working %v after the request ended: %.0f %% CPU, heap %d MiB (was %d MiB)",
				limit, busy*100, heap>>20, base>>20)
		}
	}
}

func postQuery(ctx context.Context, url, query string) (*http.Response, error) {
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return http.DefaultClient.Do(req)
}

// An operation priced far past any limit (the limit is lifted here) runs until REQUEST_TIMEOUT
// and then stops: no resolver starts after the deadline, the answer comes at once, and the
// process is idle with its memory back within a second.
func TestDeadline_StopsTheWorkAndReleasesMemory(t *testing.T) {
	store := demoStore(t)
	const timeout = 300 * time.Millisecond
	srv := httptest.NewServer(New(Config{ComplexityLimit: 1 << 30, RequestTimeout: timeout,
		RateLimitAnon: 1 << 30, NoResponseCache: true}, store, nil))
	defer srv.Close()
	base := heapInUse()
	start := time.Now()
	resp, err := postQuery(context.Background(), srv.URL, accountCycle(5))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if took > timeout+time.Second {
		t.Errorf("answered after %v; the deadline was %v", took, timeout)
	}
	if !strings.Contains(string(b), "timed out") {
		t.Errorf("HTTP %d %s: want the timeout error", resp.StatusCode, truncate(string(b)))
	}
	quietWithin(t, time.Second, base)
}

// A client that hangs up cancels its request: the server stops working on it within a second.
func TestDeadline_ClientDisconnectCancelsTheWork(t *testing.T) {
	store := demoStore(t)
	logs := &logBuffer{}
	srv := httptest.NewServer(New(Config{ComplexityLimit: 1 << 30, RateLimitAnon: 1 << 30, NoResponseCache: true},
		store, slog.New(slog.NewJSONHandler(logs, nil))))
	defer srv.Close()
	base := heapInUse()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if _, err := postQuery(ctx, srv.URL, accountCycle(5)); err == nil {
		t.Fatal("the request finished before the client hung up: make the query heavier")
	}
	hungUp := time.Now()
	for !strings.Contains(logs.String(), `"msg":"http request"`) {
		if time.Since(hungUp) > time.Second {
			t.Fatalf("the handler was still running a second after the client hung up (%d goroutines)", runtime.NumGoroutine())
		}
		time.Sleep(10 * time.Millisecond)
	}
	quietWithin(t, time.Second, base)
}

// A response above MAX_RESPONSE_BYTES is never built: one RESPONSE_TOO_LARGE error, no data.
func TestDeadline_ResponseSizeCap(t *testing.T) {
	store := demoStore(t)
	// That page is about 28 KB; its estimate must pass 16 KiB and stay under 64 KiB.
	srv := httptest.NewServer(New(Config{MaxResponseBytes: 16 << 10, RateLimitAnon: 1 << 30, NoResponseCache: true}, store, nil))
	defer srv.Close()
	const bigPage = `{ disclosures(first: 100) { nodes { id productName contentUrl brands { name } influencer { displayName aliases } } } }`
	resp, err := postQuery(context.Background(), srv.URL, bigPage)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var r gqlResponse
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%v: %s", err, truncate(string(b)))
	}
	if len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "RESPONSE_TOO_LARGE" || r.Data != nil {
		t.Errorf("HTTP %d %s: want one RESPONSE_TOO_LARGE and no data", resp.StatusCode, truncate(string(b)))
	}
	if len(b) > 4096 {
		t.Errorf("the refusal is %d bytes", len(b))
	}
	// The same query under a cap above its size is answered: the estimate is close.
	srv2 := httptest.NewServer(New(Config{MaxResponseBytes: 64 << 10, RateLimitAnon: 1 << 30, NoResponseCache: true}, store, nil))
	defer srv2.Close()
	resp, err = postQuery(context.Background(), srv2.URL, bigPage)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(b), "RESPONSE_TOO_LARGE") || !strings.Contains(string(b), "productName") {
		t.Errorf("a small response was refused: %s", truncate(string(b)))
	}
}

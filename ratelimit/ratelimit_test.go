package ratelimit

import (
	"context"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestLocalGCRA_SpendsAndRefills(t *testing.T) {
	g := newLocalGCRA()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if r := g.allow("k", 60, 50, now); !r.Allowed || r.Remaining != 10 {
		t.Fatalf("first: %+v", r)
	}
	r := g.allow("k", 60, 20, now)
	if r.Allowed || r.RetryAfter != 10*time.Second || r.Remaining != 10 {
		t.Fatalf("over budget: %+v", r)
	}
	if r := g.allow("other", 60, 60, now); !r.Allowed {
		t.Fatalf("another key: %+v", r)
	}
	if r := g.allow("k", 60, 20, now.Add(10*time.Second)); !r.Allowed || r.Remaining != 0 {
		t.Fatalf("after refill: %+v", r)
	}
}

func TestLimiter_TooCostlyNeverPasses(t *testing.T) {
	l := New(nil, Config{AnonPerMinute: 10})
	if r := l.Allow(context.Background(), "k", 10, 11); r.Allowed || !r.TooCostly {
		t.Fatalf("%+v", r)
	}
}

func TestClientIP_BelievesOnlyTrustedProxies(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	l := New(nil, Config{TrustedProxies: trusted})
	cases := []struct{ peer, xff, want string }{
		{"203.0.113.9:5000", "1.2.3.4", "203.0.113.9"},              // untrusted peer: header ignored
		{"10.1.2.3:5000", "1.2.3.4", "1.2.3.4"},                     // trusted proxy
		{"10.1.2.3:5000", "6.6.6.6, 1.2.3.4, 192.0.2.1", "1.2.3.4"}, // spoofed left part skipped
		{"192.0.2.1:80", "10.0.0.5", "10.0.0.5"},                    // all trusted: the left-most hop
		{"10.1.2.3:5000", "not-an-ip", "10.1.2.3"},
		{"[::ffff:10.1.2.3]:5000", "2001:db8::1", "2001:db8::1"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		r.Header.Set("X-Forwarded-For", c.xff)
		if got := l.ClientIP(r); got != netip.MustParseAddr(c.want) {
			t.Errorf("peer %s XFF %q: got %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8,nope"); err == nil {
		t.Error("bad TRUSTED_PROXIES accepted")
	}
}

// A budget above what the in-process limiter can count (a point worth less than a nanosecond of
// the minute) is cut to MaxPerMinute instead of dividing by zero.
func TestLimiter_HugeBudgetIsCut(t *testing.T) {
	l := New(nil, Config{})
	r := l.Allow(context.Background(), "k", 100_000_000_000, 5000)
	if !r.Allowed || r.Limit != MaxPerMinute {
		t.Fatalf("%+v", r)
	}
}

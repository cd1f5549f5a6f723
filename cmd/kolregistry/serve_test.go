package main

import (
	"math"
	"runtime/debug"
	"testing"
)

func TestResponseCacheOff(t *testing.T) {
	for _, c := range []struct {
		env     string
		off, ok bool
	}{{"", false, true}, {"on", false, true}, {"off", true, true}, {"OFF", false, false}, {"0", false, false}} {
		t.Setenv("RESPONSE_CACHE", c.env)
		off, err := responseCacheOff()
		if off != c.off || (err == nil) != c.ok {
			t.Errorf("RESPONSE_CACHE=%q: off %v, err %v; want off %v, ok %v", c.env, off, err, c.off, c.ok)
		}
	}
}

// tuneGC sets the server's collector defaults, and leaves GOGC and GOMEMLIMIT of the
// environment alone.
func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	tuneGC()
	if got := debug.SetGCPercent(100); got != serveGCPercent {
		t.Errorf("GOGC unset: GC percent %d, want %d", got, serveGCPercent)
	}
	if got := debug.SetMemoryLimit(math.MaxInt64); got != serveMemoryLimit {
		t.Errorf("GOMEMLIMIT unset: memory limit %d, want %d", got, serveMemoryLimit)
	}
	t.Setenv("GOGC", "100")
	t.Setenv("GOMEMLIMIT", "1GiB")
	tuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC=100: GC percent %d, want 100 (left alone)", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT set: memory limit %d, want it left alone", got)
	}
}

package main

import "testing"

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

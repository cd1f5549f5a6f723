// Package testwait is for tests that wait for something to happen: they poll a condition
// until a deadline instead of sleeping for a guessed time, so a fast machine does not wait
// and a loaded one does not fail.
package testwait

import (
	"testing"
	"time"
)

// Interval is how often Until checks its condition.
const Interval = 10 * time.Millisecond

// Until polls cond every Interval until it holds, and fails t (naming what it waited for)
// when it still does not hold after timeout. cond runs once at least, on the caller's goroutine.
func Until(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", timeout, what)
		}
		time.Sleep(Interval)
	}
}

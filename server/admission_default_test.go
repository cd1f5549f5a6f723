package server

import "testing"

// ADMISSION_READ's default follows the machine: 2 plain reads at once per CPU, within 4–12,
// and 36 admitted or queued in all.
func TestAdmission_DefaultReadLimitFollowsCPUs(t *testing.T) {
	for _, c := range []struct{ cpus, concurrent, queue int }{
		{1, 4, 32}, {2, 4, 32}, {3, 6, 30}, {4, 8, 28}, {6, 12, 24}, {16, 12, 24},
	} {
		if got := defaultReadLimit(c.cpus); got.Concurrent != c.concurrent || got.Queue != c.queue {
			t.Errorf("%d CPUs: %d at once, %d queued; want %d, %d", c.cpus, got.Concurrent, got.Queue, c.concurrent, c.queue)
		}
	}
}

package server

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/cache"
)

// While a query runs, identical requests of its epoch join it; a request of a later epoch (a
// write in between) starts a second execution at once; with two running, requests of later
// epochs all join one next execution, started when the oldest ends and stored under the
// latest epoch read: three executions, however many writes and requests.
func TestCoalescer_LaterEpochsShareTheNextExecution(t *testing.T) {
	ctx := context.Background()
	responses := cache.NewResponses(nil, cache.ResponseOptions{}) // in process: the epoch is a counter
	c := newCoalescer()
	started := make(chan string, 10)
	release := make(chan struct{})
	run := func(l cache.Lookup) outcome {
		started <- l.Epoch()
		<-release
		return outcome{body: []byte(l.Epoch())}
	}
	get := func() cache.Lookup {
		l, ok := responses.Get(ctx, "key")
		if !ok || l.Hit() {
			t.Fatal("want a miss")
		}
		return l
	}
	// waitShared waits until the executions running are shared by running[i] requests each
	// and the next one by next (-1: none).
	waitShared := func(next int, running ...int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			c.mu.Lock()
			kf := c.keys["key"]
			ok := kf != nil && len(kf.running) == len(running) && (next < 0 && kf.next == nil || kf.next != nil && kf.next.shared == next)
			for i := range running {
				ok = ok && kf.running[i].shared == running[i]
			}
			c.mu.Unlock()
			if ok {
				return
			}
		}
		t.Fatalf("the requests did not join (want %v on the running executions, %d on the next)", running, next)
	}

	type answer struct {
		body   string
		joined bool
	}
	answers := make(chan answer, 10)
	var wg sync.WaitGroup
	ask := func(l cache.Lookup) {
		wg.Go(func() {
			out, joined := c.do("key", l, run)
			answers <- answer{string(out.body), joined}
		})
	}
	first := get()
	ask(first)
	if e := <-started; e != first.Epoch() {
		t.Fatalf("the first execution runs with epoch %s, want %s", e, first.Epoch())
	}
	ask(get()) // same epoch: joins the running one
	waitShared(-1, 1)
	responses.Invalidate(ctx)
	second := get()
	ask(second) // a later epoch: starts a second execution at once
	if e := <-started; e != second.Epoch() {
		t.Fatalf("the second execution runs with epoch %s, want %s", e, second.Epoch())
	}
	waitShared(-1, 1, 0)
	responses.Invalidate(ctx)
	ask(get()) // two run: starts the next execution
	waitShared(0, 1, 0)
	for i := range 2 {
		responses.Invalidate(ctx)
		ask(get()) // join the next execution
		waitShared(i+1, 1, 0)
	}
	latest := get().Epoch()
	close(release)
	if e := <-started; e != latest {
		t.Errorf("the next execution stores under epoch %s, want the latest read, %s", e, latest)
	}
	wg.Wait()
	close(answers)
	select {
	case e := <-started:
		t.Errorf("a third execution ran (epoch %s)", e)
	default:
	}
	counts := map[string]int{}
	joined := 0
	for a := range answers {
		counts[a.body]++
		if a.joined {
			joined++
		}
	}
	if counts[first.Epoch()] != 2 || counts[second.Epoch()] != 1 || counts[latest] != 3 || joined != 3 {
		t.Errorf("answers by epoch %v, %d joined; want 2 of epoch %s, 1 of %s, 3 of %s, 3 joined", counts, joined,
			first.Epoch(), second.Epoch(), latest)
	}
	if len(c.keys) != 0 {
		t.Errorf("%d keys left behind", len(c.keys))
	}
}

package server

import (
	"slices"
	"sync"

	"github.com/kolregistry/kolregistry/cache"
)

// coalescer runs identical anonymous queries that miss the response cache at most
// maxRunningPerKey times at once per replica (docs/operations.md, "Coalescing"). A request
// joins:
//
//   - a running execution of its key that read the same cache epoch (no write in between: its
//     answer is what this request would compute);
//   - else, while fewer than maxRunningPerKey run, none: it starts its own at once;
//   - else the next execution of its key, which starts when the oldest running one ends. The
//     next execution starts after every request that joined it arrived, so its snapshot holds
//     every write those requests may have heard of: its answer is right for all of them,
//     whatever epoch each read. It runs (with read replicas: is routed) and stores its response
//     under the freshest epoch its joiners read (fresher; read before it started, so a write
//     committed while it runs makes the entry stale at once).
//
// Under a steady stream of writes each one replaces the epoch; without the last rule every
// write would start one more execution of every popular query while the previous ones still
// run, and a slow query would be running many times at once.
type coalescer struct {
	mu   sync.Mutex
	keys map[string]*keyFlights
	// refreshing are the keys whose stale answer this replica is recomputing (stale.go), and
	// whether it was served stale again meanwhile (wanted: the refresh goes on).
	refreshing map[string]*bool
}

// maxRunningPerKey bounds the executions of one query at once: two let a request of a new
// epoch start at once while the previous epoch's execution finishes (one execution's latency,
// not two), and no more.
const maxRunningPerKey = 2

// keyFlights are one key's running executions (oldest first) and the next one (or nil).
type keyFlights struct {
	running []*flight
	next    *flight
}

// flight is one execution and the requests waiting for it.
type flight struct {
	done   chan struct{}
	out    outcome
	lookup cache.Lookup // the cache lookup it stores under
	shared int          // requests besides the one that executes it
}

func newCoalescer() *coalescer {
	return &coalescer{keys: map[string]*keyFlights{}, refreshing: map[string]*bool{}}
}

// startRefresh claims the refresh of key for the caller, unless one is claimed already (it
// then notes that key was wanted meanwhile) or an execution of key is running here (it stores
// a fresher answer soon): the caller then refreshes nothing. A claim ends with endRefresh.
func (c *coalescer) startRefresh(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if wanted := c.refreshing[key]; wanted != nil {
		*wanted = true
		return false
	}
	if c.keys[key] != nil {
		return false
	}
	c.refreshing[key] = new(bool)
	return true
}

// wantedAgain reports whether key was served stale since the claim or the last call, and
// resets it.
func (c *coalescer) wantedAgain(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	wanted := c.refreshing[key]
	if wanted == nil || !*wanted {
		return false
	}
	*wanted = false
	return true
}

func (c *coalescer) endRefresh(key string) {
	c.mu.Lock()
	delete(c.refreshing, key)
	c.mu.Unlock()
}

// do returns the outcome of one execution of key shared with identical requests, calling
// run(lookup) when this request is the one to execute it; joined reports that another request
// executed it. lookup is this request's cache lookup (a miss).
func (c *coalescer) do(key string, lookup cache.Lookup, run func(cache.Lookup) outcome) (out outcome, joined bool) {
	c.mu.Lock()
	kf := c.keys[key]
	if kf == nil {
		kf = &keyFlights{}
		c.keys[key] = kf
	}
	for _, f := range kf.running {
		if f.lookup.Epoch() == lookup.Epoch() {
			f.shared++
			c.mu.Unlock()
			<-f.done
			return f.out, true
		}
	}
	if kf.next != nil {
		f := kf.next
		f.shared++
		f.lookup = fresher(f.lookup, lookup)
		c.mu.Unlock()
		<-f.done
		return f.out, true
	}
	f := &flight{done: make(chan struct{}), lookup: lookup}
	if len(kf.running) < maxRunningPerKey {
		kf.running = append(kf.running, f)
		c.mu.Unlock()
		c.execute(key, kf, f, run)
		return f.out, false
	}
	// As many run as may: this request starts the next execution when the oldest ends.
	kf.next = f
	oldest := kf.running[0]
	c.mu.Unlock()
	<-oldest.done
	c.mu.Lock()
	kf.next = nil
	kf.running = append(kf.running, f)
	c.mu.Unlock()
	c.execute(key, kf, f, run)
	return f.out, false
}

// fresher is the lookup a next execution runs and stores under, of two of its joiners': the
// one whose epoch accounts for more writes (with read replicas, routing by it reads on a server
// that has replayed every write either joiner may have heard of; an epoch of unknown LSN reads
// on the primary), else the later one.
func fresher(earlier, later cache.Lookup) cache.Lookup {
	e, eKnown := earlier.LSN()
	l, lKnown := later.LSN()
	if eKnown && lKnown && e > l || !eKnown && lKnown {
		return earlier
	}
	return later
}

// execute runs f and hands it over: joiners from its start on join it by epoch or the next.
func (c *coalescer) execute(key string, kf *keyFlights, f *flight, run func(cache.Lookup) outcome) {
	defer func() {
		c.mu.Lock()
		kf.running = slices.DeleteFunc(kf.running, func(g *flight) bool { return g == f })
		if len(kf.running) == 0 && kf.next == nil && c.keys[key] == kf {
			delete(c.keys, key)
		}
		c.mu.Unlock()
		close(f.done)
	}()
	c.mu.Lock()
	lookup := f.lookup // fixed from here: f is no longer the next execution
	c.mu.Unlock()
	f.out = run(lookup)
}

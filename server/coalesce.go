package server

import (
	"sync"

	"github.com/kolregistry/kolregistry/cache"
)

// coalescer runs identical anonymous queries that miss the response cache at most once at a
// time per replica (docs/operations.md, "Coalescing"). A request joins:
//
//   - the running execution of its key, when that one read the same cache epoch (no write in
//     between: its answer is what this request would compute);
//   - else the next execution of its key, which starts when the running one ends. The next
//     execution starts after every request that joined it arrived, so its snapshot holds every
//     write those requests may have heard of: its answer is right for all of them, whatever
//     epoch each read. It runs (with read replicas: is routed) and stores its response under
//     the freshest epoch its joiners read (fresher; read before it started, so a write
//     committed while it runs makes the entry stale at once).
//
// Under a steady stream of writes each one replaces the epoch; without the second rule every
// write would start one more execution of every popular query while the previous ones still
// run, and a slow query would be running many times at once.
type coalescer struct {
	mu   sync.Mutex
	keys map[string]*keyFlights
}

// keyFlights are one key's running execution and the next one, either may be nil.
type keyFlights struct{ running, next *flight }

// flight is one execution and the requests waiting for it.
type flight struct {
	done   chan struct{}
	out    outcome
	lookup cache.Lookup // the cache lookup it stores under: the latest joiner's
	shared int          // requests besides the one that executes it
}

func newCoalescer() *coalescer { return &coalescer{keys: map[string]*keyFlights{}} }

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
	switch {
	case kf.running != nil && kf.running.lookup.Epoch() == lookup.Epoch():
		f := kf.running
		f.shared++
		c.mu.Unlock()
		<-f.done
		return f.out, true
	case kf.next != nil:
		f := kf.next
		f.shared++
		f.lookup = fresher(f.lookup, lookup)
		c.mu.Unlock()
		<-f.done
		return f.out, true
	case kf.running == nil:
		f := &flight{done: make(chan struct{}), lookup: lookup}
		kf.running = f
		c.mu.Unlock()
		c.execute(key, kf, f, run)
		return f.out, false
	}
	// Another epoch is running: this request starts the next execution when it ends.
	f := &flight{done: make(chan struct{}), lookup: lookup}
	kf.next = f
	prev := kf.running
	c.mu.Unlock()
	<-prev.done
	c.mu.Lock()
	kf.next, kf.running = nil, f
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

// execute runs f and hands it over: the next execution, if any, starts now.
func (c *coalescer) execute(key string, kf *keyFlights, f *flight, run func(cache.Lookup) outcome) {
	defer func() {
		c.mu.Lock()
		if kf.running == f {
			kf.running = nil
		}
		if kf.running == nil && kf.next == nil && c.keys[key] == kf {
			delete(c.keys, key)
		}
		c.mu.Unlock()
		close(f.done)
	}()
	c.mu.Lock()
	lookup := f.lookup // fixed from here: joiners from now on join the next execution or this one with its epoch
	c.mu.Unlock()
	f.out = run(lookup)
}

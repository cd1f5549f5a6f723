package db

import (
	"container/list"
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"

	"github.com/lib/pq"
)

// Prepared reads (docs/performance.md): a read statement whose text repeats is run as a
// prepared statement, so that Postgres parses and plans it once per connection instead of once
// per request. For the compiled JSON reads planning took 2–4 times as long as running (query A:
// ~0.8 ms to plan, ~0.25 ms to run). A text is prepared the second time it is seen (a one-off
// costs no extra round trip); at most PreparedReads texts are kept, the least recently used
// closed first. Statements of transactions are not prepared.

// PreparedReads is how many read statements a store keeps prepared (per pool they run on).
const PreparedReads = 128

type stmtKey struct {
	pool *sql.DB
	text string
}

type stmtEntry struct {
	key  stmtKey
	stmt *sql.Stmt // nil until the text is seen a second time
	elem *list.Element
}

// stmtCache is a store's prepared reads; shared by its copies (Fresh).
type stmtCache struct {
	mu      sync.Mutex
	max     int
	entries map[stmtKey]*stmtEntry
	lru     list.List // front: most recently used
	closed  bool
}

func newStmtCache(max int) *stmtCache {
	return &stmtCache{max: max, entries: map[stmtKey]*stmtEntry{}}
}

// stmt returns the prepared statement of text on pool, preparing it when text was seen before;
// nil when it is the first sighting or preparing failed (the caller then runs text as is).
func (c *stmtCache) stmt(ctx context.Context, pool *sql.DB, text string) *sql.Stmt {
	if c == nil {
		return nil
	}
	k := stmtKey{pool, text}
	c.mu.Lock()
	e, ok := c.entries[k]
	if !ok {
		c.add(&stmtEntry{key: k})
		c.mu.Unlock()
		return nil
	}
	c.lru.MoveToFront(e.elem)
	if s := e.stmt; s != nil {
		c.mu.Unlock()
		return s
	}
	c.mu.Unlock()
	s, err := pool.PrepareContext(ctx, text)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	cur, ok := c.entries[k]
	switch {
	case ok && cur.stmt == nil && !c.closed:
		cur.stmt = s
		return s
	case ok && cur.stmt != nil: // another request prepared it meanwhile
		go s.Close()
		return cur.stmt
	}
	go s.Close() // evicted meanwhile, or the store is closing
	return nil
}

// add inserts e, evicting the least recently used entries beyond max. c.mu is held.
func (c *stmtCache) add(e *stmtEntry) {
	e.elem = c.lru.PushFront(e)
	c.entries[e.key] = e
	for c.lru.Len() > c.max {
		old := c.lru.Back().Value.(*stmtEntry)
		c.lru.Remove(old.elem)
		delete(c.entries, old.key)
		if old.stmt != nil {
			// Close waits for the queries running on it; a request that took it just before
			// sees "statement is closed" and runs its text unprepared (closedStmt).
			go old.stmt.Close()
		}
	}
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for _, e := range c.entries {
		if e.stmt != nil {
			e.stmt.Close()
		}
	}
	c.entries = map[stmtKey]*stmtEntry{}
	c.lru.Init()
}

// unprepared reports whether a prepared read failed only for being prepared, and is to be run
// again as text: its statement was closed under the request (database/sql does not export that
// error), or a migration changed what its cached plan returns (the entry is then dropped).
func (c *stmtCache) unprepared(err error, pool *sql.DB, text string) bool {
	if c == nil || err == nil {
		return false
	}
	if strings.Contains(err.Error(), "sql: statement is closed") {
		return true
	}
	var pe *pq.Error
	if !errors.As(err, &pe) || pe.Code != "0A000" || !strings.Contains(pe.Message, "cached plan") {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[stmtKey{pool, text}]; ok {
		c.lru.Remove(e.elem)
		delete(c.entries, e.key)
		if e.stmt != nil {
			go e.stmt.Close()
		}
	}
	return true
}

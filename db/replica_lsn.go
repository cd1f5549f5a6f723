package db

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
)

// LSN is a position in PostgreSQL's write-ahead log (pg_lsn), as a number: a replica that has
// replayed up to an LSN shows every transaction whose commit record ends at or before it.
type LSN uint64

// ParseLSN reads the text form Postgres prints ("16/B374D848").
func ParseLSN(s string) (LSN, error) {
	hi, lo, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, fmt.Errorf("LSN %q: want hi/lo in hex", s)
	}
	h, err := strconv.ParseUint(hi, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("LSN %q: %w", s, err)
	}
	l, err := strconv.ParseUint(lo, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("LSN %q: %w", s, err)
	}
	return LSN(h<<32 | l), nil
}

// String is the text form Postgres prints.
func (l LSN) String() string { return fmt.Sprintf("%X/%X", uint64(l)>>32, uint64(l)&0xFFFFFFFF) }

// scanLSN reads one pg_lsn column (as text); NULL is 0.
func scanLSN(row interface{ Scan(...any) error }) (LSN, error) {
	var s sql.NullString
	if err := row.Scan(&s); err != nil || !s.Valid {
		return 0, err
	}
	return ParseLSN(s.String)
}

// writeLSNQuery reads the WAL insert position. Read after a commit, on any session, it is at
// or past the end of that commit's record: a replica that has replayed up to it shows the
// commit. (Read inside the transaction it would be before the commit record, which is not
// written yet; pg_current_wal_lsn, the write position, can be behind a commit made with
// synchronous_commit = off.)
//
// The insert position that sits just past a WAL page header (24 bytes, or 40 at the start of a
// segment, e.g. after a WAL switch) is given as the page's start: no record occupies a header,
// and a replica that has replayed everything before it reports the page's start as its replay
// position, so the raw value would keep an idle replica "behind" until the next WAL record.
const writeLSNQuery = `SELECT (CASE
	WHEN o.file_offset = 40 THEN l - 40
	WHEN o.file_offset % current_setting('wal_block_size')::int = 24 THEN l - 24
	ELSE l END)::text
FROM pg_current_wal_insert_lsn() l, pg_walfile_name_offset(l) o`

// CurrentLSN is the primary's WAL insert position now: at or past every commit that has
// returned, so a read that must see all of them needs a replica replayed this far.
func (d *DB) CurrentLSN(ctx context.Context) (LSN, error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.StatementTimeout)
	defer cancel()
	return scanLSN(d.primary.QueryRowContext(ctx, writeLSNQuery))
}

// WriteTracker collects the commit LSNs of the writes of one request (TrackWrites).
type WriteTracker struct {
	lsn  atomic.Uint64
	lost atomic.Bool
}

// LSN is the highest commit LSN of the request's writes, 0 when nothing was committed.
func (w *WriteTracker) LSN() LSN { return LSN(w.lsn.Load()) }

// Lost reports that a write committed whose LSN could not be read (Postgres went away).
func (w *WriteTracker) Lost() bool { return w.lost.Load() }

func (w *WriteTracker) note(l LSN) { raiseTo(&w.lsn, l) }

type trackerKey struct{}

// TrackWrites returns ctx with a tracker that every transaction committed under it (Transact,
// Write) raises to its commit LSN: the server hands it to the cache epoch and to the client.
func TrackWrites(ctx context.Context) (context.Context, *WriteTracker) {
	w := &WriteTracker{}
	return context.WithValue(ctx, trackerKey{}, w), w
}

// raiseTo sets a to l when l is higher.
func raiseTo(a *atomic.Uint64, l LSN) {
	for {
		cur := a.Load()
		if uint64(l) <= cur || a.CompareAndSwap(cur, uint64(l)) {
			return
		}
	}
}

// WrittenLSN is the highest commit LSN of the writes this process has made (0 before the
// first): a cache epoch that claims less has missed one of them.
func (d *DB) WrittenLSN() LSN { return LSN(d.written.Load()) }

// noteCommit records a commit's LSN for the process and for the request's tracker.
func (d *DB) noteCommit(ctx context.Context, l LSN) {
	if d.written != nil { // nil on the bare store Migrate opens
		raiseTo(d.written, l)
	}
	if w, ok := ctx.Value(trackerKey{}).(*WriteTracker); ok {
		w.note(l)
	}
}

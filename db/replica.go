package db

import (
	"context"
	"database/sql"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// Read replicas without stale reads (docs/operations.md, "Read replicas").
//
// Every write records the LSN it committed at (Transact: the WAL insert position read right
// after the commit). The server carries the latest write's LSN in the cache epoch (shared by
// every API replica through Redis) and each client's own last write in a token, and asks
// RouteReads where a request's reads go: to the replica only when its replay position is at
// or past the LSN the request must see, and it lags no more than DATABASE_READ_MAX_LAG; else
// to the primary. The replay position is polled every ReplicaPollInterval in the background,
// never per request: it only grows, so a position read a moment ago is a safe lower bound.

// Defaults of the replica watch.
const (
	DefaultReadMaxLag   = 5 * time.Second
	ReplicaPollInterval = 100 * time.Millisecond
)

// MaxLSN is the Through of reads on the primary: complete for every write that has returned.
const MaxLSN = LSN(math.MaxUint64)

// Reasons of a Route, as the routing metric labels them.
const (
	RouteCaughtUp    = "caught_up"    // replica: replayed past what the read must see
	RouteBehind      = "behind"       // primary: the replica has not replayed that far yet
	RouteLagging     = "lagging"      // primary: the replica lags more than DATABASE_READ_MAX_LAG
	RouteUnknownLSN  = "unknown_lsn"  // primary: what the read must see is not known (Redis unavailable)
	RouteReplicaDown = "replica_down" // primary: the replica's last poll failed or it is not in recovery
	RouteNoReplica   = "no_replica"   // primary: no DATABASE_READ_URL
)

// Route is where the reads of one request go, and why.
type Route struct {
	Replica bool
	Reason  string
	// Through is the LSN the reads are complete through: the replica's replay position when
	// they go to the replica, MaxLSN on the primary.
	Through LSN
}

// Target is "replica" or "primary", for metrics.
func (r Route) Target() string {
	if r.Replica {
		return "replica"
	}
	return "primary"
}

// ReplicaStatus is what the last poll of the replica found.
type ReplicaStatus struct {
	// Up: the last poll of both servers answered and the replica is in recovery.
	Up bool
	// Replay is the replica's replay position (pg_last_wal_replay_lsn), Primary the primary's
	// write position (pg_current_wal_lsn) polled just before it.
	Replay, Primary LSN
	// LagBytes is Primary - Replay; Lag how long ago the primary was where the replica is now
	// (0 when the replica has replayed everything the primary had written at the last poll).
	LagBytes int64
	Lag      time.Duration
	Polled   time.Time
}

type routeKey struct{}

// RouteReads decides where the reads made under the returned context go: to the replica when
// it has replayed at least need and lags no more than the read's maximum lag, else to the
// primary. known is false when the caller cannot tell what the read must see (the cache epoch
// is unavailable): such a read goes to the primary. Without a replica it returns ctx as is.
func (d *DB) RouteReads(ctx context.Context, need LSN, known bool) (context.Context, Route) {
	r := d.route(need, known)
	if d.replica == nil {
		return ctx, r
	}
	return context.WithValue(ctx, routeKey{}, r.Replica), r
}

func (d *DB) route(need LSN, known bool) Route {
	primary := func(reason string) Route { return Route{Reason: reason, Through: MaxLSN} }
	if d.replica == nil {
		return primary(RouteNoReplica)
	}
	st := d.replica.Status()
	switch {
	case !known:
		return primary(RouteUnknownLSN)
	case !st.Up:
		return primary(RouteReplicaDown)
	case st.Lag > d.cfg.ReadMaxLag:
		return primary(RouteLagging)
	case st.Replay < need:
		return primary(RouteBehind)
	}
	return Route{Replica: true, Reason: RouteCaughtUp, Through: st.Replay}
}

// HasReplica reports whether the store has a read replica (DATABASE_READ_URL).
func (d *DB) HasReplica() bool { return d.replica != nil }

// ReplicaStatus is the replica's last polled state; the zero value without a replica.
func (d *DB) ReplicaStatus() ReplicaStatus {
	if d.replica == nil {
		return ReplicaStatus{}
	}
	return d.replica.Status()
}

// reader is the pool the reads of ctx use: the replica when RouteReads sent them there, else
// the primary's read pool. A context never routed reads from the primary.
func (d *DB) reader(ctx context.Context) *sql.DB {
	if d.replica != nil {
		if toReplica, _ := ctx.Value(routeKey{}).(bool); toReplica {
			return d.replica.pool
		}
	}
	return d.read
}

// replicaWatch polls the replica's replay position and the primary's write position.
type replicaWatch struct {
	pool, primary *sql.DB
	interval      time.Duration
	window        time.Duration // how far back samples of the primary go, for Lag
	status        atomic.Pointer[ReplicaStatus]
	samples       []lsnSample // the primary's positions, oldest first (poller goroutine only)
	stop          chan struct{}
	done          sync.WaitGroup
}

type lsnSample struct {
	at  time.Time
	lsn LSN
}

func newReplicaWatch(pool, primary *sql.DB, maxLag, interval time.Duration) *replicaWatch {
	w := &replicaWatch{pool: pool, primary: primary, interval: interval,
		window: max(2*maxLag, 10*time.Second), stop: make(chan struct{})}
	w.status.Store(&ReplicaStatus{})
	return w
}

// start polls once now, then every interval until close.
func (w *replicaWatch) start() {
	w.poll()
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		t := time.NewTicker(w.interval)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				w.poll()
			}
		}
	}()
}

func (w *replicaWatch) close() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
		w.done.Wait()
	}
}

// Status is the last poll's result.
func (w *replicaWatch) Status() ReplicaStatus { return *w.status.Load() }

func (w *replicaWatch) poll() {
	ctx, cancel := context.WithTimeout(context.Background(), max(10*w.interval, time.Second))
	defer cancel()
	now := time.Now()
	down := func() { w.status.Store(&ReplicaStatus{Polled: now}) }
	primary, err := scanLSN(w.primary.QueryRowContext(ctx, `SELECT pg_current_wal_lsn()::text`))
	if err != nil {
		down()
		return
	}
	var inRecovery bool
	var replayText sql.NullString
	err = w.pool.QueryRowContext(ctx, `SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text`).Scan(&inRecovery, &replayText)
	if err != nil || !inRecovery || !replayText.Valid {
		down() // unreachable, or a server that is not a streaming replica
		return
	}
	replay, err := ParseLSN(replayText.String)
	if err != nil {
		down()
		return
	}
	w.samples = append(w.samples, lsnSample{now, primary})
	for len(w.samples) > 1 && now.Sub(w.samples[0].at) > w.window {
		w.samples = w.samples[1:]
	}
	st := ReplicaStatus{Up: true, Replay: replay, Primary: primary, Polled: now}
	if primary > replay {
		st.LagBytes = int64(primary - replay)
	}
	// Lag: since the first sample of the primary the replica has not reached yet.
	for _, s := range w.samples {
		if s.lsn > replay {
			st.Lag = now.Sub(s.at)
			break
		}
	}
	w.status.Store(&st)
}

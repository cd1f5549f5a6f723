package server

import (
	"context"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/kolregistry/kolregistry/cache"
	"github.com/kolregistry/kolregistry/db"
)

// Read routing (docs/operations.md, "Read replicas"): a query's reads go to the streaming
// replica only when it has replayed what the query must see, else to the primary (db.RouteReads).
// What it must see is the latest write the cache epoch accounts for (shared by every API
// replica through Redis), and the client's own last write, which a mutation's response hands
// back in the X-Registry-LSN header and the kolregistry_lsn cookie, for read-your-writes even
// when the epoch lost that write (a Redis failover).

const (
	lsnHeader = "X-Registry-LSN"
	lsnCookie = "kolregistry_lsn"
	// lsnCookieMaxAge: long enough for any replica to catch up or be bypassed.
	lsnCookieMaxAge = 300
)

// readRouting routes the reads of queries and counts the decisions.
type readRouting struct {
	store  *db.DB
	routes *prometheus.CounterVec
}

func newReadRouting(store *db.DB) *readRouting {
	return &readRouting{store: store, routes: prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: "kolregistry", Subsystem: "db", Name: "read_routes_total",
		Help: "GraphQL queries by where their reads went (target: replica, primary) and why " +
			"(caught_up, behind, lagging, unknown_lsn, replica_down).",
	}, []string{"target", "reason"})}
}

// active reports whether there is a replica to route to.
func (rr *readRouting) active() bool { return rr != nil && rr.store != nil && rr.store.HasReplica() }

// collectors are the routing and replica metrics; none without a replica.
func (rr *readRouting) collectors() []prometheus.Collector {
	if !rr.active() {
		return nil
	}
	gauge := func(name, help string, v func(db.ReplicaStatus) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "kolregistry", Subsystem: "db", Name: name, Help: help},
			func() float64 { return v(rr.store.ReplicaStatus()) })
	}
	return []prometheus.Collector{rr.routes,
		gauge("replica_up", "1 while the read replica answers the 100 ms poll and is in recovery.",
			func(s db.ReplicaStatus) float64 { return b2f(s.Up) }),
		gauge("replica_lag_seconds", "How long ago the primary was at the position the replica has replayed (0: caught up).",
			func(s db.ReplicaStatus) float64 { return s.Lag.Seconds() }),
		gauge("replica_lag_bytes", "WAL bytes the replica has yet to replay (primary write position minus replay position).",
			func(s db.ReplicaStatus) float64 { return float64(s.LagBytes) }),
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// clientLSN is the client's own last write (X-Registry-LSN, else the cookie), 0 without one.
// A token past the primary's last polled position is cut to it: it cannot name a real write
// older than the poll, and must not let a client turn every read of its into a primary read
// (or a cache bypass) by sending a huge one.
func (rr *readRouting) clientLSN(r *http.Request) db.LSN {
	if !rr.active() {
		return 0
	}
	l := requestLSN(r)
	if p := rr.store.ReplicaStatus().Primary; l > p {
		l = p
	}
	return l
}

// route sends ctx's reads where they see need (known false: what they must see is unknown)
// and the client's token, and counts the decision.
func (rr *readRouting) route(ctx context.Context, need uint64, known bool, token db.LSN) (context.Context, db.Route) {
	if !rr.active() {
		return ctx, db.Route{Reason: db.RouteNoReplica, Through: db.MaxLSN}
	}
	ctx, r := rr.store.RouteReads(ctx, max(db.LSN(need), token), known)
	rr.routes.WithLabelValues(r.Target(), r.Reason).Inc()
	return ctx, r
}

// routeUncached routes a query that does not go through the response cache: it must see the
// latest write the epoch accounts for, read from Redis now.
func (rr *readRouting) routeUncached(ctx context.Context, responses *cache.Responses, token db.LSN) context.Context {
	if !rr.active() {
		return ctx
	}
	need, known := responses.Latest(ctx)
	ctx, _ = rr.route(ctx, need, known, token)
	return ctx
}

// coversClient says whether a cached response under lookup's epoch includes the client's own
// last write; when it does not, the epoch lost that write and the client must not get it.
func coversClient(lookup cache.Lookup, token db.LSN) bool {
	lsn, known := lookup.LSN()
	return token == 0 || (known && db.LSN(lsn) >= token)
}

// handBackLSN gives the client the LSN of the write it made, for its next reads.
func handBackLSN(w http.ResponseWriter, r *http.Request, lsn db.LSN) {
	if lsn == 0 {
		return
	}
	w.Header().Set(lsnHeader, lsn.String())
	http.SetCookie(w, &http.Cookie{Name: lsnCookie, Value: lsn.String(), Path: "/", MaxAge: lsnCookieMaxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"})
}

package db_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
)

// Routing over a real streaming replica replaying 1.5 s behind, with DATABASE_READ_MAX_LAG at
// 400 ms: a write's LSN is known; reads that need it go to the primary while the replica is
// behind, every read is bypassed once the lag passes the maximum, and reads go to the replica
// again once it has replayed the write, where the write is visible (the LSN read after the
// commit is at or past the commit record); a stopped replica is bypassed.
func TestReplica_RoutesByReplayPositionAndLag(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a private PostgreSQL and a streaming replica")
	}
	t.Parallel()
	ctx := context.Background()
	primary := dbtest.StartCluster(t)
	url := primary.CreateDatabase(t, "routing")
	standby := primary.StartStandby(t, "1500ms")
	store, err := db.OpenWith(ctx, url, standby.URL("routing"), db.PoolConfig{Read: 2, Write: 2, Export: 1, Auth: 1,
		ReadMaxLag: 400 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	waitFor := func(what string, ok func(db.ReplicaStatus) bool) db.ReplicaStatus {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if st := store.ReplicaStatus(); ok(st) {
				return st
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 15 s: %+v", what, store.ReplicaStatus())
			}
		}
	}
	route := func(need db.LSN, known bool, reason string, onReplica bool) context.Context {
		t.Helper()
		rctx, r := store.RouteReads(ctx, need, known)
		if r.Reason != reason || r.Replica != onReplica {
			t.Fatalf("route(need %s, known %v) = %+v, want %s (replica %v); status %+v", need, known, r, reason, onReplica, store.ReplicaStatus())
		}
		in, err := db.InRecoveryAs(rctx, store)
		if err != nil || in != onReplica {
			t.Fatalf("reads routed %s ran on a server in recovery: %v (%v)", r.Target(), in, err)
		}
		return rctx
	}
	head, err := store.CurrentLSN(ctx)
	if err != nil || head == 0 {
		t.Fatalf("CurrentLSN: %s, %v", head, err)
	}
	waitFor("caught up at start", func(st db.ReplicaStatus) bool { return st.Up && st.Replay >= head && st.Lag == 0 })
	route(head, true, db.RouteCaughtUp, true)
	route(0, false, db.RouteUnknownLSN, false)
	before, err := store.CountAgencies(ctx)
	if err != nil {
		t.Fatal(err)
	}

	wctx, w := db.TrackWrites(ctx)
	if _, err := store.AddAgency(wctx, db.NewAgency{Slug: "routing-" + strings.ToLower(rand.Text()[:8]), Name: "Thanh tra định tuyến",
		Kind: "INSPECTORATE", Jurisdiction: "VN"}); err != nil {
		t.Fatal(err)
	}
	written := w.LSN()
	if written <= head || store.WrittenLSN() < written || w.Lost() {
		t.Fatalf("the write's LSN %s (lost %v), head before %s, process %s", written, w.Lost(), head, store.WrittenLSN())
	}
	if st := store.ReplicaStatus(); st.Replay >= written {
		t.Fatalf("the replica replayed the write at once (%s ≥ %s): no apply delay", st.Replay, written)
	}
	rctx := route(written, true, db.RouteBehind, false)
	if n, err := store.CountAgencies(rctx); err != nil || n != before+1 {
		t.Fatalf("count on the primary = %d (%v), want %d", n, err, before+1)
	}
	waitFor("lag over 400 ms", func(st db.ReplicaStatus) bool { return st.Lag > 400*time.Millisecond })
	route(0, true, db.RouteLagging, false) // even a read that needs nothing new
	waitFor("replayed the write", func(st db.ReplicaStatus) bool { return st.Replay >= written && st.Lag == 0 })
	rctx = route(written, true, db.RouteCaughtUp, true)
	if n, err := store.CountAgencies(rctx); err != nil || n != before+1 {
		t.Fatalf("count on the replica that replayed the write's LSN = %d (%v), want %d", n, err, before+1)
	}

	standby.Stop(t, "fast")
	waitFor("replica seen down", func(st db.ReplicaStatus) bool { return !st.Up })
	rctx = route(0, true, db.RouteReplicaDown, false)
	if n, err := store.CountAgencies(rctx); err != nil || n != before+1 {
		t.Fatalf("count with the replica down = %d (%v)", n, err)
	}
}

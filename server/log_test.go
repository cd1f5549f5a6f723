package server

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/lib/pq"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
	"github.com/kolregistry/kolregistry/logverify"
	"github.com/kolregistry/kolregistry/translog"
)

// logServer serves a database of its own (the tests rewind its log) with a signing key.
type logServer struct {
	*testServer
	key  ed25519.PrivateKey
	vkey string
}

func newLogServer(t *testing.T) *logServer {
	t.Helper()
	d, err := dbtest.Create(context.Background(), "server_log")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Drop() })
	store, err := db.Open(context.Background(), d.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	srv := httptest.NewServer(New(Config{SigningKey: key, NoResponseCache: true}, store, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	vkey, err := translog.VerifierKey(translog.DefaultOrigin, key)
	if err != nil {
		t.Fatal(err)
	}
	return &logServer{testServer: &testServer{Server: srv, store: store, logs: &logBuffer{}}, key: key, vkey: vkey}
}

// addBrands writes n brands through the store's import path (n log entries).
func (s *logServer) addBrands(t *testing.T, n int, prefix string) {
	t.Helper()
	_, err := s.store.Import(context.Background(), db.Operator, "importRecord", "test", func(ctx context.Context, tx *db.Tx) ([]db.Record, error) {
		var recs []db.Record
		for i := range n {
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO brand (name) VALUES ($1) RETURNING id`, fmt.Sprintf("%s %d", prefix, i)).Scan(&id); err != nil {
				return nil, err
			}
			recs = append(recs, db.Record{Type: "Brand", ID: id})
		}
		return recs, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rewind deletes the log's events after keep, as an insider with superuser access would,
// and sets the head (chain, tree and edge) consistently at keep.
func (s *logServer) rewind(t *testing.T, keep int64) {
	t.Helper()
	ctx := context.Background()
	sdb := s.store.SQL()
	if _, err := sdb.Exec(`ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update;
		ALTER TABLE audit_tree DISABLE TRIGGER audit_tree_no_update`); err != nil {
		t.Fatal(err)
	}
	defer sdb.Exec(`ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update;
		ALTER TABLE audit_tree ENABLE TRIGGER audit_tree_no_update`)
	if _, err := sdb.Exec(`DELETE FROM audit_event WHERE seq > $1; `, keep); err != nil {
		t.Fatal(err)
	}
	if _, err := sdb.Exec(`DELETE FROM audit_tree WHERE idx >= $1`, tlog.StoredHashIndex(0, keep)); err != nil {
		t.Fatal(err)
	}
	r := s.store.LogHashes(ctx)
	root, err := tlog.TreeHash(keep, r)
	if err != nil {
		t.Fatal(err)
	}
	edge, err := translog.EdgeOf(keep, r)
	if err != nil {
		t.Fatal(err)
	}
	hashes := make([][]byte, len(edge.Hashes))
	for i, h := range edge.Hashes {
		hashes[i] = append([]byte(nil), h[:]...)
	}
	if _, err := sdb.Exec(`UPDATE audit_head SET seq = $1, tree_size = $1, root_hash = $2,
		hash = (SELECT hash FROM audit_event WHERE seq = $1), edge_idx = $3, edge_hash = $4`,
		keep, root[:], pq.Array(edge.Indexes), pq.ByteaArray(hashes)); err != nil {
		t.Fatal(err)
	}
}

func (s *logServer) verify(t *testing.T, state string) (logverify.Result, error) {
	t.Helper()
	return logverify.Verify(context.Background(), logverify.Options{URL: s.URL + "/log", Key: s.vkey, State: state, Client: s.Client()})
}

// A client using only /log/ and the verifier key rebuilds the checkpoint's root from the tiles;
// with a state file it proves each new checkpoint extends the last, and a rewound or forked
// log fails.
func TestLog_TilesRebuildTheRootAndAWitnessCatchesARewrite(t *testing.T) {
	t.Parallel()
	s := newLogServer(t)
	s.addBrands(t, 600, "Brand")
	state := filepath.Join(t.TempDir(), "witness.state")
	res, err := s.verify(t, state)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if res.Checkpoint.Size != 600 || res.Records != 600 || res.Previous != nil {
		t.Fatalf("verified %+v", res)
	}

	// Full tiles are immutable and cacheable for long; partial ones less so; a tile beyond the tree is 404.
	for path, want := range map[string]string{"/log/tile/0/000": fullTileCache, "/log/tile/entries/001": fullTileCache,
		"/log/tile/0/002.p/88": partialTileCache, "/log/tile/1/000.p/2": partialTileCache, "/log/tile/entries/002.p/88": partialTileCache} {
		resp, err := s.Client().Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != want {
			t.Errorf("%s: HTTP %d, Cache-Control %q; want 200, %q", path, resp.StatusCode, resp.Header.Get("Cache-Control"), want)
		}
	}
	for _, path := range []string{"/log/tile/0/002.p/89", "/log/tile/0/003", "/log/tile/1/000", "/log/tile/8/0/000", "/log/tile/entries/x"} {
		resp, err := s.Client().Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: HTTP %d, want 404", path, resp.StatusCode)
		}
	}

	// The log grows: the new checkpoint is proven to extend the one kept.
	s.addBrands(t, 50, "More")
	if res, err = s.verify(t, state); err != nil || res.Previous == nil || res.Previous.Size != 600 || res.Checkpoint.Size != 650 {
		t.Fatalf("after growth: %+v, %v", res, err)
	}

	// An insider deletes the last events and rewinds the head: the log shrank.
	s.rewind(t, 640)
	var f *logverify.Failure
	if _, err := s.verify(t, state); !errors.As(err, &f) {
		t.Fatalf("rewound log: want a failure, got %v", err)
	}
	// ... and writes past the old size again (a fork): no consistency proof.
	s.addBrands(t, 20, "Forked")
	if _, err := s.verify(t, state); !errors.As(err, &f) {
		t.Fatalf("forked log: want a failure, got %v", err)
	}
	// Without the state, the forked log is self-consistent: that is what the witness is for.
	if _, err := s.verify(t, ""); err != nil {
		t.Fatalf("forked log alone: %v", err)
	}
}

// A checkpoint signed with another key is refused.
func TestLog_ForgedCheckpointFails(t *testing.T) {
	t.Parallel()
	s := newLogServer(t)
	s.addBrands(t, 3, "Brand")
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	forger := httptest.NewServer(New(Config{SigningKey: other, NoResponseCache: true}, s.store, slog.New(slog.DiscardHandler)))
	defer forger.Close()
	_, err := logverify.Verify(context.Background(), logverify.Options{URL: forger.URL + "/log", Key: s.vkey})
	var f *logverify.Failure
	if !errors.As(err, &f) {
		t.Fatalf("forged checkpoint: want a failure, got %v", err)
	}
}

// registryHead carries the checkpoint /log/ serves; the API's inclusion proof checks against it.
func TestLog_RegistryHeadAndInclusionProofThroughTheAPI(t *testing.T) {
	t.Parallel()
	s := newLogServer(t)
	s.addBrands(t, 40, "Brand")
	r := s.query(t, `{ registryHead { seq treeSize rootHash checkpoint verifierKey }
		auditInclusionProof(seq: 17) { seq leafIndex treeSize rootHash leafHash hashes }
		auditConsistencyProof(fromSize: 9) { fromSize fromRootHash treeSize rootHash hashes }
		auditLog(first: 20) { nodes { seq entry leafHash } } }`, nil)
	var data struct {
		RegistryHead struct {
			Seq, TreeSize        int64
			RootHash, Checkpoint string
			VerifierKey          *string
		}
		AuditInclusionProof struct {
			Seq, LeafIndex, TreeSize int64
			RootHash, LeafHash       string
			Hashes                   []string
		}
		AuditConsistencyProof struct {
			FromSize, TreeSize     int64
			FromRootHash, RootHash string
			Hashes                 []string
		}
		AuditLog struct {
			Nodes []struct {
				Seq             int64
				Entry, LeafHash string
			}
		}
	}
	if err := json.Unmarshal(r.gql.Data, &data); err != nil || len(r.gql.Errors) > 0 {
		t.Fatalf("%v %s", err, r.body)
	}
	h := data.RegistryHead
	if h.TreeSize != 40 || h.Seq != 40 || h.VerifierKey == nil || *h.VerifierKey != s.vkey {
		t.Fatalf("head %+v", h)
	}
	cp, err := translog.Open([]byte(h.Checkpoint), s.vkey)
	if err != nil || cp.Size != 40 || base64.StdEncoding.EncodeToString(cp.Root[:]) != h.RootHash {
		t.Fatalf("checkpoint %q: %+v, %v", h.Checkpoint, cp, err)
	}
	resp, err := s.Client().Get(s.URL + "/log/checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(served) != h.Checkpoint {
		t.Errorf("/log/checkpoint %q differs from registryHead.checkpoint %q", served, h.Checkpoint)
	}
	ev := data.AuditLog.Nodes[16]
	p := data.AuditInclusionProof
	if ev.Seq != 17 || p.LeafIndex != 16 || p.TreeSize != 40 || p.RootHash != h.RootHash || p.LeafHash != ev.LeafHash {
		t.Fatalf("proof %+v for event %+v", p, ev)
	}
	leaf := tlog.RecordHash([]byte(ev.Entry))
	if base64.StdEncoding.EncodeToString(leaf[:]) != ev.LeafHash {
		t.Fatal("leafHash is not the RFC 6962 hash of entry")
	}
	if err := tlog.CheckRecord(decodeHashes(t, p.Hashes), 40, cp.Root, 16, leaf); err != nil {
		t.Errorf("inclusion proof: %v", err)
	}
	c := data.AuditConsistencyProof
	old, _ := base64.StdEncoding.DecodeString(c.FromRootHash)
	var oldRoot tlog.Hash
	copy(oldRoot[:], old)
	if err := tlog.CheckTree(decodeHashes(t, c.Hashes), 40, cp.Root, 9, oldRoot); err != nil || c.TreeSize != 40 {
		t.Errorf("consistency proof %+v: %v", c, err)
	}
	// Out of range: BAD_USER_INPUT.
	for _, q := range []string{`{ auditInclusionProof(seq: 41) { seq } }`, `{ auditInclusionProof(seq: 3, treeSize: 2) { seq } }`,
		`{ auditConsistencyProof(fromSize: 0) { treeSize } }`, `{ auditConsistencyProof(fromSize: 5, toSize: 99) { treeSize } }`} {
		if r := s.query(t, q, nil); r.code() != "BAD_USER_INPUT" {
			t.Errorf("%s: %s", q, r.body)
		}
	}
}

func decodeHashes(t *testing.T, ss []string) []tlog.Hash {
	t.Helper()
	out := make([]tlog.Hash, len(ss))
	for i, s := range ss {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			t.Fatalf("hash %q", s)
		}
		copy(out[i][:], b)
	}
	return out
}

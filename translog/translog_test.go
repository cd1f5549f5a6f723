package translog

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"
)

// An edge-only append must give the same stored hashes and roots as tlog over the whole tree.
func TestEdgeAppend_MatchesWholeTree(t *testing.T) {
	all := mapReader{}
	e := Edge{}
	for n := int64(0); n < 1100; n++ {
		leaf := tlog.RecordHash([]byte(fmt.Sprint("entry ", n)))
		a, err := e.Append(leaf)
		if err != nil {
			t.Fatalf("append %d: %v", n, err)
		}
		want, err := tlog.StoredHashes(n, []byte(fmt.Sprint("entry ", n)), all)
		if err != nil {
			t.Fatal(err)
		}
		if a.Index != tlog.StoredHashIndex(0, n) || len(a.Stored) != len(want) {
			t.Fatalf("append %d: index %d, %d hashes; want %d, %d", n, a.Index, len(a.Stored), tlog.StoredHashIndex(0, n), len(want))
		}
		for i, h := range want {
			if a.Stored[i] != h {
				t.Fatalf("append %d: stored hash %d differs", n, i)
			}
			all[a.Index+int64(i)] = h
		}
		root, err := tlog.TreeHash(n+1, all)
		if err != nil {
			t.Fatal(err)
		}
		if a.Root != root {
			t.Fatalf("append %d: root differs from tlog.TreeHash", n)
		}
		e = a.Edge
	}
}

func TestAppend_RefusesAForeignEdge(t *testing.T) {
	e := Edge{Size: 5}
	if _, err := e.Append(tlog.RecordHash(nil)); err == nil {
		t.Fatal("an edge without its hashes appended")
	}
}

func TestTilePaths_RoundTrip(t *testing.T) {
	for _, tc := range []struct {
		tile tlog.Tile
		path string
	}{
		{tlog.Tile{H: 8, L: 0, N: 0, W: 256}, "tile/0/000"},
		{tlog.Tile{H: 8, L: 1, N: 1234067, W: 256}, "tile/1/x001/x234/067"},
		{tlog.Tile{H: 8, L: 0, N: 3, W: 17}, "tile/0/003.p/17"},
		{tlog.Tile{H: 8, L: -1, N: 2, W: 256}, "tile/entries/002"},
		{tlog.Tile{H: 8, L: -1, N: 1000, W: 5}, "tile/entries/x001/000.p/5"},
	} {
		if got := TilePath(tc.tile); got != tc.path {
			t.Errorf("TilePath(%+v) = %q, want %q", tc.tile, got, tc.path)
		}
		got, err := ParseTilePath(tc.path)
		if err != nil || got != tc.tile {
			t.Errorf("ParseTilePath(%q) = %+v, %v; want %+v", tc.path, got, err, tc.tile)
		}
	}
	for _, bad := range []string{"tile/8/0/000", "tile/0/1", "tile/0/000.p/256", "tile/entries/000.p/0", "tile/-1/000", "tile/01/000", "x/0/000"} {
		if _, err := ParseTilePath(bad); err == nil {
			t.Errorf("ParseTilePath(%q) accepted", bad)
		}
	}
}

func TestCheckpoint_SignedAndOpened(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	s, vkey, err := NewSigner(DefaultOrigin, key)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(vkey, DefaultOrigin+"+") {
		t.Fatalf("verifier key %q does not name the origin", vkey)
	}
	c := Checkpoint{Origin: DefaultOrigin, Size: 42, Root: tlog.RecordHash([]byte("x"))}
	msg, err := Sign(c, s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Open(msg, vkey)
	if err != nil || got != c {
		t.Fatalf("Open = %+v, %v; want %+v", got, err, c)
	}
	if Body(msg) != c.Text() {
		t.Fatalf("Body = %q", Body(msg))
	}
	// Signed by another key: refused.
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	s2, _, _ := NewSigner(DefaultOrigin, other)
	forged, _ := Sign(c, s2)
	if _, err := Open(forged, vkey); err == nil {
		t.Fatal("a checkpoint signed by another key opened")
	}
	// The body changed after signing: refused.
	tampered := strings.Replace(string(msg), "\n42\n", "\n43\n", 1)
	if _, err := Open([]byte(tampered), vkey); err == nil {
		t.Fatal("a tampered checkpoint opened")
	}
}

func TestBundle_RoundTrip(t *testing.T) {
	var b []byte
	entries := []string{"a", "", strings.Repeat("x", 300)}
	for _, e := range entries {
		var err error
		if b, err = AppendBundle(b, []byte(e)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ReadBundle(b)
	if err != nil || len(got) != len(entries) {
		t.Fatalf("ReadBundle: %d entries, %v", len(got), err)
	}
	for i := range entries {
		if string(got[i]) != entries[i] {
			t.Errorf("entry %d = %q", i, got[i])
		}
	}
	if _, err := ReadBundle(b[:len(b)-1]); err == nil {
		t.Error("a truncated bundle was read")
	}
}

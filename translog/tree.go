// Package translog holds the registry's transparency log formats, with no storage: the tree's
// right edge kept by each append, C2SP tlog-checkpoint notes and C2SP tlog-tiles paths and
// entry bundles (docs/transparency.md). The Merkle hashing, proofs and tiles themselves are
// golang.org/x/mod/sumdb/tlog's; this package only says which stored hashes to keep at hand.
package translog

import (
	"errors"
	"fmt"
	"slices"

	"golang.org/x/mod/sumdb/tlog"
)

// TileHeight is the height of the log's tiles (C2SP tlog-tiles: 8, so 256 hashes a tile).
const TileHeight = 8

// Edge is the set of stored hashes of a tree of Size records that the next append and the
// tree's root read: the roots of the perfect subtrees the tree decomposes into. Keeping it
// with the head lets a write append without reading the hash table.
type Edge struct {
	Size    int64
	Indexes []int64
	Hashes  []tlog.Hash
}

// ErrMissingHash is returned when a hash an append needs is in neither the edge nor the hashes
// the append computed: the edge does not belong to the tree.
var ErrMissingHash = errors.New("translog: stored hash not at hand")

// mapReader answers ReadHashes from a map.
type mapReader map[int64]tlog.Hash

func (m mapReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := m[x]
		if !ok {
			return nil, fmt.Errorf("%w: index %d", ErrMissingHash, x)
		}
		out[i] = h
	}
	return out, nil
}

// readsOf returns the stored hash indexes fn asks its reader for (it is given zero hashes:
// which indexes tlog reads depends only on the tree size).
func readsOf(fn func(tlog.HashReader) error) []int64 {
	var seen []int64
	fn(tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		seen = append(seen, indexes...)
		return make([]tlog.Hash, len(indexes)), nil
	}))
	slices.Sort(seen)
	return slices.Compact(seen)
}

// Appended is what appending one record did to the tree.
type Appended struct {
	// Index is the StoredHashIndex of Stored[0]; the hashes are stored at Index, Index+1, ….
	Index  int64
	Stored []tlog.Hash
	// Root is the root hash of the tree with the record, of size Edge.Size.
	Root tlog.Hash
	Edge Edge
}

// Append adds the record whose hash is leaf to the tree whose edge is e.
func (e Edge) Append(leaf tlog.Hash) (Appended, error) {
	if len(e.Indexes) != len(e.Hashes) {
		return Appended{}, fmt.Errorf("translog: edge has %d indexes and %d hashes", len(e.Indexes), len(e.Hashes))
	}
	known := make(mapReader, len(e.Indexes)+8)
	for i, x := range e.Indexes {
		known[x] = e.Hashes[i]
	}
	n := e.Size
	stored, err := tlog.StoredHashesForRecordHash(n, leaf, known)
	if err != nil {
		return Appended{}, fmt.Errorf("append record %d: %w", n, err)
	}
	first := tlog.StoredHashIndex(0, n)
	for i, h := range stored {
		known[first+int64(i)] = h
	}
	size := n + 1
	root, err := tlog.TreeHash(size, known)
	if err != nil {
		return Appended{}, fmt.Errorf("root of %d records: %w", size, err)
	}
	next := Edge{Size: size, Indexes: EdgeIndexes(size)}
	if next.Hashes, err = known.ReadHashes(next.Indexes); err != nil {
		return Appended{}, fmt.Errorf("edge of %d records: %w", size, err)
	}
	return Appended{Index: first, Stored: stored, Root: root, Edge: next}, nil
}

// EdgeIndexes lists the stored hash indexes of the edge of a tree of size records: those
// tlog.TreeHash reads for it (they include those the next tlog.StoredHashes reads).
func EdgeIndexes(size int64) []int64 {
	return readsOf(func(r tlog.HashReader) error {
		_, err := tlog.TreeHash(size, r)
		return err
	})
}

// EdgeOf reads the edge of a tree of size records from r.
func EdgeOf(size int64, r tlog.HashReader) (Edge, error) {
	e := Edge{Size: size, Indexes: EdgeIndexes(size)}
	var err error
	if len(e.Indexes) > 0 {
		e.Hashes, err = r.ReadHashes(e.Indexes)
	}
	return e, err
}

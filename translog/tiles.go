package translog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/tlog"
)

// C2SP tlog-tiles paths differ from tlog.Tile.Path only in leaving out the height (always 8)
// and in naming the data tiles "entries": tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>].
// Entry tiles have L = -1, as in tlog.

// TilePath is the C2SP path of t (relative to the log's prefix).
func TilePath(t tlog.Tile) string {
	p := t.Path() // tile/8/<L or data>/<N>[.p/<W>]
	rest := strings.TrimPrefix(p, fmt.Sprintf("tile/%d/", t.H))
	if t.L == -1 {
		rest = "entries/" + strings.TrimPrefix(rest, "data/")
	}
	return "tile/" + rest
}

// ParseTilePath reads a C2SP tile path (relative to the log's prefix) into a tile of height 8.
func ParseTilePath(path string) (tlog.Tile, error) {
	rest, ok := strings.CutPrefix(path, "tile/")
	if !ok {
		return tlog.Tile{}, fmt.Errorf("malformed tile path %q", path)
	}
	level, nw, _ := strings.Cut(rest, "/")
	if level == "entries" {
		level = "data"
	} else if l, err := strconv.Atoi(level); err != nil || l < 0 || l > 63 || strconv.Itoa(l) != level {
		return tlog.Tile{}, fmt.Errorf("malformed tile path %q", path)
	}
	t, err := tlog.ParseTilePath(fmt.Sprintf("tile/%d/%s/%s", TileHeight, level, nw))
	if err != nil {
		return tlog.Tile{}, fmt.Errorf("malformed tile path %q", path)
	}
	return t, nil
}

// Entries are served in bundles of up to 256: each entry a big-endian uint16 length and its bytes.

// MaxEntrySize is the largest entry a bundle can carry.
const MaxEntrySize = 1<<16 - 1

// AppendBundle appends entry to a bundle.
func AppendBundle(bundle, entry []byte) ([]byte, error) {
	if len(entry) > MaxEntrySize {
		return nil, fmt.Errorf("entry of %d bytes is over the bundle limit of %d", len(entry), MaxEntrySize)
	}
	bundle = binary.BigEndian.AppendUint16(bundle, uint16(len(entry)))
	return append(bundle, entry...), nil
}

// ReadBundle splits a bundle into its entries.
func ReadBundle(bundle []byte) ([][]byte, error) {
	var out [][]byte
	for len(bundle) > 0 {
		if len(bundle) < 2 {
			return nil, errors.New("entry bundle: truncated length")
		}
		n := int(binary.BigEndian.Uint16(bundle))
		if len(bundle) < 2+n {
			return nil, errors.New("entry bundle: truncated entry")
		}
		out = append(out, bundle[2:2+n])
		bundle = bundle[2+n:]
	}
	return out, nil
}

// Package logverify is the registry's independent log verifier (`kolregistry log verify`):
// it trusts only the log's verifier key, reads only the public C2SP tlog-tiles endpoints
// under the log's URL, and imports nothing of the server's store. It checks the signed
// checkpoint, rebuilds the tree from every entry bundle and compares its root, proves with
// the hash tiles that the checkpoint extends the one it accepted last (its state file), and
// can check an export of the registry against the latest state each record logged
// (docs/transparency.md, "Witnessing the log").
package logverify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/kolregistry/kolregistry/translog"
)

// Options says what to verify.
type Options struct {
	// URL is the log's prefix, e.g. https://registry.example/log (checkpoint, tile/… below it).
	URL string
	// Key is the log's note verifier key, <origin>+<hash>+<key>.
	Key string
	// State, when set, is a file holding the last checkpoint accepted: the new one must extend
	// it, and replaces it once verified.
	State string
	// Export, when set, is an NDJSON export (/export/*.ndjson) whose every record must match
	// the latest state its entries logged.
	Export string
	// Client fetches; nil is a client with a 30 s timeout per request that keeps a connection
	// open per tile in flight.
	Client *http.Client
	// Parallel is how many tiles are fetched at once; 0 means 4.
	Parallel int
}

// Failure is a check that failed: the log, a checkpoint or an export is not what it claims.
// Any other error means the check could not be made (network, files).
type Failure struct{ Reason string }

func (f *Failure) Error() string { return f.Reason }

func failf(format string, args ...any) error { return &Failure{Reason: fmt.Sprintf(format, args...)} }

// Result is what a successful run verified.
type Result struct {
	Checkpoint translog.Checkpoint
	// Previous is the checkpoint the state file held (nil without one).
	Previous *translog.Checkpoint
	// Records is how many distinct records the log holds state for.
	Records int
	// Exported is how many export lines were checked.
	Exported int
}

// Verify runs the checks of opts.
func Verify(ctx context.Context, opts Options) (Result, error) {
	var res Result
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	if opts.Client == nil {
		// Keep one idle connection per tile in flight (the default keeps 2 per host, so the
		// others would be closed and dialled again for every tile).
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = opts.Parallel
		opts.Client = &http.Client{Timeout: 30 * time.Second, Transport: tr}
	}
	base := strings.TrimSuffix(opts.URL, "/")
	f := &fetcher{ctx: ctx, client: opts.Client, base: base}

	msg, err := f.get("checkpoint")
	if err != nil {
		return res, err
	}
	cp, err := translog.Open(msg, opts.Key)
	if err != nil {
		return res, failf("the checkpoint does not verify with the key: %v", err)
	}
	res.Checkpoint = cp

	var prev *translog.Checkpoint
	if opts.State != "" {
		if prev, err = readState(opts.State, opts.Key); err != nil {
			return res, err
		}
		res.Previous = prev
		if prev != nil && prev.Size > cp.Size {
			return res, failf("the log shrank: it had %d entries at the checkpoint last accepted, it shows %d (rewound or forked)", prev.Size, cp.Size)
		}
	}

	// Rebuild the tree from the entries.
	latest := map[string]json.RawMessage{}
	wantStates := opts.Export != ""
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x >= int64(len(stored)) {
				return nil, fmt.Errorf("hash %d not computed", x)
			}
			out[i] = stored[x]
		}
		return out, nil
	})
	seen := map[string]bool{}
	err = f.bundles(cp.Size, opts.Parallel, func(first int64, entries [][]byte) error {
		for i, e := range entries {
			n := first + int64(i)
			hs, err := tlog.StoredHashes(n, e, reader)
			if err != nil {
				return err
			}
			stored = append(stored, hs...)
			var ent struct {
				Seq     int64 `json:"seq"`
				Subject struct {
					ID string `json:"id"`
				} `json:"subject"`
				State json.RawMessage `json:"state"`
			}
			if err := json.Unmarshal(e, &ent); err != nil || ent.Seq != n+1 {
				return failf("entry %d is not a registry entry for seq %d", n, n+1)
			}
			seen[ent.Subject.ID] = true
			if wantStates && ent.State != nil {
				latest[ent.Subject.ID] = ent.State
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	root, err := tlog.TreeHash(cp.Size, reader)
	if err != nil {
		return res, err
	}
	if root != cp.Root {
		return res, failf("the entries do not hash to the checkpoint's root (tree of %d)", cp.Size)
	}
	res.Records = len(seen)

	// Prove, with the server's hash tiles, that the new checkpoint extends the old one.
	if prev != nil && prev.Size > 0 {
		thr := tlog.TileHashReader(tlog.Tree{N: cp.Size, Hash: cp.Root}, &tileReader{f: f})
		proof, err := tlog.ProveTree(cp.Size, prev.Size, thr)
		if err != nil {
			return res, failf("no consistency proof from the tiles (size %d to %d): %v", prev.Size, cp.Size, err)
		}
		if err := tlog.CheckTree(proof, cp.Size, cp.Root, prev.Size, prev.Root); err != nil {
			return res, failf("the log does not extend the checkpoint last accepted (size %d): it was rewritten or forked", prev.Size)
		}
	}

	if opts.Export != "" {
		if res.Exported, err = checkExport(opts.Export, latest); err != nil {
			return res, err
		}
	}
	if opts.State != "" {
		if err := writeState(opts.State, msg); err != nil {
			return res, err
		}
	}
	return res, nil
}

// fetcher GETs paths below the log's URL.
type fetcher struct {
	ctx    context.Context
	client *http.Client
	base   string
}

func (f *fetcher) get(path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(f.ctx, http.MethodGet, f.base+"/"+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: HTTP %d", path, resp.StatusCode)
	}
	return body, nil
}

// bundles fetches every entry bundle of a tree of size entries, par at a time, and hands
// them to fn in order.
func (f *fetcher) bundles(size int64, par int, fn func(first int64, entries [][]byte) error) error {
	const width = 1 << translog.TileHeight
	count := (size + width - 1) / width
	type result struct {
		entries [][]byte
		err     error
	}
	results := make([]chan result, count)
	for i := range results {
		results[i] = make(chan result, 1)
	}
	sem := make(chan struct{}, par)
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	go func() {
		for n := int64(0); n < count; n++ {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				w := min(width, size-n*width)
				t := tlog.Tile{H: translog.TileHeight, L: -1, N: n, W: int(w)}
				data, err := f.get(translog.TilePath(t))
				var es [][]byte
				if err == nil {
					es, err = translog.ReadBundle(data)
					if err != nil || int64(len(es)) != w {
						err = failf("entry bundle %s holds %d entries, not %d", translog.TilePath(t), len(es), w)
					}
				}
				results[n] <- result{es, err}
			}()
		}
	}()
	for n := int64(0); n < count; n++ {
		var r result
		select {
		case r = <-results[n]:
		case <-f.ctx.Done():
			return f.ctx.Err()
		}
		<-sem
		if r.err != nil {
			return r.err
		}
		if err := fn(n*width, r.entries); err != nil {
			return err
		}
	}
	return nil
}

// tileReader serves tlog.TileHashReader from the log's hash tiles.
type tileReader struct{ f *fetcher }

func (r *tileReader) Height() int { return translog.TileHeight }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := r.f.get(translog.TilePath(t))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (r *tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// readState reads the checkpoint last accepted; nil when the file does not exist yet.
func readState(path, key string) (*translog.Checkpoint, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	c, err := translog.Open(b, key)
	if err != nil {
		return nil, fmt.Errorf("state %s does not hold a checkpoint of this log: %w", path, err)
	}
	return &c, nil
}

func writeState(path string, msg []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(msg); err != nil {
		tmp.Close()
		return fmt.Errorf("state: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	return os.Rename(tmp.Name(), path)
}

// checkExport compares every line of an NDJSON export with the latest logged state of its
// record. A field the export and the state both hold must be equal: the export's xId and
// xIds columns are the state's x and xs; instants compare as instants. Fields only the
// export has (names of related records, counts) are not in the log and are not checked.
func checkExport(path string, latest map[string]json.RawMessage) (int, error) {
	fh, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	n := 0
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		n++
		var rec map[string]any
		if err := decode(line, &rec); err != nil {
			return n, fmt.Errorf("export line %d: %w", n, err)
		}
		id, _ := rec["id"].(string)
		raw, ok := latest[id]
		if !ok {
			return n, failf("export line %d: record %s has no state in the log", n, id)
		}
		var st map[string]any
		if err := decode(raw, &st); err != nil {
			return n, fmt.Errorf("state of %s: %w", id, err)
		}
		for k, v := range rec {
			sk := stateName(k)
			logged, ok := st[sk]
			if !ok {
				continue
			}
			if !sameValue(v, logged) {
				return n, failf("export line %d: record %s field %s is %v, the log says %v", n, id, k, jsonText(v), jsonText(logged))
			}
		}
	}
	return n, sc.Err()
}

func decode(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// stateName maps an export column to the state's field: influencerId → influencer, brandIds → brands.
func stateName(col string) string {
	if s, ok := strings.CutSuffix(col, "Ids"); ok {
		return s + "s"
	}
	if s, ok := strings.CutSuffix(col, "Id"); ok && s != "" {
		return s
	}
	return col
}

func sameValue(a, b any) bool {
	if sa, ok := a.(string); ok {
		if sb, ok := b.(string); ok {
			ta, ea := time.Parse(time.RFC3339Nano, sa)
			tb, eb := time.Parse(time.RFC3339Nano, sb)
			if ea == nil && eb == nil {
				return ta.Equal(tb)
			}
			return sa == sb
		}
	}
	if la, ok := a.([]any); ok {
		lb, ok := b.([]any)
		if !ok || len(la) != len(lb) {
			// An empty list and null say the same in an export.
			return len(la) == 0 && b == nil
		}
		for i := range la {
			if !sameValue(la[i], lb[i]) {
				return false
			}
		}
		return true
	}
	return jsonText(a) == jsonText(b)
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

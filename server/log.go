package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/translog"
)

// The transparency log as C2SP tlog-tiles under /log/ (docs/transparency.md): the signed
// checkpoint, hash tiles and entry bundles of height 8. A tile's bytes never change once the
// tree reaches it, so tiles are cached for a year (full) or an hour (partial: a log may stop
// serving them once the tile is full); the checkpoint moves with every write.

const (
	fullTileCache    = "public, max-age=31536000, immutable"
	partialTileCache = "public, max-age=3600"
	checkpointCache  = "public, max-age=2"
)

func logCheckpoint(store *db.DB, id translog.Identity, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, err := store.AuditHead(r.Context())
		if err != nil {
			logError(w, r, logger, "read the audit head", err)
			return
		}
		cp, err := id.Checkpoint(h.TreeSize, h.Root)
		if err != nil {
			logError(w, r, logger, "sign the checkpoint", err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", checkpointCache)
		w.Write(cp)
	})
}

func logTile(store *db.DB, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, err := translog.ParseTilePath("tile/" + r.PathValue("path"))
		if err != nil {
			http.Error(w, "no such tile", http.StatusNotFound)
			return
		}
		h, err := store.AuditHead(r.Context())
		if err != nil {
			logError(w, r, logger, "read the audit head", err)
			return
		}
		if !tileInTree(t, h.TreeSize) {
			http.Error(w, fmt.Sprintf("no such tile in a tree of %d entries", h.TreeSize), http.StatusNotFound)
			return
		}
		var data []byte
		if t.L == -1 {
			first := t.N << translog.TileHeight
			entries, err := store.LogEntries(r.Context(), first, first+int64(t.W))
			if err != nil {
				logError(w, r, logger, "read entries", err)
				return
			}
			for _, e := range entries {
				if data, err = translog.AppendBundle(data, e); err != nil {
					logError(w, r, logger, "bundle entries", err)
					return
				}
			}
		} else if data, err = tlog.ReadTileData(t, store.LogHashes(r.Context())); err != nil {
			logError(w, r, logger, "read tile", err)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		if t.W == 1<<translog.TileHeight {
			w.Header().Set("Cache-Control", fullTileCache)
		} else {
			w.Header().Set("Cache-Control", partialTileCache)
		}
		w.Write(data)
	})
}

// tileInTree reports whether every hash (or entry) of t exists in a tree of size leaves.
func tileInTree(t tlog.Tile, size int64) bool {
	level := t.L
	if level < 0 {
		level = 0
	}
	end := t.N<<translog.TileHeight + int64(t.W) // hashes at level 8·L, each covering 2^(8·L) leaves
	shift := uint(translog.TileHeight * level)
	return shift < 63 && end <= size>>shift
}

// logError logs an internal failure and answers 500 (or 503 when the request was cut).
func logError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, what string, err error) {
	if r.Context().Err() != nil {
		http.Error(w, "request cancelled", http.StatusServiceUnavailable)
		return
	}
	logger.Error("log: "+what, "err", err, "path", strings.TrimPrefix(r.URL.Path, "/log/"))
	http.Error(w, "internal error", http.StatusInternalServerError)
}

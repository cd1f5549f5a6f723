package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/events"
	"github.com/kolregistry/kolregistry/feed"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/permalink"
)

// For mirrors (docs/mirrors.md): GET /export/changes.ndjson?afterSeq=N streams every audit
// event after N as one JSON object a line (feed.Change), up to the head as of the request; a
// mirror resumes from the last seq it stored. GET /feeds/*.atom are Atom feeds (RFC 4287) of
// the latest changes.

// feedCost is what one Atom feed spends of the caller's rate-limit budget: it reads one page
// of at most feed.MaxEntries events.
const feedCost = feed.MaxEntries

// changesExport serves /export/changes.ndjson. charge spends the caller's budget (an
// export's) once the request is valid.
func changesExport(store *db.DB, logger *slog.Logger, base permalink.Base, adm *admissionControl, charge func(http.Handler) http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var after int64
		for name, vals := range r.URL.Query() {
			if name != "afterSeq" {
				writeExportError(w, r, http.StatusBadRequest, errcode.BadInput(name, "unknown parameter %q; the only one is afterSeq", name))
				return
			}
			n, err := strconv.ParseInt(vals[0], 10, 64)
			if len(vals) != 1 || err != nil || n < 0 {
				writeExportError(w, r, http.StatusBadRequest, errcode.BadInput("afterSeq", "afterSeq must be given once, as a seq (0 or more)"))
				return
			}
			after = n
		}
		// An export like the others: admission control's export class bounds them (admission.go).
		release, ok := adm.acquire(r.Context(), db.ClassExport)
		if !ok {
			writeOverloaded(w, r, db.ClassExport)
			return
		}
		defer release()
		charge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			streamChanges(w, r, store, logger, base, after)
		})).ServeHTTP(w, r)
	})
}

func streamChanges(w http.ResponseWriter, r *http.Request, store *db.DB, logger *slog.Logger, base permalink.Base, after int64) {
	ctx, cancel := context.WithTimeout(r.Context(), exportTimeout)
	defer cancel()
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "application/x-ndjson; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="changes.ndjson"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 32<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	n := 0
	rc.SetWriteDeadline(time.Now().Add(exportStall))
	err := store.StreamChanges(ctx, after, func(e db.AuditEvent) error {
		if err := enc.Encode(feed.NewChange(e, base)); err != nil {
			return err
		}
		if n++; n%db.ChangesBatch == 0 {
			if err := bw.Flush(); err != nil {
				return err
			}
			rc.SetWriteDeadline(time.Now().Add(exportStall))
			if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		return
	}
	logger.ErrorContext(r.Context(), "export failed", "request_id", RequestID(r.Context()), "export", "changes.ndjson",
		"after_seq", after, "bytes_sent", cw.n, "error", err)
	if cw.n == 0 {
		h.Del("Content-Disposition")
		writeError(w, r, http.StatusInternalServerError, errcode.Internal, "internal error")
		return
	}
	// Lines are out with a 200: cut the connection, so the mirror sees a failed download; it
	// resumes from the last complete line it stored.
	panic(http.ErrAbortHandler)
}

// feeds serves /feeds/sanctions.atom (sanctions recorded), /feeds/status-changes.atom
// (sanctions' status changes) and /feeds/influencers/{id}.atom (everything about one
// influencer).
func feeds(store *db.DB, logger *slog.Logger, base permalink.Base) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		var head feed.Atom
		var f db.ChangeFilter
		switch {
		case path == "/feeds/sanctions.atom":
			head = feed.Atom{Path: path, Title: "KOL Registry: sanctions recorded"}
			f.Actions = []string{"recordSanction"}
		case path == "/feeds/status-changes.atom":
			head = feed.Atom{Path: path, Title: "KOL Registry: sanctions' status changes"}
			f.Actions = events.Actions[events.SanctionStatusChanged]
		case strings.HasPrefix(path, "/feeds/influencers/") && strings.HasSuffix(path, ".atom"):
			id := strings.TrimSuffix(strings.TrimPrefix(path, "/feeds/influencers/"), ".atom")
			typ, dbid, ok := db.ParseGlobalID(id)
			if !ok || typ != "Influencer" {
				writeError(w, r, http.StatusNotFound, errcode.NotFound, "no such influencer")
				return
			}
			inf, err := store.InfluencersByIDs(r.Context(), []int64{dbid})
			if err != nil {
				feedError(w, r, logger, err)
				return
			}
			row, ok := inf[dbid]
			if !ok {
				writeError(w, r, http.StatusNotFound, errcode.NotFound, "no such influencer")
				return
			}
			head = feed.Atom{Path: path, Title: "KOL Registry: " + row.DisplayName, Alternate: base.URL("Influencer", id)}
			f.RelatedType, f.RelatedID = "Influencer", dbid
		default:
			writeError(w, r, http.StatusNotFound, errcode.NotFound,
				"no such feed; use /feeds/sanctions.atom, /feeds/status-changes.atom or /feeds/influencers/<id>.atom")
			return
		}
		pg, err := store.Changes(r.Context(), f, db.Page{Limit: feed.MaxEntries, Backward: true})
		if err != nil {
			feedError(w, r, logger, err)
			return
		}
		changes := make([]feed.Change, len(pg.Rows))
		for i, e := range pg.Rows {
			changes[i] = feed.NewChange(e, base)
		}
		body, err := head.Render(base, changes, time.Now())
		if err != nil {
			feedError(w, r, logger, err)
			return
		}
		w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=60")
		w.Write(body)
	})
}

func feedError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	logger.ErrorContext(r.Context(), "feed", "request_id", RequestID(r.Context()), "path", r.URL.Path, "error", err)
	writeError(w, r, http.StatusInternalServerError, errcode.Internal, "internal error")
}

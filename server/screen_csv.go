package server

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/graph/model"
	"github.com/kolregistry/kolregistry/permalink"
	"github.com/kolregistry/kolregistry/registry"
	"github.com/kolregistry/kolregistry/resolvers"
)

// POST /screen.csv (docs/screening.md, "Spreadsheets"): the screen query for people who work in
// spreadsheets. A CSV of candidates in (a header row naming the columns name, handle, url,
// platform, in any order, then one candidate per row), a CSV of decisions out, one row per
// candidate in their order, each with the best match's permalink and risk level.

const (
	// screenCSVMaxBytes bounds the body: 100 rows of four 200-character cells, with room.
	screenCSVMaxBytes = 512 << 10
	// screenCandidateCost is what one candidate spends of the caller's rate-limit budget: a
	// search and a vetting report (searchCost each) and the fields of its row.
	screenCandidateCost = 2*searchCost + 5
)

// screenCSVColumns are the input columns; every one is optional but at least one is needed.
var screenCSVColumns = []string{"name", "handle", "url", "platform"}

// screenCSVOut are the output columns.
var screenCSVOut = []string{"row", "name", "handle", "url", "platform", "decision", "score", "influencerId", "influencerName",
	"influencerUrl", "riskLevel", "activeSanctions", "alternatives", "explanation"}

// screenCSVHandler serves POST /screen.csv. charge spends a price on the caller's budget
// (ratelimit PerRequest): the price of the candidates read, before any is screened.
func screenCSVHandler(store *db.DB, logger *slog.Logger, base permalink.Base, charge func(int) func(http.Handler) http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bad := func(e *errcode.Error) { writeExportError(w, r, http.StatusBadRequest, e) }
		q := r.URL.Query()
		for name := range q {
			if name != "asOf" && name != "lang" && name != "bom" {
				bad(errcode.BadInput(name, "unknown parameter %q; the parameters are asOf, lang and bom", name))
				return
			}
		}
		var asOf *time.Time
		if s := q.Get("asOf"); s != "" {
			d, err := model.UnmarshalDate(s)
			if err != nil {
				bad(errcode.BadInput("asOf", "asOf must be a date like 2025-03-20, got %q", s))
				return
			}
			t := time.Time(d)
			asOf = &t
		}
		day, err := resolvers.VettingDay(asOf)
		if err != nil {
			if ue, ok := errcode.As(err); ok {
				bad(ue)
				return
			}
		}
		lang := registry.EN
		if l := q.Get("lang"); l != "" {
			if l != "vi" && l != "en" {
				bad(errcode.BadInput("lang", "lang must be vi or en"))
				return
			}
			lang = registry.ParseLang(l)
		}
		bom := q.Get("bom") == "1" || q.Get("bom") == "true"
		cands, rerr := readScreenCSV(http.MaxBytesReader(w, r.Body, screenCSVMaxBytes))
		if rerr != nil {
			var tooBig *http.MaxBytesError
			if errors.As(rerr, &tooBig) {
				writeExportError(w, r, http.StatusRequestEntityTooLarge,
					errcode.BadInput("body", "the CSV is larger than %d KiB; send at most %d candidates", screenCSVMaxBytes>>10, registry.ScreenMaxCandidates))
				return
			}
			if ue, ok := errcode.As(rerr); ok {
				bad(ue)
				return
			}
			bad(errcode.BadInput("body", "the body is not CSV: %v", rerr))
			return
		}
		charge(max(len(cands), 1)*screenCandidateCost)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			screened, err := resolvers.Screen(r.Context(), store, cands, day, true)
			if err != nil {
				if ue, ok := errcode.As(err); ok {
					bad(ue)
					return
				}
				logger.ErrorContext(r.Context(), "screen.csv", "request_id", RequestID(r.Context()), "error", err)
				writeError(w, r, http.StatusInternalServerError, errcode.Internal, "internal error")
				return
			}
			writeScreenCSV(w, cands, screened, base, lang, bom)
		})).ServeHTTP(w, r)
	})
}

// readScreenCSV reads the candidates: a header row of known columns, then at most
// registry.ScreenMaxCandidates rows. Errors name the line.
func readScreenCSV(body io.Reader) ([]registry.ScreenCandidate, error) {
	cr := csv.NewReader(bufio.NewReader(body))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errcode.BadInput("body", "the CSV is empty; its first row names the columns: %s", strings.Join(screenCSVColumns, ","))
	}
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, utf8BOM)))
		if !contains(screenCSVColumns, h) {
			return nil, errcode.BadInput("body", "line 1: unknown column %q; the columns are %s", h, strings.Join(screenCSVColumns, ","))
		}
		if _, dup := col[h]; dup {
			return nil, errcode.BadInput("body", "line 1: column %q appears twice", h)
		}
		col[h] = i
	}
	cell := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []registry.ScreenCandidate
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if len(rec) > len(header) {
			return nil, errcode.BadInput("body", "line %d: %d cells, but the header names %d columns", line, len(rec), len(header))
		}
		if len(out) == registry.ScreenMaxCandidates {
			return nil, errcode.BadInput("body", "at most %d candidates per screening; line %d is one more", registry.ScreenMaxCandidates, line)
		}
		c := registry.ScreenCandidate{Name: cell(rec, "name"), Handle: cell(rec, "handle"), URL: cell(rec, "url")}
		if p := cell(rec, "platform"); p != "" {
			c.Platform = registry.Platform(strings.ToUpper(p))
			if !c.Platform.Valid() {
				return nil, errcode.BadInput("body", "line %d: %q is not a platform; use one of %s", line, p,
					strings.Join(registry.Strings(registry.Platforms), ", "))
			}
		}
		for _, name := range []string{"name", "handle", "url"} {
			if n := len([]rune(cell(rec, name))); n > resolvers.ScreenFieldMaxChars {
				return nil, errcode.BadInput("body", "line %d: %s is longer than %d characters", line, name, resolvers.ScreenFieldMaxChars)
			}
		}
		out = append(out, c)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// writeScreenCSV writes the decisions, cells neutralised as the exports' are (csvCell).
func writeScreenCSV(w http.ResponseWriter, cands []registry.ScreenCandidate, screened []resolvers.Screened, base permalink.Base, lang registry.Lang, bom bool) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="screening.csv"`)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	bw := bufio.NewWriter(w)
	if bom {
		bw.WriteString(utf8BOM)
	}
	cw := csv.NewWriter(bw)
	cw.Write(screenCSVOut)
	text := func(s string) string { return csvCell(db.KindText, s) }
	for i, s := range screened {
		c := cands[i]
		rec := []string{strconv.Itoa(i + 1), text(c.Name), text(c.Handle), text(c.URL), text(string(c.Platform)),
			registry.Text("ScreenDecision", string(s.Decision), lang), strconv.FormatFloat(s.Score, 'f', -1, 64), "", "", "", "", "", "", ""}
		if lang == registry.EN {
			rec[5] = string(s.Decision) // the API's value: a spreadsheet filters on it
		}
		if b := s.Best; b != nil {
			id := db.GlobalID("Influencer", b.InfluencerID)
			rec[7], rec[8], rec[9] = id, text(b.Name), base.URL("Influencer", id)
			if v := s.Vetting; v != nil {
				rec[10] = v.RiskLevel()
				if lang == registry.VI {
					rec[10] = registry.Text("RiskLevel", v.RiskLevel(), lang)
				}
				active := 0
				for _, vs := range v.Sanctions {
					if vs.Active() {
						active++
					}
				}
				rec[11] = strconv.Itoa(active)
			}
		}
		alts := make([]string, len(s.Alternatives))
		for j, a := range s.Alternatives {
			alts[j] = fmt.Sprintf("%s <%s>", a.Name, base.URL("Influencer", db.GlobalID("Influencer", a.InfluencerID)))
		}
		rec[12] = text(strings.Join(alts, listSeparator))
		expl := make([]string, len(s.Explanation))
		for j, e := range s.Explanation {
			expl[j] = e.In(lang)
		}
		rec[13] = text(strings.Join(expl, " "))
		cw.Write(rec)
	}
	cw.Flush()
	bw.Flush()
}

package server

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/graph/model"
	"github.com/kolregistry/kolregistry/permalink"
	"github.com/kolregistry/kolregistry/registry"
	"github.com/kolregistry/kolregistry/resolvers"
)

// Bulk export (docs/export.md): GET /export/{influencers,disclosures,sanctions}.{csv,ndjson}
// with the fields of the GraphQL filter as query parameters (repeated for a list), streamed
// from a cursor in batches: memory stays flat whatever the size of the export.

const (
	// exportTimeout bounds one export in total.
	exportTimeout = 30 * time.Minute
	// exportStall is how long a client may take to accept one batch before the export is cut.
	exportStall = 60 * time.Second
	// listSeparator joins the values of a list column in CSV (NDJSON has arrays).
	listSeparator = "; "
	// exportCost is what one export spends of the caller's rate-limit budget (query-cost points
	// per minute): a sixth of an anonymous caller's default minute, whatever the filter.
	exportCost = 1000
	utf8BOM    = "\ufeff"
)

// exportParams are the query parameters an export takes besides its filter's fields.
var exportParams = map[string]bool{"bom": true}

// exportKind is one exportable list: its GraphQL filter input and how it becomes an Export.
type exportKind struct {
	filterType string // GraphQL input type whose fields are the query parameters
	nodeType   string // the type of the rows' IDs (the id column), for after=
	newFilter  func() any
	export     func(filter any) (db.Export, error)
}

var exportKinds = map[string]exportKind{
	"influencers": {"InfluencerFilter", "Influencer", func() any { return &model.InfluencerFilter{} }, func(f any) (db.Export, error) {
		df, err := resolvers.InfluencerFilter(f.(*model.InfluencerFilter))
		return db.ExportInfluencers(df), err
	}},
	"disclosures": {"DisclosureFilter", "Disclosure", func() any { return &model.DisclosureFilter{} }, func(f any) (db.Export, error) {
		df, err := resolvers.DisclosureFilter(f.(*model.DisclosureFilter))
		return db.ExportDisclosures(df), err
	}},
	"sanctions": {"SanctionFilter", "Sanction", func() any { return &model.SanctionFilter{} }, func(f any) (db.Export, error) {
		df, err := resolvers.SanctionFilter(f.(*model.SanctionFilter))
		return db.ExportSanctions(df), err
	}},
}

// exportHandler serves GET /export/{file}. charge wraps the streaming of a valid request (the
// rate limit): a refused parameter costs nothing.
// Admission control's export class (admission.go) bounds the exports streaming at once: each
// holds a connection of the export pool for its whole length.
func exportHandler(es graphql.ExecutableSchema, store *db.DB, logger *slog.Logger, base permalink.Base,
	adm *admissionControl, charge func(http.Handler) http.Handler) http.Handler {
	schema := es.Schema()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, format, _ := strings.Cut(r.PathValue("file"), ".")
		kind, ok := exportKinds[name]
		if !ok || (format != "csv" && format != "ndjson") {
			writeError(w, r, http.StatusNotFound, errcode.NotFound,
				"no such export; use /export/{influencers,disclosures,sanctions}.{csv,ndjson}")
			return
		}
		filter := kind.newFilter()
		q := r.URL.Query()
		// lang=vi|en writes enum values as their labels (registry/labels.go); without it they
		// stay the API's values, for machines.
		var lang registry.Lang
		if l, ok := q["lang"]; ok {
			if len(l) != 1 || (l[0] != "vi" && l[0] != "en") {
				writeExportError(w, r, http.StatusBadRequest, errcode.BadInput("lang", "lang must be vi or en"))
				return
			}
			lang = registry.ParseLang(l[0])
			q.Del("lang")
		}
		// after=<the id of the last row received> resumes a cut download (docs/export.md).
		var after int64
		if a, ok := q["after"]; ok {
			var err error
			if after, err = exportAfter(a, kind.nodeType); err != nil {
				writeExportError(w, r, http.StatusBadRequest, err.(*errcode.Error))
				return
			}
			q.Del("after")
		}
		bom, err := parseExportQuery(schema.Types[kind.filterType], q, filter)
		var e db.Export
		if err == nil {
			e, err = kind.export(filter)
		}
		if err == nil && after > 0 {
			e = e.After(after)
		}
		if err != nil {
			if ue, ok := errcode.As(err); ok {
				writeExportError(w, r, http.StatusBadRequest, ue)
				return
			}
			logger.ErrorContext(r.Context(), "export", "request_id", RequestID(r.Context()), "error", err)
			writeError(w, r, http.StatusInternalServerError, errcode.Internal, "internal error")
			return
		}
		release, ok := adm.acquire(r.Context(), db.ClassExport)
		if !ok {
			writeOverloaded(w, r, db.ClassExport)
			return
		}
		defer release()
		r = r.WithContext(db.WithClass(r.Context(), db.ClassExport))
		charge(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			streamExport(w, r, store, logger, e, name, format, bom, exportCells(name, e.Columns, base, lang))
		})).ServeHTTP(w, r)
	})
}

// exportAfter reads the after parameter: one global ID of the export's own type.
func exportAfter(vals []string, typ string) (int64, error) {
	bad := errcode.BadInput("after", "after must be the id of a row of this export (its last row received)")
	if len(vals) != 1 {
		return 0, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(vals[0])
	if err != nil {
		return 0, bad
	}
	t, num, _ := strings.Cut(string(b), ":")
	id, err := strconv.ParseInt(num, 10, 64)
	if t != typ || err != nil || id < 1 {
		return 0, bad
	}
	return id, nil
}

// writeExportError answers a bad export request with a GraphQL-shaped error naming the parameter.
func writeExportError(w http.ResponseWriter, r *http.Request, status int, e *errcode.Error) {
	ext := map[string]any{"code": string(e.Code)}
	if e.Field != "" {
		ext["field"] = strings.TrimPrefix(e.Field, "filter.")
	}
	writeJSON(w, r, status, errorBody{Errors: gqlerror.List{{Message: e.Message, Extensions: ext}}})
}

// parseExportQuery fills filter (a *model.XxxFilter) from the query parameters, by the GraphQL
// names and types of def's fields. It reports whether a BOM was asked for.
func parseExportQuery(def *ast.Definition, q url.Values, filter any) (bom bool, err error) {
	if def == nil {
		return false, fmt.Errorf("export filter type not in schema")
	}
	v := reflect.ValueOf(filter).Elem()
	fields := map[string]reflect.Value{}
	for i := 0; i < v.NumField(); i++ {
		tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		fields[tag] = v.Field(i)
	}
	for name, vals := range q {
		if exportParams[name] {
			if len(vals) != 1 {
				return false, errcode.BadInput(name, "%s may be given once", name)
			}
			if bom, err = strconv.ParseBool(vals[0]); err != nil {
				return false, errcode.BadInput(name, "%s must be 1 or 0, got %q", name, vals[0])
			}
			continue
		}
		fd := def.Fields.ForName(name)
		fv, ok := fields[name]
		if fd == nil || !ok {
			return false, errcode.BadInput(name, "unknown parameter %q; the parameters are the fields of %s and bom", name, def.Name)
		}
		if err := setParam(name, fd.Type, fv, vals); err != nil {
			return false, err
		}
	}
	return bom, nil
}

// setParam parses a parameter's values into one field of a filter.
func setParam(name string, typ *ast.Type, fv reflect.Value, vals []string) error {
	if typ.Elem != nil { // a list: one value per repetition of the parameter
		elem := fv.Type().Elem()
		out := reflect.MakeSlice(fv.Type(), 0, len(vals))
		for _, s := range vals {
			ev := reflect.New(elem).Elem()
			if err := parseScalar(name, typ.Elem.Name(), s, ev); err != nil {
				return err
			}
			out = reflect.Append(out, ev)
		}
		fv.Set(out)
		return nil
	}
	if len(vals) != 1 {
		return errcode.BadInput(name, "%s may be given once", name)
	}
	p := reflect.New(fv.Type().Elem()) // fields of one value are pointers (absent = nil)
	if err := parseScalar(name, typ.Name(), vals[0], p.Elem()); err != nil {
		return err
	}
	fv.Set(p)
	return nil
}

// parseScalar reads one value of GraphQL type gqlType into dst.
func parseScalar(name, gqlType, s string, dst reflect.Value) error {
	var v any
	var err error
	switch gqlType {
	case "Date":
		v, err = model.UnmarshalDate(s)
	case "DateTime":
		var t time.Time
		if t, err = time.Parse(time.RFC3339, s); err != nil {
			err = fmt.Errorf("a DateTime must look like \"2025-03-20T09:00:00+07:00\", got %q", s)
		}
		v = t
	case "Int64":
		v, err = model.UnmarshalInt64(s)
	case "Boolean":
		if v, err = strconv.ParseBool(s); err != nil {
			err = fmt.Errorf("must be true or false, got %q", s)
		}
	default: // ID, String and enums
		ev := reflect.ValueOf(s).Convert(dst.Type())
		if iv, ok := ev.Interface().(interface{ IsValid() bool }); ok && !iv.IsValid() {
			return errcode.BadInput(name, "%q is not a value of %s", s, gqlType)
		}
		dst.Set(ev)
		return nil
	}
	if err != nil {
		return errcode.BadInput(name, "%s: %v", name, err)
	}
	dst.Set(reflect.ValueOf(v).Convert(dst.Type()))
	return nil
}

// countingWriter tells whether anything reached the client yet.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// streamExport writes the export batch by batch, flushing after each one.
func streamExport(w http.ResponseWriter, r *http.Request, store *db.DB, logger *slog.Logger, e db.Export, name, format string, bom bool, cells func([]any)) {
	ctx, cancel := context.WithTimeout(r.Context(), exportTimeout)
	defer cancel()
	rc := http.NewResponseController(w)
	h := w.Header()
	if format == "csv" {
		h.Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		h.Set("Content-Type", "application/x-ndjson; charset=utf-8")
	}
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.%s"`, name, format))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")

	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 32<<10)
	if bom {
		bw.WriteString(utf8BOM)
	}
	var writeRow func([]any) error
	var flushFormat func() error
	if format == "csv" {
		c := csv.NewWriter(bw)
		header := make([]string, len(e.Columns))
		for i, col := range e.Columns {
			header[i] = col.Name
		}
		c.Write(header)
		rec := make([]string, len(e.Columns))
		writeRow = func(vals []any) error {
			cells(vals)
			for i, col := range e.Columns {
				rec[i] = csvCell(col.Kind, vals[i])
			}
			return c.Write(rec)
		}
		flushFormat = func() error { c.Flush(); return c.Error() }
	} else {
		keys := make([][]byte, len(e.Columns))
		for i, col := range e.Columns {
			k, _ := json.Marshal(col.Name)
			keys[i] = append(k, ':')
		}
		var buf []byte
		writeRow = func(vals []any) error {
			cells(vals)
			bw.WriteByte('{')
			for i, col := range e.Columns {
				if i > 0 {
					bw.WriteByte(',')
				}
				bw.Write(keys[i])
				var err error
				if buf, err = appendJSON(buf[:0], jsonValue(col.Kind, vals[i])); err != nil {
					return err
				}
				bw.Write(buf)
			}
			_, err := bw.WriteString("}\n")
			return err
		}
		flushFormat = func() error { return nil }
	}
	flush := func() error {
		if err := flushFormat(); err != nil {
			return err
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		// A client that keeps reading keeps the export going past the server's WriteTimeout.
		rc.SetWriteDeadline(time.Now().Add(exportStall))
		if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return err
		}
		return nil
	}
	rc.SetWriteDeadline(time.Now().Add(exportStall))
	err := store.Stream(ctx, e, writeRow, flush)
	if err == nil {
		err = flush() // the header row of an empty export
	}
	if err == nil {
		return
	}
	logger.ErrorContext(r.Context(), "export failed", "request_id", RequestID(r.Context()), "export", name+"."+format,
		"bytes_sent", cw.n, "error", err)
	if cw.n == 0 {
		h.Del("Content-Disposition")
		writeError(w, r, http.StatusInternalServerError, errcode.Internal, "internal error")
		return
	}
	// Part of the file is out with a 200: cut the connection so the client sees a failed
	// download rather than a short file that looks complete.
	panic(http.ErrAbortHandler)
}

// appendJSON appends v as encoding/json writes it (json.Marshal: the same bytes), without its
// reflection and allocation for the kinds an export has: about 25 values a row, 200,000 rows an
// export, and json.Marshal of each was most of the export's time in this process.
func appendJSON(dst []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendJSONString(dst, x)
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case []string:
		if x == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, s := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendJSONString(dst, s); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	}
	b, err := json.Marshal(v)
	return append(dst, b...), err
}

// appendJSONString appends s quoted: as is when encoding/json would write it unchanged (valid
// UTF-8 with no quote, backslash, control character, <, >, & or U+2028/U+2029), else as
// json.Marshal writes it.
func appendJSONString(dst []byte, s string) ([]byte, error) {
	plain := utf8.ValidString(s) && !strings.Contains(s, "\u2028") && !strings.Contains(s, "\u2029")
	for i := 0; plain && i < len(s); i++ {
		c := s[i]
		plain = c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	if plain {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"'), nil
	}
	b, err := json.Marshal(s)
	return append(dst, b...), err
}

// csvCell writes one value as CSV text.
func csvCell(k db.ColumnKind, v any) string {
	switch x := jsonValue(k, v).(type) {
	case nil:
		return ""
	case string:
		return neutralizeFormula(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case []string:
		return neutralizeFormula(strings.Join(x, listSeparator))
	default:
		return fmt.Sprint(x)
	}
}

// neutralizeFormula keeps a spreadsheet from running a text cell as a formula (CSV injection):
// a cell starting with =, +, -, @, tab or carriage return gets a leading apostrophe, which
// spreadsheets read as "this is text" and do not display (OWASP, "CSV Injection";
// docs/export.md). Only text is touched: numbers, dates and IDs are the registry's own.
func neutralizeFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// jsonValue is one value as the export shows it: global IDs encoded, dates and instants as text.
func jsonValue(k db.ColumnKind, v any) any {
	if v == nil {
		return nil
	}
	switch k {
	case db.KindID:
		return resolvers.GlobalIDOfRaw(v.(string))
	case db.KindIDList:
		raw := v.([]string)
		ids := make([]string, len(raw))
		for i, s := range raw {
			ids[i] = resolvers.GlobalIDOfRaw(s)
		}
		return ids
	case db.KindDate:
		return v.(time.Time).Format(model.DateLayout)
	case db.KindTime:
		return v.(time.Time).UTC().Format(time.RFC3339)
	}
	return v
}

// exportEnums names the GraphQL enum of each enum-valued column, for lang=.
var exportEnums = map[string]map[string]string{
	"sanctions":   {"violationCategories": "ViolationCategory", "remedies": "Remedy", "status": "SanctionStatus"},
	"disclosures": {"platform": "Platform", "productCategory": "ProductCategory", "label": "DisclosureLabel", "labelTiming": "LabelTiming", "compensation": "CompensationType", "status": "DisclosureStatus"},
	"influencers": {"categories": "ContentCategory"},
}

// exportCells returns what turns a row's values into the cells written: the url column becomes
// the record's permalink, and with a lang the enum columns become their labels.
func exportCells(name string, cols []db.ExportColumn, base permalink.Base, lang registry.Lang) func([]any) {
	enums := exportEnums[name]
	return func(vals []any) {
		for i, col := range cols {
			switch {
			case col.Kind == db.KindURL && vals[i] != nil:
				typ, _, _ := strings.Cut(vals[i].(string), ":")
				vals[i] = base.URL(typ, resolvers.GlobalIDOfRaw(vals[i].(string)))
			case lang != "" && enums[col.Name] != "":
				switch v := vals[i].(type) {
				case string:
					vals[i] = registry.Text(enums[col.Name], v, lang)
				case []string:
					out := make([]string, len(v))
					for j, s := range v {
						out[j] = registry.Text(enums[col.Name], s, lang)
					}
					vals[i] = out
				}
			}
		}
	}
}

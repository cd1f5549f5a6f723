// Package web serves the registry's public pages (docs/pages.md): server-rendered HTML
// (html/template, assets embedded in the binary, nothing from another origin, readable without
// JavaScript), Vietnamese by default and English with ?lang=en or Accept-Language.
//
// Pages read the registry through the GraphQL schema itself, run in process: the same
// resolvers, dataloaders and store as the API, so a page never shows what the API would not.
// Rendered pages go through the API's response cache (same epoch, same invalidation after every
// write) and carry an ETag, so a cached page costs a cache lookup and a hash.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/kolregistry/kolregistry/cache"
	"github.com/kolregistry/kolregistry/registry"
)

//go:embed templates/*.html static/*
var files embed.FS

// Exec runs one GraphQL query in process, with the request's dataloaders, and returns the
// response's data; errors are the response's errors, already presented (codes, no internals).
type Exec func(ctx context.Context, query string, vars map[string]any) (data json.RawMessage, errs []GraphQLError)

// GraphQLError is one error of a response, as a client sees it.
type GraphQLError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// Code is the error's extensions.code.
func (e GraphQLError) Code() string { c, _ := e.Extensions["code"].(string); return c }

// Options are what the pages need from the server.
type Options struct {
	Exec Exec
	// Cache is the API's response cache; nil (or NoCache) renders every page.
	Cache   *cache.Responses
	NoCache bool
	// Namespace keeps pages apart from API responses in the cache.
	Logger *slog.Logger
	// Now is the clock of the "retrieved on" date; nil is time.Now.
	Now func() time.Time
}

// Handler serves the pages.
type Handler struct {
	o     Options
	pages map[string]*template.Template
	mux   *http.ServeMux
}

// New returns the pages' handler. Its routes are listed in Routes.
func New(o Options) *Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	h := &Handler{o: o, pages: map[string]*template.Template{}}
	for _, name := range []string{"home", "search", "influencer", "sanction", "sanctions", "mcn", "brand", "agency",
		"disclosure", "account", "affiliation", "notfound", "error"} {
		h.pages[name] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(files,
			"templates/layout.html", "templates/parts.html", "templates/"+name+".html"))
	}
	m := http.NewServeMux()
	m.Handle("GET /static/", http.StripPrefix("/static/", staticFiles()))
	m.HandleFunc("GET /{$}", h.page(h.home))
	m.HandleFunc("GET /search", h.page(h.search))
	m.HandleFunc("GET /sanctions", h.page(h.sanctionList))
	for typ, c := range recordPages {
		m.HandleFunc("GET /"+c.collection+"/{id}", h.page(h.record(typ)))
	}
	m.HandleFunc("GET /", h.page(func(r *http.Request, v *view) error { return errNotFound }))
	h.mux = m
	return h
}

// Routes are the path patterns the pages claim, for the server's mux.
var Routes = []string{"GET /{$}", "GET /search", "GET /sanctions", "GET /static/", "GET /influencers/", "GET /accounts/",
	"GET /mcns/", "GET /affiliations/", "GET /brands/", "GET /disclosures/", "GET /agencies/", "GET /sanctions/"}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// view is what a page template receives.
type view struct {
	Lang     registry.Lang
	Path     string     // the request path, for the language switch
	Query    url.Values // the request's query, lang removed
	Title    string
	Page     string // which template
	Data     map[string]any
	Status   int
	Now      time.Time
	Extra    map[string]any
	BasePath string
}

var errNotFound = fmt.Errorf("not found")

// errUnavailable is a query the API could not run now (SERVICE_UNAVAILABLE: the server at its
// limit, or the database unavailable): a 503 page with Retry-After, as the API answers.
var errUnavailable = fmt.Errorf("service unavailable")

// badRequest is a refused parameter, shown on a 400 page: field is the input the API named
// (extensions.field), msg its message (English, for the log and the classification).
type badRequest struct{ field, msg string }

func (b badRequest) Error() string { return b.msg }

// message is what a person reads on the 400 page, in the page's language: one of the pages'
// own sentences (ui, "err…" keys) chosen by what was refused, never the API's English text.
func (b badRequest) message(lang registry.Lang) string {
	key := "errParam"
	switch f := b.field; {
	case f == "query" || strings.Contains(b.msg, "at least 2 letters"):
		key = "errSearchShort"
	case f == "after" || f == "before" || strings.Contains(b.msg, "cursor"):
		key = "errCursor"
	case strings.HasSuffix(f, "To") || strings.HasPrefix(f, "filter.max") || strings.Contains(b.msg, " is before ") || strings.Contains(b.msg, " is less than "):
		key = "errRange"
	case strings.Contains(b.msg, "Date must") || strings.Contains(b.msg, "DateTime must"):
		key = "errDate"
	case strings.Contains(b.msg, "Int64 must") || strings.Contains(b.msg, "Int must"):
		key = "errNumber"
	case strings.Contains(b.msg, "is not a valid") || strings.Contains(b.msg, "is not a value of"):
		key = "errValue"
	}
	return t(lang, key)
}

// page wraps a page function with language negotiation, the response cache, ETag and errors.
func (h *Handler) page(fn func(r *http.Request, v *view) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lang := negotiate(r)
		q := r.URL.Query()
		q.Del("lang")
		// The key holds the day too: the "retrieved on" date of a page changes at midnight.
		now := h.o.Now()
		key := cache.Key("page:"+r.URL.Path+"?"+q.Encode(), string(lang)+now.In(vietnam).Format("2006-01-02"), nil)
		var lookup cache.Lookup
		cacheable := h.o.Cache != nil && !h.o.NoCache
		if cacheable {
			lookup, cacheable = h.o.Cache.Get(r.Context(), key)
			if lookup.Hit() {
				h.write(w, r, lookup.Body, http.StatusOK)
				return
			}
		}
		v := &view{Lang: lang, Path: r.URL.Path, Query: q, Status: http.StatusOK, Now: now.In(vietnam)}
		err := fn(r, v)
		switch e := err.(type) {
		case nil:
		case badRequest:
			v.Status, v.Page, v.Title, v.Extra = http.StatusBadRequest, "error", t(lang, "badRequest"), map[string]any{"Message": e.message(lang)}
		default:
			switch err {
			case errNotFound:
				v.Status, v.Page, v.Title = http.StatusNotFound, "notfound", t(lang, "notFound")
			case errUnavailable:
				w.Header().Set("Retry-After", "1")
				v.Status, v.Page, v.Title, v.Extra = http.StatusServiceUnavailable, "error", t(lang, "unavailable"), map[string]any{"Message": t(lang, "unavailableText")}
			default:
				h.o.Logger.ErrorContext(r.Context(), "page", "path", r.URL.Path, "error", err)
				v.Status, v.Page, v.Title, v.Extra = http.StatusInternalServerError, "error", t(lang, "internalError"), map[string]any{"Message": t(lang, "internalErrorText")}
			}
		}
		var b strings.Builder
		if err := h.pages[v.Page].Execute(&b, v); err != nil {
			h.o.Logger.ErrorContext(r.Context(), "render page", "page", v.Page, "error", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		body := []byte(b.String())
		if cacheable && v.Status == http.StatusOK {
			h.o.Cache.Put(r.Context(), lookup, body)
		}
		h.write(w, r, body, v.Status)
	}
}

// write sends a page; a 200 carries an ETag and the API's revalidate-always Cache-Control.
func (h *Handler) write(w http.ResponseWriter, r *http.Request, body []byte, status int) {
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	hd.Add("Vary", "Accept-Language")
	if status == http.StatusOK {
		etag := cache.ETag(body)
		hd.Set("ETag", etag)
		hd.Set("Cache-Control", "public, max-age=0, must-revalidate")
		if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatches(inm, etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else {
		hd.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	w.Write(body)
}

func etagMatches(header, etag string) bool {
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
			return true
		}
	}
	return false
}

// negotiate picks the page's language: ?lang= first, then the first of Accept-Language that
// the catalogue has, else Vietnamese.
func negotiate(r *http.Request) registry.Lang {
	if l := r.URL.Query().Get("lang"); l != "" {
		return registry.ParseLang(l)
	}
	lang, _ := registry.AcceptLanguage(r.Header.Get("Accept-Language"))
	return lang
}

// query runs a GraphQL query for a page. A NOT_FOUND or BAD_USER_INPUT about an ID is the
// page's 404; another BAD_USER_INPUT is a 400 with its message.
func (h *Handler) query(r *http.Request, q string, vars map[string]any) (map[string]any, error) {
	data, errs := h.o.Exec(r.Context(), q, vars)
	if len(errs) > 0 {
		switch errs[0].Code() {
		case "NOT_FOUND":
			return nil, errNotFound
		case "SERVICE_UNAVAILABLE":
			return nil, errUnavailable
		case "BAD_USER_INPUT":
			if f, _ := errs[0].Extensions["field"].(string); f == "id" || f == "influencerId" { // the page's ID (node, vettingReport)
				return nil, errNotFound
			}
			f, _ := errs[0].Extensions["field"].(string)
			return nil, badRequest{f, errs[0].Message}
		}
		return nil, fmt.Errorf("page query: %s (%s)", errs[0].Message, errs[0].Code())
	}
	var out map[string]any
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("decode page data: %w", err)
	}
	return out, nil
}

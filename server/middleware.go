package server

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/kolregistry/kolregistry/graph/errcode"
)

// requestInfo is what the middleware learns about one request as it goes through the layers.
type requestInfo struct {
	id string
	// operation is the GraphQL operation kind (query, mutation, subscription), set by the
	// transport once the document is valid; empty when the request failed before that.
	operation string
	// operationName is the operation's name as the document gives it ("" for an anonymous one).
	operationName string
}

type requestInfoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return info
}

// RequestID returns the id of the request ctx belongs to, or "" outside a request.
func RequestID(ctx context.Context) string {
	if info := infoFrom(ctx); info != nil {
		return info.id
	}
	return ""
}

// requestID takes the caller's X-Request-Id when it is a sane token (so ids follow a request
// across a proxy), makes one otherwise, and echoes it in the response.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			id = rand.Text()
		}
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), requestInfoKey{}, &requestInfo{id: id})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// validRequestID accepts 1..128 characters of [A-Za-z0-9._:/+=-]: enough for UUIDs, trace ids
// and base64, and nothing that could forge a log line or a header.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.' || c == '_' || c == ':' || c == '/' || c == '+' || c == '=' || c == '-':
		default:
			return false
		}
	}
	return true
}

// statusWriter records the status and size of a response for the access log and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

// wrapWriter returns w as a statusWriter, reusing the one an outer middleware installed.
func wrapWriter(w http.ResponseWriter) *statusWriter {
	if sw, ok := w.(*statusWriter); ok {
		return sw
	}
	return &statusWriter{ResponseWriter: w}
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer (flush, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) written() bool { return w.status != 0 }

func (w *statusWriter) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// accessLog writes one line per request. It logs the path, never the query string (GET
// variables live there) nor any header (tokens do).
func accessLog(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := wrapWriter(w)
		next.ServeHTTP(sw, r)
		attrs := []slog.Attr{
			slog.String("request_id", RequestID(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.statusCode()),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.Int64("bytes", sw.bytes),
		}
		if info := infoFrom(r.Context()); info != nil && info.operation != "" {
			attrs = append(attrs, slog.String("operation", info.operation))
		}
		level := slog.LevelInfo
		if sw.statusCode() >= 500 {
			level = slog.LevelError
		}
		logger.LogAttrs(r.Context(), level, "http request", attrs...)
	})
}

// recoverPanics turns a panic outside gqlgen (which recovers its own) into a logged 500 INTERNAL.
func recoverPanics(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := wrapWriter(w)
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p) // net/http's way to abort a response: let it do so
			}
			logger.ErrorContext(r.Context(), "panic serving request",
				"request_id", RequestID(r.Context()),
				"panic", fmt.Sprint(p),
				"stack", string(debug.Stack()))
			if !sw.written() {
				writeError(sw, r, http.StatusInternalServerError, errcode.Internal, "internal error")
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// CORS: the registry is public and reads carry no cookies, so by default any origin may read;
// an Authorization header is a bearer token a script sets on purpose, never ambient authority.
// CORS_ORIGINS narrows the origins when an operator wants to (Config.CORSOrigins).
const (
	corsAllowMethods = "GET, POST, OPTIONS"
	corsAllowHeaders = "Content-Type, Authorization, X-Request-Id, If-None-Match, X-Registry-LSN, traceparent, tracestate"
	// What a browser script may read besides the safelisted headers: the request id to quote in
	// a report, the rate-limit budget and the back-off of a refusal (docs/limits.md), the ETag,
	// and a write's LSN for read-your-writes on replicas (docs/operations.md).
	corsExposeHeaders = "X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, ETag, X-Registry-LSN"
)

// cors answers preflights itself and marks responses readable by the allowed origins: any
// (Access-Control-Allow-Origin: *) when origins is empty or holds "*", else the request's Origin
// when it is one of them (with Vary: Origin, so caches keep the answers apart). A preflight from
// another origin gets 403 without CORS headers, so the browser refuses and the reason is visible.
func cors(origins []string, next http.Handler) http.Handler {
	allowed := map[string]bool{}
	anyOrigin := len(origins) == 0
	for _, o := range origins {
		if o == "*" {
			anyOrigin = true
		}
		allowed[o] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		ok := true
		switch origin := r.Header.Get("Origin"); {
		case anyOrigin:
			h.Set("Access-Control-Allow-Origin", "*")
		default:
			h.Add("Vary", "Origin")
			ok = allowed[origin]
			if ok {
				h.Set("Access-Control-Allow-Origin", origin)
			}
		}
		if ok {
			h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		}
		if r.Method == http.MethodOptions {
			h.Set("Allow", corsAllowMethods)
			if !ok && r.Header.Get("Access-Control-Request-Method") != "" {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			if ok {
				h.Set("Access-Control-Allow-Methods", corsAllowMethods)
				h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
				h.Set("Access-Control-Max-Age", strconv.Itoa(24*60*60))
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// ParseCORSOrigins reads CORS_ORIGINS: comma-separated origins (scheme://host[:port], as
// browsers send them in Origin), or * for any. Empty means any.
func ParseCORSOrigins(v string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o != "*" {
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
				return nil, fmt.Errorf("CORS_ORIGINS: %q is not an origin such as https://example.org", o)
			}
			o = u.Scheme + "://" + strings.ToLower(u.Host)
		}
		out = append(out, o)
	}
	return out, nil
}

// limitBody refuses a declared oversize body at once and caps one that does not declare its
// size; the GraphQL transport answers 413 when it hits the cap while reading.
func limitBody(max int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			writeBodyTooLarge(w, r, max)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}

func writeBodyTooLarge(w http.ResponseWriter, r *http.Request, max int64) {
	writeError(w, r, http.StatusRequestEntityTooLarge, errcode.BadUserInput,
		fmt.Sprintf("request body is larger than the limit of %d bytes", max))
}

// withTimeout bounds the work of a request; the store's statement timeout bounds each query.
// A WebSocket (live alerts) is exempt: it lives as long as the client listens, and each of its
// events is bounded where it is loaded.
func withTimeout(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebSocketUpgrade(r) {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

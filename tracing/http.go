package tracing

import (
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// HTTP starts a server span for each request, as the child of the request's traceparent when it
// has a valid one, and writes the span's own traceparent on the response (before the handler
// writes anything), so a client can find its request's trace. Disabled, it returns next.
func HTTP(next http.Handler) http.Handler {
	if !Enabled() {
		return next
	}
	tr := tracer()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := propagator.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := tr.Start(ctx, r.Method+" "+route(r.URL.Path), trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(semconv.HTTPRequestMethodKey.String(r.Method), semconv.URLPath(r.URL.Path)))
		defer span.End()
		propagator.Inject(ctx, propagation.HeaderCarrier(w.Header()))
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r.WithContext(ctx))
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		span.SetAttributes(semconv.HTTPResponseStatusCode(status))
		if id := w.Header().Get("X-Request-Id"); id != "" {
			span.SetAttributes(requestIDKey.String(id))
		}
		if status >= 500 {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
	})
}

// requestIDKey carries the request's X-Request-Id, which the access log and error logs name.
const requestIDKey = attribute.Key("kolregistry.request_id")

// route is the span name's low-cardinality part of a path: its first segment ("/graphql",
// "/export", "/influencers"), never an id.
func route(path string) string {
	if i := strings.IndexByte(path[min(1, len(path)):], '/'); i >= 0 {
		return path[:i+1]
	}
	return path
}

// statusWriter remembers the status code; Unwrap lets http.ResponseController (flush) and the
// WebSocket upgrade (hijack) reach the writer underneath.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

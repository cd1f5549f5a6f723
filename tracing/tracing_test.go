package tracing_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/lib/pq"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/kolregistry/kolregistry/cache"
	"github.com/kolregistry/kolregistry/cache/redistest"
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
	"github.com/kolregistry/kolregistry/server"
	"github.com/kolregistry/kolregistry/tracing"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, "tracing", &dbURL)) }

const (
	clientTrace  = "4bf92f3577b34da6a3ce929d0e0e4736"
	clientParent = "00f067aa0ba902b7"
	query        = `{"operationName": "FirstAgencies", "query": "query FirstAgencies { agencies(first: 2) { totalCount nodes { name } } }"}`
)

// post sends the query with the client's traceparent and returns the response's traceparent.
func post(t *testing.T, url string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", strings.NewReader(query))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("traceparent", "00-"+clientTrace+"-"+clientParent+"-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"totalCount"`) {
		t.Fatalf("HTTP %d %s", resp.StatusCode, body)
	}
	return resp.Header.Get("traceparent")
}

type plain struct{}

func (*plain) ServeHTTP(http.ResponseWriter, *http.Request) {}

// One test, in two steps, because tracing is switched on once per process (as serve does).
func TestTracing_OffInstallsNothingOnContinuesTheTraceThroughEveryLayer(t *testing.T) {
	ctx := context.Background()
	rs := redistest.Start(t)

	// Off: nothing is wrapped, and no traceparent comes back.
	if tracing.Enabled() {
		t.Fatal("tracing is on before Start or Use")
	}
	h := &plain{}
	if got := tracing.HTTP(h); got != http.Handler(h) {
		t.Fatalf("HTTP wrapped the handler while tracing is off: %T", got)
	}
	connector, err := pq.NewConnector(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if d := tracing.OpenDB(connector); !isPQ(d) {
		t.Fatalf("OpenDB wrapped the driver while tracing is off: %T", d.Driver())
	}
	off := startServer(t, ctx, rs, "off")
	if tp := post(t, off); tp != "" {
		t.Fatalf("traceparent %q on a response while tracing is off", tp)
	}

	// On, with the SDK recording in memory.
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { tp.Shutdown(context.Background()) })
	tracing.Use(tp)
	if d := tracing.OpenDB(connector); isPQ(d) {
		t.Fatal("OpenDB did not wrap the driver while tracing is on")
	}
	on := startServer(t, ctx, rs, "on") // its own cache namespace: the query is not answered from the cache
	back := post(t, on)
	parts := strings.Split(back, "-")
	if len(parts) != 4 || parts[1] != clientTrace || parts[2] == clientParent {
		t.Fatalf("response traceparent %q: want the client's trace %s with the server's span", back, clientTrace)
	}
	spans := rec.Ended()
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		if s.SpanContext().TraceID().String() == clientTrace {
			byID[s.SpanContext().SpanID()] = s
		}
	}
	// descends reports whether s is below the span with id anc (or is it).
	descends := func(s sdktrace.ReadOnlySpan, anc trace.SpanID) bool {
		for s != nil {
			if s.SpanContext().SpanID() == anc {
				return true
			}
			s = byID[s.Parent().SpanID()]
		}
		return false
	}

	var httpSpan, opSpan sdktrace.ReadOnlySpan
	var sqlSpans, redisSpans []sdktrace.ReadOnlySpan
	for _, s := range byID {
		switch {
		case s.SpanKind() == trace.SpanKindServer:
			httpSpan = s
		case s.Name() == "query FirstAgencies":
			opSpan = s
		case attr(s, "db.system.name") == "postgresql":
			sqlSpans = append(sqlSpans, s)
		case attr(s, "db.system.name") == "redis":
			redisSpans = append(redisSpans, s)
		}
	}
	if httpSpan == nil {
		t.Fatalf("no HTTP server span in the client's trace; spans: %s", names(spans))
	}
	if httpSpan.Parent().SpanID().String() != clientParent || !httpSpan.Parent().IsRemote() {
		t.Errorf("HTTP span's parent = %s, want the client's span %s", httpSpan.Parent().SpanID(), clientParent)
	}
	if httpSpan.SpanContext().SpanID().String() != parts[2] {
		t.Errorf("response traceparent names span %s, the HTTP span is %s", parts[2], httpSpan.SpanContext().SpanID())
	}
	if httpSpan.Name() != "POST /graphql" || attr(httpSpan, "http.response.status_code") != "200" {
		t.Errorf("HTTP span %q status %s", httpSpan.Name(), attr(httpSpan, "http.response.status_code"))
	}
	if opSpan == nil {
		t.Fatalf("no GraphQL operation span; spans: %s", names(spans))
	}
	if opSpan.Parent().SpanID() != httpSpan.SpanContext().SpanID() ||
		attr(opSpan, "graphql.operation.name") != "FirstAgencies" || attr(opSpan, "graphql.operation.type") != "query" {
		t.Errorf("GraphQL span: parent %s (HTTP %s), name %q, type %q", opSpan.Parent().SpanID(),
			httpSpan.SpanContext().SpanID(), attr(opSpan, "graphql.operation.name"), attr(opSpan, "graphql.operation.type"))
	}
	if len(sqlSpans) == 0 {
		t.Fatalf("no SQL span in the trace; spans: %s", names(spans))
	}
	// Every statement lies below the request; the read of the agencies below the operation (the
	// cache layer's own statements, outside the operation, are below the HTTP span only).
	read := false
	for _, s := range sqlSpans {
		if !descends(s, httpSpan.SpanContext().SpanID()) {
			t.Errorf("SQL span %q (%s) is not below the HTTP span", s.Name(), attr(s, "db.query.text"))
		}
		if strings.Contains(attr(s, "db.query.text"), "agenc") {
			read = true
			if !descends(s, opSpan.SpanContext().SpanID()) {
				t.Errorf("SQL span %q (%s) is not below the GraphQL operation", s.Name(), attr(s, "db.query.text"))
			}
		}
	}
	if !read {
		t.Errorf("no SQL span reads the agencies; statements: %v", sqlSpans)
	}
	if len(redisSpans) == 0 {
		t.Fatalf("no Redis span in the trace; spans: %s", names(spans))
	}
	for _, s := range redisSpans {
		if !descends(s, httpSpan.SpanContext().SpanID()) {
			t.Errorf("Redis span %q is not below the HTTP span", s.Name())
		}
	}
	t.Logf("%d spans in the client's trace: %s", len(byID), names(spans))
}

func startServer(t *testing.T, ctx context.Context, rs *redistest.Server, namespace string) string {
	t.Helper()
	r, err := cache.Open(rs.URL(), cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	store, err := db.Open(ctx, dbURL, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv := httptest.NewServer(server.New(server.Config{Redis: r, CacheNamespace: namespace}, store, nil))
	t.Cleanup(srv.Close)
	return srv.URL
}

func isPQ(d *sql.DB) bool {
	defer d.Close()
	_, ok := d.Driver().(*pq.Driver)
	return ok
}

func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, a := range s.Attributes() {
		if string(a.Key) == key {
			return a.Value.String()
		}
	}
	return ""
}

func names(spans []sdktrace.ReadOnlySpan) string {
	var b strings.Builder
	for _, s := range spans {
		b.WriteString(s.Name() + " ")
	}
	return b.String()
}

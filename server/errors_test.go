package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/graph"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/graph/model"
	"github.com/kolregistry/kolregistry/resolvers"
)

// leaks are fragments of internal text that must never reach a client.
var leaks = []string{"sql", "pq:", "database is closed", "relation", "goroutine", "panic", "secret", ".go:"}

func requireOnlyInternal(t *testing.T, r result) {
	t.Helper()
	if r.code() != "INTERNAL" {
		t.Fatalf("code %q, want INTERNAL: HTTP %d %s", r.code(), r.status, r.body)
	}
	for _, e := range r.gql.Errors {
		if e.Extensions["code"] == "INTERNAL" && e.Message != "internal error" && !strings.Contains(e.Message, "timed out") {
			t.Errorf("INTERNAL error says %q", e.Message)
		}
	}
	for _, leak := range leaks {
		if strings.Contains(strings.ToLower(r.body), leak) {
			t.Errorf("response leaks %q: %s", leak, r.body)
		}
	}
}

func TestInternalError_ClosedDatabaseShowsOnlyINTERNAL(t *testing.T) {
	s := newTestServer(t, Config{})
	s.store.Close()
	r := s.query(t, `{ influencers(first: 1) { nodes { id } } }`, nil)
	requireOnlyInternal(t, r)
	id := r.header.Get("X-Request-Id")
	found := false
	for _, rec := range logLines(t, s.logs.String(), "graphql internal error") {
		if rec["request_id"] == id && strings.Contains(rec["error"].(string), "database is closed") {
			found = true
		}
	}
	if !found {
		t.Errorf("the real error is not logged with request id %s:\n%s", id, s.logs)
	}
}

// faultyRoot is the real resolver root with a viewer resolver the test chooses.
type faultyRoot struct {
	*resolvers.Resolver
	viewer func(ctx context.Context) (*model.Viewer, error)
}

func (r faultyRoot) Query() graph.QueryResolver { return faultyQuery{r.Resolver.Query(), r.viewer} }

type faultyQuery struct {
	graph.QueryResolver
	viewer func(ctx context.Context) (*model.Viewer, error)
}

func (q faultyQuery) Viewer(ctx context.Context) (*model.Viewer, error) { return q.viewer(ctx) }

// newFaultyServer serves the schema with a viewer resolver that misbehaves as told.
func newFaultyServer(t *testing.T, viewer func(ctx context.Context) (*model.Viewer, error)) *testServer {
	t.Helper()
	store := openStore(t)
	es := graph.NewExecutableSchema(graph.Config{
		Resolvers:  faultyRoot{Resolver: resolvers.New(store), viewer: viewer},
		Complexity: complexityRoot(),
	})
	logs := &logBuffer{}
	srv := httptest.NewServer(newHandler(Config{}, es, store, slog.New(slog.NewJSONHandler(logs, nil))))
	t.Cleanup(srv.Close)
	return &testServer{Server: srv, store: store, logs: logs}
}

func TestInternalError_PanickingResolverShowsOnlyINTERNAL(t *testing.T) {
	s := newFaultyServer(t, func(context.Context) (*model.Viewer, error) {
		panic(`pq: password authentication failed for user "secret"`)
	})
	r := s.query(t, `{ viewer { anonymous } }`, nil)
	requireOnlyInternal(t, r)
	if r.status != http.StatusOK || len(r.gql.Errors) != 1 || r.gql.Errors[0].Path[0] != "viewer" {
		t.Errorf("want HTTP 200 with one error at viewer: HTTP %d %s", r.status, r.body)
	}
	id := r.header.Get("X-Request-Id")
	found := false
	for _, rec := range logLines(t, s.logs.String(), "panic in graphql resolver") {
		if rec["request_id"] == id && strings.Contains(rec["panic"].(string), "password authentication") &&
			strings.Contains(rec["stack"].(string), "goroutine") {
			found = true
		}
	}
	if !found {
		t.Errorf("the panic is not logged with its stack and request id %s:\n%s", id, s.logs)
	}
	if r := s.query(t, `{ influencers(first: 1) { totalCount } }`, nil); r.status != 200 || len(r.gql.Errors) > 0 {
		t.Errorf("after the panic: HTTP %d %s", r.status, r.body)
	}
}

func TestInternalError_DriverErrorShowsOnlyINTERNAL(t *testing.T) {
	s := newFaultyServer(t, func(context.Context) (*model.Viewer, error) {
		return nil, errors.New(`load viewer: pq: relation "secret_agencies" does not exist`)
	})
	r := s.query(t, `{ viewer { anonymous } }`, nil)
	requireOnlyInternal(t, r)
	if !strings.Contains(s.logs.String(), `relation \"secret_agencies\" does not exist`) {
		t.Errorf("the real error is not logged:\n%s", s.logs)
	}
}

func TestClientSafeError_KeepsItsCodeMessageAndField(t *testing.T) {
	s := newFaultyServer(t, func(context.Context) (*model.Viewer, error) {
		return nil, errcode.BadInput("scope", "scope %q is unknown", "nope")
	})
	r := s.query(t, `{ viewer { anonymous } }`, nil)
	if len(r.gql.Errors) != 1 {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
	e := r.gql.Errors[0]
	if e.Extensions["code"] != "BAD_USER_INPUT" || e.Extensions["field"] != "scope" || e.Message != `scope "nope" is unknown` {
		t.Errorf("got %+v", e)
	}
}

// A request out of time is not a bug: 503 SERVICE_UNAVAILABLE with Retry-After, and nothing
// internal in the body.
func TestTimeout_AnswersServiceUnavailable(t *testing.T) {
	s := newTestServer(t, Config{RequestTimeout: time.Nanosecond})
	r := s.query(t, `{ influencers(first: 1) { nodes { id } } }`, nil)
	if r.code() != "SERVICE_UNAVAILABLE" || r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Fatalf("want 503 SERVICE_UNAVAILABLE with Retry-After: HTTP %d %v %s", r.status, r.header, r.body)
	}
	for _, leak := range leaks {
		if strings.Contains(strings.ToLower(r.body), leak) {
			t.Errorf("response leaks %q: %s", leak, r.body)
		}
	}
}

func TestRecoverPanics_OutsideGraphQLAnswers500INTERNAL(t *testing.T) {
	logs := &logBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	h := requestID(accessLog(logger, recoverPanics(logger, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("secret middleware failure")
	}))))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/graphql", nil))
	if w.Code != 500 || strings.TrimSpace(w.Body.String()) != `{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}` {
		t.Errorf("HTTP %d %s", w.Code, w.Body)
	}
	id := w.Header().Get("X-Request-Id")
	recs := logLines(t, logs.String(), "panic serving request")
	if len(recs) != 1 || recs[0]["request_id"] != id || !strings.Contains(recs[0]["panic"].(string), "secret middleware failure") {
		t.Errorf("panic log:\n%s", logs)
	}
	if access := logLines(t, logs.String(), "http request"); len(access) != 1 || access[0]["status"] != float64(500) {
		t.Errorf("access log:\n%s", logs)
	}
}

func TestInternalError_ErrcodeINTERNALMessageIsNotShown(t *testing.T) {
	s := newFaultyServer(t, func(context.Context) (*model.Viewer, error) {
		return nil, errcode.New(errcode.Internal, "load viewer: pq: relation %q does not exist", "secret_agencies")
	})
	requireOnlyInternal(t, s.query(t, `{ viewer { anonymous } }`, nil))
}

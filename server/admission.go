package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/internal/envconf"
)

// Admission control (docs/operations.md): each class of work (db.Class) may run a bounded
// number of requests at once, with a short bounded queue in front; a request that finds the
// queue full, or waits in it longer than AdmissionConfig.QueueWait, is refused at once with
// HTTP 503, Retry-After and SERVICE_UNAVAILABLE, instead of waiting for a database connection
// behind everyone else and timing out. Cheap requests never queue: /healthz and /readyz are
// outside it, a cached response is served before it, and key lookups (node(id:), nodes,
// viewer, registryHead) of a small cost are exempt.

// AdmissionLimit is one class's limit: Concurrent requests at once, Queue more waiting.
type AdmissionLimit struct{ Concurrent, Queue int }

// AdmissionConfig holds the limits per class; a zero limit takes its default.
type AdmissionConfig struct {
	Search, Export, Write, Read AdmissionLimit
	// QueueWait is the longest a queued request waits for a slot before it is refused.
	QueueWait time.Duration
}

// Defaults of AdmissionConfig, for the default pools (db.DefaultPoolConfig): searches take at
// most 4 of the 16 read connections, so plain reads always find some.
var (
	DefaultAdmissionSearch = AdmissionLimit{Concurrent: 4, Queue: 8}
	DefaultAdmissionExport = AdmissionLimit{Concurrent: db.DefaultExportConns, Queue: 0}
	DefaultAdmissionWrite  = AdmissionLimit{Concurrent: db.DefaultWriteConns, Queue: 32}
	DefaultAdmissionRead   = defaultReadLimit(runtime.GOMAXPROCS(0))
)

// defaultReadLimit is ADMISSION_READ's default for a machine of cpus CPUs: 2 plain reads at
// once per CPU (at least 4, at most 12), the rest of 36 queued. A plain read is CPU work in
// this process and in Postgres, on the same CPUs: admitting more than the CPUs can run only
// makes each one slower and the slowest much slower. Measured on 2 CPUs (docs/performance.md,
// "Admitted reads"): 4 at once against 12 gave the same or more requests per second on
// queries A, C, D, E and G of the peer benchmark and 12–17 % fewer on B and F, and cut
// p99/p50 from up to 6.4 to at most 2.9 on every query but A and B.
func defaultReadLimit(cpus int) AdmissionLimit {
	n := min(max(2*cpus, 4), 12)
	return AdmissionLimit{Concurrent: n, Queue: 36 - n}
}

// DefaultAdmissionQueueWait is AdmissionConfig.QueueWait's default: a refusal comes well under 100 ms.
const DefaultAdmissionQueueWait = 30 * time.Millisecond

// cheapCost is the highest cost of a key lookup that bypasses admission control.
const cheapCost = 100

// AdmissionFromEnv reads ADMISSION_SEARCH, ADMISSION_EXPORT, ADMISSION_WRITE, ADMISSION_READ
// ("N" or "N:QUEUE") and ADMISSION_QUEUE_WAIT (a duration) (docs/operations.md).
func AdmissionFromEnv() (AdmissionConfig, error) {
	var c AdmissionConfig
	for name, dst := range map[string]*AdmissionLimit{"ADMISSION_SEARCH": &c.Search, "ADMISSION_EXPORT": &c.Export,
		"ADMISSION_WRITE": &c.Write, "ADMISSION_READ": &c.Read} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		n, q, hasQ := strings.Cut(v, ":")
		cn, err := strconv.Atoi(n)
		qn := 0
		if err == nil && hasQ {
			qn, err = strconv.Atoi(q)
		}
		if err != nil || cn < 1 || qn < 0 {
			return c, fmt.Errorf("%s must be N or N:QUEUE (concurrent requests, queued requests), not %q", name, v)
		}
		if !hasQ {
			qn = cn
		}
		*dst = AdmissionLimit{Concurrent: cn, Queue: qn}
	}
	return c, envconf.Duration("ADMISSION_QUEUE_WAIT", &c.QueueWait, 0, 0)
}

// gate bounds one class: slots holds a token per running request, queue one per waiting one.
type gate struct {
	slots, queue chan struct{}
}

// admission is one handler's admission control.
type admissionControl struct {
	gates    map[db.Class]*gate
	wait     time.Duration
	refusals *prometheus.CounterVec
}

func newAdmission(c AdmissionConfig) *admissionControl {
	or := func(l, d AdmissionLimit) AdmissionLimit {
		if l.Concurrent <= 0 {
			return d
		}
		return l
	}
	a := &admissionControl{
		gates: map[db.Class]*gate{},
		wait:  c.QueueWait,
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "kolregistry", Subsystem: "admission", Name: "refusals_total",
			Help: "Requests refused by admission control (HTTP 503 SERVICE_UNAVAILABLE), by class.",
		}, []string{"class"}),
	}
	if a.wait <= 0 {
		a.wait = DefaultAdmissionQueueWait
	}
	for class, l := range map[db.Class]AdmissionLimit{
		db.ClassSearch: or(c.Search, DefaultAdmissionSearch), db.ClassExport: or(c.Export, DefaultAdmissionExport),
		db.ClassWrite: or(c.Write, DefaultAdmissionWrite), db.ClassRead: or(c.Read, DefaultAdmissionRead),
	} {
		a.gates[class] = &gate{slots: make(chan struct{}, l.Concurrent), queue: make(chan struct{}, l.Queue)}
		a.refusals.WithLabelValues(string(class)) // every class shows, at 0
	}
	return a
}

// acquire takes a slot of class, waiting in its queue for at most the queue wait. It returns
// the release func, or ok false (counted as a refusal) when the class is saturated.
func (a *admissionControl) acquire(ctx context.Context, class db.Class) (release func(), ok bool) {
	g := a.gates[class]
	if g == nil {
		return func() {}, true
	}
	release = func() { <-g.slots }
	select {
	case g.slots <- struct{}{}:
		return release, true
	default:
	}
	select {
	case g.queue <- struct{}{}:
		defer func() { <-g.queue }()
	default:
		a.refusals.WithLabelValues(string(class)).Inc()
		return nil, false
	}
	t := time.NewTimer(a.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return release, true
	case <-t.C:
	case <-ctx.Done():
	}
	a.refusals.WithLabelValues(string(class)).Inc()
	return nil, false
}

// retryAfter is the Retry-After of a refusal of class, in seconds: exports run for minutes.
func retryAfter(class db.Class) string {
	if class == db.ClassExport {
		return "10"
	}
	return "1"
}

// writeOverloaded answers a request refused by admission control.
func writeOverloaded(w http.ResponseWriter, r *http.Request, class db.Class) {
	w.Header().Set("Retry-After", retryAfter(class))
	writeError(w, r, http.StatusServiceUnavailable, errcode.ServiceUnavailable,
		fmt.Sprintf("the server is at its limit of %s requests; retry after %s s", class, retryAfter(class)))
}

// searchFields are the root fields of the search class; a facets selection on a root
// connection puts a query in it too.
var searchFields = map[string]bool{"search": true, "vettingReport": true, "screen": true}

// keyLookups are the root fields that fetch by key: cheap at a small cost.
var keyLookups = map[string]bool{"node": true, "nodes": true, "viewer": true, "registryHead": true, "__typename": true}

// classify is the admission class of an operation, and whether it is a cheap key lookup
// that bypasses admission.
func classify(op *ast.OperationDefinition, cost int) (class db.Class, cheap bool) {
	switch op.Operation {
	case ast.Mutation:
		return db.ClassWrite, false
	case ast.Subscription:
		return db.ClassRead, true // held by the WebSocket, not a database connection
	}
	class, cheap = db.ClassRead, cost <= cheapCost
	for _, f := range rootFields(op.SelectionSet) {
		if searchFields[f.Name] || hasFacets(f.SelectionSet) {
			class = db.ClassSearch
		}
		if !keyLookups[f.Name] {
			cheap = false
		}
	}
	return class, cheap && class == db.ClassRead
}

// rootFields are the fields of a selection set, through fragments.
func rootFields(set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			out = append(out, s)
		case *ast.InlineFragment:
			out = append(out, rootFields(s.SelectionSet)...)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				out = append(out, rootFields(s.Definition.SelectionSet)...)
			}
		}
	}
	return out
}

func hasFacets(set ast.SelectionSet) bool {
	for _, f := range rootFields(set) {
		if f.Name == "facets" {
			return true
		}
	}
	return false
}

package server

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/kolregistry/kolregistry/events"
)

// The operator's series beyond the request counters of metrics.go (docs/deployment.md,
// "Runbook"): GraphQL operations by name, exports, log reads and WebSocket sessions each as
// their own family, persisted queries, subscriptions and the build.

// maxOperationNames bounds the operation-name label: names are chosen by clients, so the first
// maxOperationNames distinct ones get their own series and later ones share "other".
const maxOperationNames = 200

type opMetrics struct {
	operations *prometheus.CounterVec   // {type, name, status}
	opDuration *prometheus.HistogramVec // {type, name}
	exports    *prometheus.CounterVec   // {file, status}
	exportTime *prometheus.HistogramVec // {file}
	logReads   *prometheus.CounterVec   // {endpoint, status}
	wsOpen     prometheus.Gauge
	wsSessions *prometheus.CounterVec // {status}: accepted (101) or refused
	wsDuration prometheus.Histogram
	apq        *prometheus.CounterVec // {result}: hit, miss, registered

	mu    sync.Mutex
	names map[string]bool
}

func newOpMetrics() *opMetrics {
	return &opMetrics{
		operations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "kolregistry", Subsystem: "graphql", Name: "operations_total",
			Help: "GraphQL operations over HTTP by type (query, mutation), operation name (\"anonymous\" " +
				"without one, \"other\" past the first 200 distinct names) and HTTP status.",
		}, []string{"type", "name", "status"}),
		opDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "kolregistry", Subsystem: "graphql", Name: "operation_duration_seconds",
			Help:    "Time to answer a GraphQL operation over HTTP, by type and operation name.",
			Buckets: prometheus.DefBuckets,
		}, []string{"type", "name"}),
		exports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "kolregistry", Subsystem: "export", Name: "requests_total",
			Help: "Bulk exports (/export/{file}) by file and HTTP status.",
		}, []string{"file", "status"}),
		exportTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "kolregistry", Subsystem: "export", Name: "duration_seconds",
			Help:    "Time to stream one export to the end, by file.",
			Buckets: []float64{0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}, []string{"file"}),
		logReads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "kolregistry", Subsystem: "log", Name: "requests_total",
			Help: "Reads of the transparency log (/log/checkpoint, /log/tile/…) by endpoint and HTTP status.",
		}, []string{"endpoint", "status"}),
		wsOpen: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "kolregistry", Subsystem: "websocket", Name: "connections",
			Help: "WebSocket connections (live-alert subscriptions) open now.",
		}),
		wsSessions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "kolregistry", Subsystem: "websocket", Name: "sessions_total",
			Help: "WebSocket upgrade requests by outcome: accepted, or the HTTP status of the refusal.",
		}, []string{"status"}),
		wsDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: "kolregistry", Subsystem: "websocket", Name: "session_duration_seconds",
			Help:    "How long accepted WebSocket sessions lasted.",
			Buckets: []float64{1, 10, 60, 300, 900, 3600, 4 * 3600, 24 * 3600},
		}),
		apq: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "kolregistry", Subsystem: "graphql", Name: "persisted_queries_total",
			Help: "Automatic persisted query lookups by result: hit, miss (the client must send the document), registered.",
		}, []string{"result"}),
		names: map[string]bool{},
	}
}

// collectors are the families above, the build info, and the live-alert subscriptions of bus.
func (o *opMetrics) collectors(bus *events.Bus) []prometheus.Collector {
	b := Build()
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: "kolregistry", Name: "build_info",
		Help:        "Always 1; the labels say which build is running (GET /version).",
		ConstLabels: prometheus.Labels{"version": b.Version, "commit": b.Commit, "date": b.Date, "goversion": b.GoVersion},
	})
	build.Set(1)
	cs := []prometheus.Collector{o.operations, o.opDuration, o.exports, o.exportTime, o.logReads,
		o.wsOpen, o.wsSessions, o.wsDuration, o.apq, build}
	if bus != nil {
		cs = append(cs, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Namespace: "kolregistry", Subsystem: "live", Name: "subscriptions",
			Help: "Live-alert subscriptions open on this replica (over all WebSocket connections).",
		}, func() float64 { return float64(bus.Subscribers()) }))
	}
	return cs
}

// operationName is the label for a client's operation name: bounded in count and in spelling.
func (o *opMetrics) operationName(name string) string {
	if name == "" {
		return "anonymous"
	}
	if len(name) > 64 || strings.IndexFunc(name, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) >= 0 {
		return "other"
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.names[name] {
		if len(o.names) >= maxOperationNames {
			return "other"
		}
		o.names[name] = true
	}
	return name
}

// observeOperation records one GraphQL operation answered over HTTP.
func (o *opMetrics) observeOperation(kind, name string, status int, took time.Duration) {
	n := o.operationName(name)
	o.operations.WithLabelValues(kind, n, strconv.Itoa(status)).Inc()
	o.opDuration.WithLabelValues(kind, n).Observe(took.Seconds())
}

// isWebSocket reports whether r asks to upgrade to a WebSocket.
func isWebSocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// websocketSession counts and times one upgrade request handled by next.
func (o *opMetrics) websocketSession(next http.Handler, w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	o.wsOpen.Inc()
	sw := wrapWriter(w)
	defer func() {
		o.wsOpen.Dec()
		// An accepted upgrade writes nothing through the wrapper (101 is informational and the
		// connection is hijacked); a refusal writes its status.
		if !sw.written() {
			o.wsSessions.WithLabelValues("accepted").Inc()
			o.wsDuration.Observe(time.Since(start).Seconds())
		} else {
			o.wsSessions.WithLabelValues(strconv.Itoa(sw.statusCode())).Inc()
		}
	}()
	next.ServeHTTP(sw, r)
}

// instrumentExport counts and times the exports next streams.
func (o *opMetrics) instrumentExport(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := wrapWriter(w)
		next.ServeHTTP(sw, r)
		file := r.PathValue("file")
		if !strings.HasSuffix(file, ".ndjson") && !strings.HasSuffix(file, ".csv") || len(file) > 40 {
			file = "other"
		}
		o.exports.WithLabelValues(file, strconv.Itoa(sw.statusCode())).Inc()
		if sw.statusCode() == http.StatusOK {
			o.exportTime.WithLabelValues(file).Observe(time.Since(start).Seconds())
		}
	})
}

// instrumentLog counts the reads of one transparency-log endpoint.
func (o *opMetrics) instrumentLog(endpoint string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := wrapWriter(w)
		next.ServeHTTP(sw, r)
		o.logReads.WithLabelValues(endpoint, strconv.Itoa(sw.statusCode())).Inc()
	})
}

// countedAPQ counts the persisted-query lookups of the cache it wraps.
type countedAPQ struct {
	graphql.Cache[string]
	apq *prometheus.CounterVec
}

func (c countedAPQ) Get(ctx context.Context, hash string) (string, bool) {
	q, ok := c.Cache.Get(ctx, hash)
	if ok {
		c.apq.WithLabelValues("hit").Inc()
	} else {
		c.apq.WithLabelValues("miss").Inc()
	}
	return q, ok
}

func (c countedAPQ) Add(ctx context.Context, hash string, query string) {
	c.apq.WithLabelValues("registered").Inc()
	c.Cache.Add(ctx, hash, query)
}

package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kolregistry/kolregistry/db"
)

// metrics are the server's Prometheus series. Each handler has its own registry, so several
// servers (tests) can live in one process.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	ops      *opMetrics // by operation name, exports, log, WebSockets, APQ, build (opmetrics.go)
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		ops:      newOpMetrics(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "kolregistry",
			Subsystem: "graphql",
			Name:      "requests_total",
			Help: "GraphQL HTTP requests by operation kind (query, mutation, subscription; " +
				"none when the request failed before an operation was chosen) and HTTP status.",
		}, []string{"operation", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "kolregistry",
			Subsystem: "graphql",
			Name:      "request_duration_seconds",
			Help:      "Time to answer a GraphQL HTTP request, by operation kind and HTTP status.",
			Buckets:   prometheus.DefBuckets,
		}, []string{"operation", "status"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "kolregistry",
			Subsystem: "graphql",
			Name:      "errors_total",
			Help:      "GraphQL errors sent to clients, by errors[].extensions.code.",
		}, []string{"code"}),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.errors,
	)
	return m
}

// registerPools exports the statistics of every connection pool of the store (connections in
// use and idle, waits for a connection and the time spent waiting), labelled db_name=<pool>:
// go_sql_in_use_connections, go_sql_idle_connections, go_sql_wait_count_total,
// go_sql_wait_duration_seconds_total, go_sql_max_open_connections and the rest.
func (m *metrics) registerPools(store *db.DB) {
	if store == nil {
		return
	}
	for name, p := range store.Pools() {
		m.registry.MustRegister(collectors.NewDBStatsCollector(p, name))
	}
}

// instrument counts and times the GraphQL requests that pass through it; WebSocket sessions
// are counted in their own family, not as requests.
func (m *metrics) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebSocket(r) {
			m.ops.websocketSession(next, w, r)
			return
		}
		start := time.Now()
		sw := wrapWriter(w)
		next.ServeHTTP(sw, r)
		took := time.Since(start)
		op := "none"
		info := infoFrom(r.Context())
		if info != nil && info.operation != "" {
			op = info.operation
			m.ops.observeOperation(info.operation, info.operationName, sw.statusCode(), took)
		}
		status := strconv.Itoa(sw.statusCode())
		m.requests.WithLabelValues(op, status).Inc()
		m.duration.WithLabelValues(op, status).Observe(took.Seconds())
	})
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

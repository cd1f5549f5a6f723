package server

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/kolregistry/kolregistry/db"
)

// healthz answers while the process can serve HTTP at all: a liveness probe.
func healthz(w http.ResponseWriter, r *http.Request) {
	writeProbe(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readiness is the /readyz body: the state of each backing service.
type readiness struct {
	// Status is "shutting down" once the server has begun to drain (SIGTERM): the balancer
	// must stop sending, while the requests it still sends are served (docs/operations.md).
	Status   string `json:"status,omitempty"`
	Postgres string `json:"postgres"`
	// Redis is "ok", "degraded" (unreachable: serving uncached with local rate limits) or
	// "not configured". Losing Redis never makes the server unready.
	Redis string `json:"redis"`
	// Pools names the connection pools with every connection in use ("saturated"): busy, not
	// down, so the server stays ready; admission control refuses what it cannot take.
	Pools map[string]string `json:"pools,omitempty"`
}

// readyz answers 200 when Postgres answers a ping on the health pool's own connection (with its
// own short timeout, db.DB.Ping), 503 when it does not or once draining is closed.
func readyz(store *db.DB, c *caches, draining <-chan struct{}, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-draining:
			writeProbe(w, http.StatusServiceUnavailable, readiness{Status: "shutting down", Postgres: "not checked", Redis: "not checked"})
			return
		default:
		}
		state := readiness{Postgres: "ok", Redis: c.redisStatus(r.Context())}
		status := http.StatusOK
		if err := store.Ping(r.Context()); err != nil {
			logger.WarnContext(r.Context(), "readiness: postgres unreachable",
				"request_id", RequestID(r.Context()), "error", err.Error())
			state.Postgres = "unavailable"
			status = http.StatusServiceUnavailable
		}
		for name, s := range store.PoolStats() {
			if name != "health" && s.MaxOpenConnections > 0 && s.InUse >= s.MaxOpenConnections {
				if state.Pools == nil {
					state.Pools = map[string]string{}
				}
				state.Pools[name] = "saturated"
			}
		}
		writeProbe(w, status, state)
	})
}

func writeProbe(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

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
	Postgres string `json:"postgres"`
	// Redis is "ok", "degraded" (unreachable: serving uncached with local rate limits) or
	// "not configured". Losing Redis never makes the server unready.
	Redis string `json:"redis"`
}

// readyz answers 200 when Postgres answers a ping, 503 otherwise: a readiness probe.
func readyz(store *db.DB, c *caches, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		state := readiness{Postgres: "ok", Redis: c.redisStatus(r.Context())}
		status := http.StatusOK
		if err := store.Ping(r.Context()); err != nil {
			logger.WarnContext(r.Context(), "readiness: postgres unreachable",
				"request_id", RequestID(r.Context()), "error", err.Error())
			state.Postgres = "unavailable"
			status = http.StatusServiceUnavailable
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

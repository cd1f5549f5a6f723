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
	// Redis is "not configured" until the cache lands; losing Redis must never make the
	// server unready (ARCHITECTURE.md §1), so it will be reported, not required.
	Redis string `json:"redis"`
}

// readyz answers 200 when Postgres answers a ping, 503 otherwise: a readiness probe.
func readyz(store *db.DB, logger *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		state := readiness{Postgres: "ok", Redis: "not configured"}
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

package main

import (
	"log/slog"

	"github.com/kolregistry/kolregistry/cache"
	"github.com/kolregistry/kolregistry/events"
)

// liveAlerts is the bus of the live-alert subscriptions (docs/alerts.md): over the process's
// Redis connection when REDIS_URL is set, so that a write on any replica reaches subscribers
// on all of them; in process otherwise.
func liveAlerts(r *cache.Redis, logger *slog.Logger) *events.Bus {
	if r == nil {
		logger.Warn("REDIS_URL is not set: live alerts reach only the subscribers of this replica")
		return events.New(nil, events.Options{Logger: logger})
	}
	return events.New(r.Client(), events.Options{Logger: logger})
}

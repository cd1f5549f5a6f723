// Package resolvers implements the GraphQL schema: thin functions that check access, load
// through the per-request dataloaders or the db store, and map rows to graph/model types.
package resolvers

import (
	"crypto/ed25519"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/events"
	"github.com/kolregistry/kolregistry/permalink"
	"github.com/kolregistry/kolregistry/translog"
)

// Resolver holds the dependencies every resolver needs.
type Resolver struct {
	store *db.DB
	// signingKey signs registryHead (REGISTRY_SIGNING_KEY); nil leaves the signature null.
	signingKey ed25519.PrivateKey
	// events carries live alerts: mutations publish after commit, subscriptions listen.
	events *events.Bus
	// base is where the public pages live (PUBLIC_BASE_URL): the url fields are absolute.
	base permalink.Base
	// webhookAllowPrivate lets webhook endpoints resolve to private addresses (tests only).
	webhookAllowPrivate bool
	// log names the transparency log and signs its checkpoints (unsigned without a key).
	log translog.Identity
}

// WithLog makes registryHead carry checkpoints of the log id.
func (r *Resolver) WithLog(id translog.Identity) *Resolver {
	r.log = id
	return r
}

// WithSigningKey makes registryHead signed with key.
func (r *Resolver) WithSigningKey(key ed25519.PrivateKey) *Resolver {
	r.signingKey = key
	return r
}

// WithEvents makes mutations announce their commits on bus and subscriptions listen to it.
// Without it, subscriptions are refused and nothing is published.
func (r *Resolver) WithEvents(bus *events.Bus) *Resolver {
	r.events = bus
	return r
}

// New returns the root resolver over the store. Every request's context must also carry
// dataloaders: wrap the handler with Middleware (or call WithLoaders).
func New(store *db.DB) *Resolver {
	return &Resolver{store: store, base: permalink.NewBase("", "127.0.0.1:8080"),
		log: translog.Identity{Origin: translog.DefaultOrigin}}
}

package server

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
)

// Authenticator verifies the credentials a request carries (a JWT bearer
// token of an accredited agency). It returns the context to serve the request with, carrying
// the calling agency for the resolvers, or an error. An error holding an UNAUTHENTICATED
// *errcode.Error is a refusal, answered HTTP 401 with that error's message; any other error
// (Postgres unreachable while reading the agency) is not the client's: an outage or timeout
// (db.IsUnavailable) is answered 503 SERVICE_UNAVAILABLE with Retry-After, anything else 500
// INTERNAL, since the credentials may well be fine. *auth.Authenticator implements it.
//
// Requests without an Authorization header never reach it: they are anonymous readers.
type Authenticator interface {
	Authenticate(r *http.Request) (context.Context, error)
}

// authenticate is the seam where JWT verification plugs in. Until an Authenticator is
// configured, a request that carries credentials is refused rather than served anonymously:
// a token the server cannot verify must never be silently ignored.
func authenticate(a Authenticator, logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, present := r.Header["Authorization"]; !present {
			next.ServeHTTP(w, r)
			return
		}
		if a == nil {
			refuse(w, r, "this server does not accept credentials yet; send no Authorization header to read anonymously")
			return
		}
		ctx, err := a.Authenticate(r)
		if e, ok := errcode.As(err); ok && e.Code == errcode.Unauthenticated {
			logger.InfoContext(r.Context(), "credentials refused",
				"request_id", RequestID(r.Context()), "error", err.Error())
			refuse(w, r, e.Message)
			return
		}
		if err != nil && db.IsUnavailable(err) {
			// The credentials may well be fine: the outage is what the client must hear of.
			logger.WarnContext(r.Context(), "authentication: database unavailable",
				"request_id", RequestID(r.Context()), "error", err.Error())
			w.Header().Set("Retry-After", "1")
			writeError(w, r, http.StatusServiceUnavailable, errcode.ServiceUnavailable, unavailableMessage)
			return
		}
		if err != nil {
			logger.ErrorContext(r.Context(), "authentication failed",
				"request_id", RequestID(r.Context()), "error", err.Error())
			writeError(w, r, http.StatusInternalServerError, errcode.Internal, internalMessage)
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func refuse(w http.ResponseWriter, r *http.Request, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="kolregistry"`)
	writeError(w, r, http.StatusUnauthorized, errcode.Unauthenticated, msg)
}

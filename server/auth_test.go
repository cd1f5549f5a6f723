package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"

	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/graph/errcode"
)

// The auth package's authenticator plugs into the seam as it is.
var _ Authenticator = (*auth.Authenticator)(nil)

func TestAuth_RefusesCredentialsUntilJWTIsConfigured(t *testing.T) {
	s := newTestServer(t, Config{})
	for _, header := range []string{"Bearer eyJhbGciOiJub25lIn0.e30.", ""} {
		r := s.query(t, goodQuery, nil, "Authorization", header)
		if r.status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" || r.header.Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: HTTP %d %s", header, r.status, r.body)
		}
	}
	s.requireHealthy(t) // no header: anonymous
}

// authFunc adapts a function to Authenticator.
type authFunc func(r *http.Request) (context.Context, error)

func (f authFunc) Authenticate(r *http.Request) (context.Context, error) { return f(r) }

type callerKey struct{}

func TestAuth_SeamRefusesServesOrFailsAsTheAuthenticatorSays(t *testing.T) {
	a := authFunc(func(r *http.Request) (context.Context, error) {
		switch r.Header.Get("Authorization") {
		case "Bearer good":
			return context.WithValue(r.Context(), callerKey{}, "agency-a"), nil
		case "Bearer expired":
			return nil, fmt.Errorf("verify: %w", errcode.New(errcode.Unauthenticated, "token has expired"))
		case "Bearer outage":
			return nil, fmt.Errorf("read agency: %w", syscall.ECONNREFUSED)
		default:
			return nil, errors.New("read agency: pq: connection refused")
		}
	})
	var caller any
	h := authenticate(a, slog.New(slog.DiscardHandler), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller = r.Context().Value(callerKey{})
	}))
	for _, c := range []struct {
		header, wantBody string
		status           int
	}{
		{"Bearer good", "", 200},
		{"Bearer expired", `{"errors":[{"message":"token has expired","extensions":{"code":"UNAUTHENTICATED"}}]}`, 401},
		{"Bearer whatever", `{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`, 500},
		{"Bearer outage", `{"errors":[{"message":"the registry's database is unavailable; retry later","extensions":{"code":"SERVICE_UNAVAILABLE"}}]}`, 503},
	} {
		caller = nil
		req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		req.Header.Set("Authorization", c.header)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != c.status || strings.TrimSpace(w.Body.String()) != c.wantBody {
			t.Errorf("%s: HTTP %d %s", c.header, w.Code, w.Body)
		}
		if (c.status == 200) != (caller == "agency-a") {
			t.Errorf("%s: handler saw caller %v", c.header, caller)
		}
	}
}

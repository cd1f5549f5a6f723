package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
)

// internalMessage is all a client learns of an error it did not cause.
const internalMessage = "internal error"

// unavailableMessage is what a client learns of a database outage (SERVICE_UNAVAILABLE).
const unavailableMessage = "the registry's database is unavailable; retry later"

// errPanicked is what the recover func hands the presenter after logging the panic.
var errPanicked = errors.New("panic while resolving")

// presenter is the one place where errors become what clients see: every
// error leaves with an extensions.code, and only client-safe text leaves at all.
type presenter struct {
	logger *slog.Logger
	counts *prometheus.CounterVec // by code
}

// present is gqlgen's error presenter. It never mutates err: gqlgen may share it.
func (p *presenter) present(ctx context.Context, err error) *gqlerror.Error {
	if err == nil {
		return nil
	}
	out := &gqlerror.Error{}
	var gqlErr *gqlerror.Error
	if errors.As(err, &gqlErr) {
		out.Path = gqlErr.Path
		out.Locations = gqlErr.Locations
	}
	code, msg, field := p.classify(ctx, err, gqlErr)
	out.Message = msg
	out.Extensions = map[string]any{"code": string(code)}
	if field != "" {
		out.Extensions["field"] = field
	}
	p.counts.WithLabelValues(string(code)).Inc()
	return out
}

// classify decides an error's code and the message shown for it.
func (p *presenter) classify(ctx context.Context, err error, gqlErr *gqlerror.Error) (code errcode.Code, msg, field string) {
	if e, ok := errcode.As(err); ok {
		if e.Code == errcode.Internal {
			// Safe by contract, but an INTERNAL message is the one most likely to carry a
			// wrapped cause: log it and show nothing.
			p.logger.ErrorContext(ctx, "graphql internal error",
				"request_id", RequestID(ctx), "path", pathOf(gqlErr), "error", e.Message)
			return errcode.Internal, internalMessage, ""
		}
		return e.Code, e.Message, e.Field
	}
	if db.IsBadText(err) {
		// The backstop of text.go: text Postgres refused reached the store unchecked.
		p.logger.WarnContext(ctx, "bad text reached the store", "request_id", RequestID(ctx), "path", pathOf(gqlErr))
		return errcode.BadUserInput, "the request " + db.BadTextMessage, ""
	}
	if errors.Is(err, errPanicked) {
		return errcode.Internal, internalMessage, "" // logged, with its stack, by recoverPanic
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// The request's deadline or a statement's timeout: the server is too busy or the
		// database too slow now, not a bug. HTTP 503 with Retry-After (cache.go).
		p.logger.WarnContext(ctx, "graphql request ran out of time",
			"request_id", RequestID(ctx), "path", pathOf(gqlErr), "error", err.Error())
		return errcode.ServiceUnavailable, "request timed out; retry later", ""
	}
	if errors.Is(err, context.Canceled) {
		p.logger.WarnContext(ctx, "graphql request cancelled",
			"request_id", RequestID(ctx), "path", pathOf(gqlErr), "error", err.Error())
		return errcode.Internal, "request timed out or was cancelled", ""
	}
	if db.IsUnavailable(err) {
		p.logger.WarnContext(ctx, "graphql request met an unavailable database",
			"request_id", RequestID(ctx), "path", pathOf(gqlErr), "error", err.Error())
		return errcode.ServiceUnavailable, unavailableMessage, ""
	}
	if gqlErr != nil && gqlErr.Err == nil && graphql.GetFieldContext(ctx) == nil {
		// gqlgen's own request errors, raised before execution: parsing and validation
		// (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED), variable coercion, the complexity
		// limit. They are about the request and say nothing internal.
		switch c, _ := gqlErr.Extensions["code"].(string); errcode.Code(c) {
		case errcode.ComplexityLimitExceeded, errcode.PersistedQueryNotFound:
			return errcode.Code(c), gqlErr.Message, ""
		default:
			return errcode.BadUserInput, withoutSuggestions(gqlErr.Message), ""
		}
	}
	if gqlErr != nil && argumentsRejected(ctx) {
		// A field's arguments failed to unmarshal (a custom scalar such as Date, an input
		// object): the message comes from the unmarshaler and is about the value sent.
		return errcode.BadUserInput, gqlErr.Message, ""
	}
	cause := err
	if gqlErr != nil && gqlErr.Err != nil {
		cause = gqlErr.Err
	}
	p.logger.ErrorContext(ctx, "graphql internal error",
		"request_id", RequestID(ctx), "path", pathOf(gqlErr), "error", cause.Error())
	return errcode.Internal, internalMessage, ""
}

// argumentsRejected reports whether ctx is a field whose arguments could not be coerced:
// gqlgen leaves the field context's Args nil exactly then.
func argumentsRejected(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	return fc != nil && fc.Args == nil && fc.Field.Field != nil && len(fc.Field.Arguments) > 0
}

// withoutSuggestions drops the "Did you mean …?" that some gqlparser rules append even with
// gqlgen's suggestions turned off (enum values, argument and type names).
func withoutSuggestions(msg string) string {
	if i := strings.Index(msg, " Did you mean"); i >= 0 {
		return msg[:i]
	}
	return msg
}

func pathOf(gqlErr *gqlerror.Error) string {
	if gqlErr == nil || len(gqlErr.Path) == 0 {
		return ""
	}
	return gqlErr.Path.String()
}

// recoverPanic is gqlgen's recover func: a resolver panic is logged with its stack and the
// request id, and the client sees INTERNAL.
func (p *presenter) recoverPanic(ctx context.Context, v any) error {
	p.logger.ErrorContext(ctx, "panic in graphql resolver",
		"request_id", RequestID(ctx),
		"path", graphql.GetPath(ctx).String(),
		"panic", fmt.Sprint(v),
		"stack", string(debug.Stack()))
	return errPanicked
}

// The response media types of GraphQL over HTTP.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// responseMediaType picks the response type from Accept, in the client's order:
// application/graphql-response+json when asked for, application/json otherwise
// (the GraphQL-over-HTTP default when Accept is missing or says */*).
func responseMediaType(r *http.Request) string {
	for part := range strings.SplitSeq(r.Header.Get("Accept"), ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		case mediaJSON, "application/*", "*/*":
			return mediaJSON
		}
	}
	return mediaJSON
}

// errorBody is a GraphQL response to a request that never reached execution: no data entry.
type errorBody struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// writeError answers a request the server refuses before GraphQL execution, in the shape of a
// GraphQL response so that every client reads errors[0].extensions.code the same way.
func writeError(w http.ResponseWriter, r *http.Request, status int, code errcode.Code, msg string) {
	writeJSON(w, r, status, errorBody{Errors: gqlerror.List{{
		Message:    msg,
		Extensions: map[string]any{"code": string(code)},
	}}})
}

func writeJSON(w http.ResponseWriter, r *http.Request, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		// Only a value that cannot be JSON gets here: a bug, never client input.
		status = http.StatusInternalServerError
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	writeBody(w, r, status, b)
}

// writeBody writes a whole GraphQL response body with its length: the server then sends it
// as it is, not in chunks with a last empty chunk in a write of its own (for a cached answer of
// 29 kB, one system call of three; docs/performance.md, "Cached").
func writeBody(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", responseMediaType(r)+"; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// statusForRequestError is the HTTP status of a GraphQL response without data. GraphQL over
// HTTP: with application/json, 200 (legacy clients read the body, not the status); with
// application/graphql-response+json, 400. Codes with their own HTTP meaning keep it.
func statusForRequestError(media string, errs gqlerror.List) int {
	for _, e := range errs {
		switch c, _ := e.Extensions["code"].(string); errcode.Code(c) {
		case errcode.Unauthenticated:
			return http.StatusUnauthorized
		case errcode.Forbidden:
			return http.StatusForbidden
		case errcode.RateLimited:
			return http.StatusTooManyRequests
		case errcode.ServiceUnavailable:
			return http.StatusServiceUnavailable
		case errcode.Internal:
			return http.StatusInternalServerError
		}
	}
	if media == mediaGraphQLResponse {
		return http.StatusBadRequest
	}
	return http.StatusOK
}

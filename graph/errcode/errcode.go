// Package errcode defines the error codes clients see in errors[].extensions.code and the
// typed errors that carry them. The server's one error presenter turns these into GraphQL
// errors; anything else is logged and shown only as INTERNAL.
package errcode

import (
	"errors"
	"fmt"
)

// Code is a value of errors[].extensions.code.
type Code string

const (
	Unauthenticated         Code = "UNAUTHENTICATED"
	Forbidden               Code = "FORBIDDEN"
	NotFound                Code = "NOT_FOUND"
	BadUserInput            Code = "BAD_USER_INPUT"
	RateLimited             Code = "RATE_LIMITED"
	ComplexityLimitExceeded Code = "COMPLEXITY_LIMIT_EXCEEDED"
	PersistedQueryNotFound  Code = "PERSISTED_QUERY_NOT_FOUND"
	// ResponseTooLarge: the response would pass MAX_RESPONSE_BYTES (docs/limits.md).
	ResponseTooLarge Code = "RESPONSE_TOO_LARGE"
	// ServiceUnavailable: the server cannot do the work now (at its limit for the class of
	// work, Postgres unavailable, a statement out of time): HTTP 503 with Retry-After; the same
	// request may well succeed later (docs/operations.md).
	ServiceUnavailable Code = "SERVICE_UNAVAILABLE"
	Internal           Code = "INTERNAL"
)

// Error is an error whose message is safe to show to a client.
type Error struct {
	Code    Code
	Message string
	// Field, when set, names the argument at fault (e.g. "first", "filter.influencerId").
	Field string
}

func (e *Error) Error() string { return e.Message }

// New returns a client-safe error with a code.
func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// BadInput returns a BAD_USER_INPUT error about one argument.
func BadInput(field, format string, args ...any) *Error {
	return &Error{Code: BadUserInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

// As returns the client-safe error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Package model holds the Go types behind the GraphQL schema: the hand-written entity and
// connection types in this file's neighbours, and the generated enums and inputs in models_gen.go.
package model

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// DateLayout is the wire form of the Date scalar.
const DateLayout = "2006-01-02"

// MaxInt64 bounds the Int64 scalar: every value must survive a JSON number (IEEE 754 double) exactly.
const MaxInt64 = 1<<53 - 1

// MarshalDate writes a calendar date as "2006-01-02".
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.Format(DateLayout)))
	})
}

// UnmarshalDate reads "2006-01-02".
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		//lint:ignore ST1005 the message starts with the scalar's name, as clients see it
		return time.Time{}, fmt.Errorf("Date must be a string like \"2025-03-20\"")
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		//lint:ignore ST1005 the message starts with the scalar's name, as clients see it
		return time.Time{}, fmt.Errorf("Date must look like \"2025-03-20\", got %q", s)
	}
	return t, nil
}

// MarshalInt64 writes an int64 as a JSON number.
func MarshalInt64(v int64) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.FormatInt(v, 10))
	})
}

// UnmarshalInt64 accepts a JSON number or numeric string with |v| < 2^53.
func UnmarshalInt64(v any) (int64, error) {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case float64:
		if x != float64(int64(x)) {
			return 0, fmt.Errorf("Int64 must be a whole number")
		}
		n = int64(x)
	case string:
		p, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("Int64 must be a whole number")
		}
		n = p
	case interface{ Int64() (int64, error) }: // json.Number
		p, err := x.Int64()
		if err != nil {
			return 0, fmt.Errorf("Int64 must be a whole number")
		}
		n = p
	default:
		return 0, fmt.Errorf("Int64 must be a whole number")
	}
	if n > MaxInt64 || n < -MaxInt64 {
		return 0, fmt.Errorf("Int64 must be between -(2^53-1) and 2^53-1")
	}
	return n, nil
}

// JSON is a JSON value passed through as it is (audit diffs).
type JSON json.RawMessage

// MarshalGQL writes the raw JSON.
func (j JSON) MarshalGQL(w io.Writer) {
	if len(j) == 0 {
		io.WriteString(w, "null")
		return
	}
	w.Write(j)
}

// UnmarshalGQL accepts any JSON value.
func (j *JSON) UnmarshalGQL(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("JSON: %w", err)
	}
	*j = b
	return nil
}

package registry

import (
	"database/sql/driver"
	"fmt"
)

// scanText reads a text column into a string-typed enum value, refusing a value outside valid.
func scanText(src any, valid func(string) bool, what string) (string, error) {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return "", fmt.Errorf("scan %s: unsupported type %T", what, src)
	}
	if !valid(s) {
		return "", fmt.Errorf("scan %s: unknown value %q", what, s)
	}
	return s, nil
}

func textValue(s string) (driver.Value, error) { return s, nil }

// Strings converts a set of enum values to plain strings (for pq.Array in a query).
func Strings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

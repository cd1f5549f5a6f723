// Package envconf reads the server's settings from environment variables: one parser per kind
// of value, so every variable is checked the same way and every refusal reads the same (the
// variable, what it must be, what was given). An unset or empty variable leaves the default.
package envconf

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Duration sets *dst from the variable name, a Go duration ("500ms", "5s") from least to most;
// most 0 means no upper bound.
func Duration(name string, dst *time.Duration, least, most time.Duration) error {
	v := os.Getenv(name)
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < least || (most > 0 && d > most) {
		if most > 0 {
			return fmt.Errorf("%s must be a duration from %s to %s (such as 5s), not %q", name, least, most, v)
		}
		return fmt.Errorf("%s must be a duration of at least %s (such as 5s), not %q", name, least, v)
	}
	*dst = d
	return nil
}

// Int sets *dst from the variable name, a whole number from least to most; most 0 means no
// upper bound. unit names what it counts in the refusal ("connections", "bytes").
func Int[T int | int64](name string, dst *T, least, most T, unit string) error {
	v := os.Getenv(name)
	if v == "" {
		return nil
	}
	parsed, err := strconv.ParseInt(v, 10, 64)
	n := T(parsed)
	if err != nil || int64(n) != parsed || n < least || (most > 0 && n > most) {
		if most > 0 {
			return fmt.Errorf("%s must be a number of %s from %d to %d, not %q", name, unit, least, most, v)
		}
		return fmt.Errorf("%s must be a number of %s of at least %d, not %q", name, unit, least, v)
	}
	*dst = n
	return nil
}

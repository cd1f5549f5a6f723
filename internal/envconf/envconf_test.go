package envconf

import (
	"strings"
	"testing"
	"time"
)

func TestDuration_ParsesWithinBoundsAndRefusesTheRest(t *testing.T) {
	for _, c := range []struct {
		value       string
		least, most time.Duration
		want        time.Duration
		refusal     string
	}{
		{"", 0, 0, 7 * time.Second, ""}, // unset: the default stays
		{"500ms", 0, time.Minute, 500 * time.Millisecond, ""},
		{"1m", 0, time.Minute, time.Minute, ""},
		{"0", 0, 0, 0, ""},
		{"61s", 0, time.Minute, 0, "X must be a duration from 0s to 1m0s"},
		{"5ms", 10 * time.Millisecond, 0, 0, "X must be a duration of at least 10ms"},
		{"-1s", 0, 0, 0, "at least 0s"},
		{"five", 0, 0, 0, `not "five"`},
	} {
		t.Setenv("X", c.value)
		got := 7 * time.Second
		err := Duration("X", &got, c.least, c.most)
		if c.refusal != "" {
			if err == nil || !strings.Contains(err.Error(), c.refusal) {
				t.Errorf("%q: err %v, want one containing %q", c.value, err, c.refusal)
			}
			if got != 7*time.Second {
				t.Errorf("%q: refused, yet the value became %s", c.value, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %s, %v; want %s", c.value, got, err, c.want)
		}
	}
}

func TestInt_ParsesWithinBoundsAndRefusesTheRest(t *testing.T) {
	for _, c := range []struct {
		value   string
		want    int
		refusal string
	}{
		{"", 3, ""},
		{"1", 1, ""},
		{"1000", 1000, ""},
		{"0", 0, "X must be a number of connections from 1 to 1000, not \"0\""},
		{"1001", 0, "from 1 to 1000"},
		{"12x", 0, `not "12x"`},
		{"99999999999999999999", 0, "from 1 to 1000"},
	} {
		t.Setenv("X", c.value)
		got := 3
		err := Int("X", &got, 1, 1000, "connections")
		if c.refusal != "" {
			if err == nil || !strings.Contains(err.Error(), c.refusal) || got != 3 {
				t.Errorf("%q: got %d, err %v; want the default kept and %q", c.value, got, err, c.refusal)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %d, %v; want %d", c.value, got, err, c.want)
		}
	}
	t.Setenv("Y", "1024")
	var n64 int64
	if err := Int("Y", &n64, 1024, 0, "bytes"); err != nil || n64 != 1024 {
		t.Errorf("int64: got %d, %v", n64, err)
	}
}

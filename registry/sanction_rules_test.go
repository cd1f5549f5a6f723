package registry

import (
	"testing"
	"time"
)

// Decision numbers restart per issuer each calendar year: the year of the decision date, not a
// rolling year, not the date itself.
func TestDecisionYear_NumbersRestartEachCalendarYear(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"2025-01-01", "2025-12-31", true},  // one year, the first and last day
		{"2025-05-20", "2025-05-21", true},  // the old key (the whole date) told these apart
		{"2024-12-31", "2025-01-01", false}, // a day apart, two years: the number restarts
		{"2024-05-20", "2025-05-20", false}, // the same day a year later
	} {
		if got := DecisionYear(day(c.a)) == DecisionYear(day(c.b)); got != c.same {
			t.Errorf("%s and %s in one numbering year = %v, want %v", c.a, c.b, got, c.same)
		}
	}
	if got := DecisionYear(day("2025-05-20")); got != 2025 {
		t.Errorf("DecisionYear(2025-05-20) = %d", got)
	}
}

// A decision takes effect on its date or a later day it states: not before it, and (the
// registry's plausibility bound) not more than a year after it.
func TestEffectiveOnProblem_NotBeforeTheDecisionAtMostAYearAfter(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
	for _, c := range []struct {
		effective, code string
	}{
		{"2025-05-19", "BEFORE_DECIDEDON"},
		{"2025-05-20", ""},
		{"2025-05-30", ""},
		{"2026-05-20", ""}, // 365 days later: the bound
		{"2026-05-21", "EFFECTIVE_TOO_LATE"},
		{"2205-05-20", "EFFECTIVE_TOO_LATE"}, // a typing error for 2025
	} {
		if got := EffectiveOnProblem(day("2025-05-20"), day(c.effective)).Code; got != c.code {
			t.Errorf("decided 2025-05-20, effective %s: %q, want %q", c.effective, got, c.code)
		}
	}
}

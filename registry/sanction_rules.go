package registry

import (
	"strconv"
	"strings"
	"time"
)

// ViolationKey identifies a violation within a decision: the same category under the same legal
// basis twice is one violation written twice.
func ViolationKey(category, instrument string, article int, clause *int, point *string) string {
	parts := []string{category, instrument, strconv.Itoa(article), "", ""}
	if clause != nil {
		parts[3] = strconv.Itoa(*clause)
	}
	if point != nil {
		parts[4] = *point
	}
	return strings.Join(parts, "|")
}

// MaxPaymentPeriod is the longest a payment deadline may lie after the decision: 10 days by
// default, longer when the decision says so, postponed up to 3 months or paid in instalments
// over up to 6 months (LHAV Arts. 73(1), 76, 79); a year covers them all.
const MaxPaymentPeriod = 365 * 24 * time.Hour

// PaymentDeadlineProblem says why a payment deadline does not fit a decision dated decided, or
// is the zero Message.
func PaymentDeadlineProblem(decided, deadline time.Time) Message {
	return afterDecision(decided, deadline, MaxPaymentPeriod, Msg("BEFORE_DECIDED"), Msg("DEADLINE_TOO_LATE"))
}

// afterDecision says why day is not from the decision date (decided) to at most max after it:
// before or late; the zero Message when it is.
func afterDecision(decided, day time.Time, max time.Duration, before, late Message) Message {
	d, x := dayOf(decided), dayOf(day)
	switch {
	case x.Before(d):
		return before
	case x.Sub(d) > max:
		return late
	}
	return Message{}
}

// DecisionYear is the year a decision number belongs to. Decision numbers restart per issuer
// each calendar year, so (issuer, number, DecisionYear(decidedOn)) identifies a decision: one
// issuer's 82/QĐ-XPHC of 2024 and of 2025 are two decisions, two of 2025 are one written twice
// (unique index sanction_decision_year, migration 0031, is its SQL form).
func DecisionYear(decidedOn time.Time) int { return decidedOn.Year() }

// MaxEffectiveDelay is the latest a decision may take effect after it is made. A decision takes
// effect when signed unless it states a later day (LHAV 15/2012/QH13); the law sets no longest
// delay, so this is the registry's own plausibility bound, the same year as MaxPaymentPeriod: a
// date of effect further away is taken for a typing error (2205 for 2025).
const MaxEffectiveDelay = MaxPaymentPeriod

// EffectiveOnProblem says why a decision dated decided cannot take effect on effective, or is
// the zero Message.
func EffectiveOnProblem(decided, effective time.Time) Message {
	return afterDecision(decided, effective, MaxEffectiveDelay, Msg("BEFORE_DECIDEDON"), Msg("EFFECTIVE_TOO_LATE"))
}

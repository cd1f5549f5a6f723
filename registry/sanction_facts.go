package registry

import (
	"database/sql/driver"
	"slices"
)

// A sanction decision carries two facts that change apart (docs/legal.md, "Standing and
// execution"): its legal standing — in force, contested, amended, annulled — and its
// execution — due, paid or complied with, enforced. A complaint or lawsuit does not suspend
// execution (LHAV Art. 73(1)), so "paid, and under complaint" is one truthful record. The
// older single SanctionStatus is derived from the two (DeriveStatus) for existing clients.

// Standing is the legal standing of a sanction decision.
type Standing string

// The values of Standing.
const (
	StandingInForce            Standing = "IN_FORCE"
	StandingUnderComplaint     Standing = "UNDER_COMPLAINT"
	StandingUnderLitigation    Standing = "UNDER_LITIGATION"
	StandingAmended            Standing = "AMENDED"
	StandingAnnulled           Standing = "ANNULLED"
	StandingWithdrawnDataError Standing = "WITHDRAWN_DATA_ERROR"
)

// Standings are all values, in the order of the GraphQL enum.
var Standings = []Standing{StandingInForce, StandingUnderComplaint, StandingUnderLitigation, StandingAmended,
	StandingAnnulled, StandingWithdrawnDataError}

// Valid reports whether s is one of the values.
func (s Standing) Valid() bool { return slices.Contains(Standings, s) }

// Stands reports whether the decision counts: neither annulled nor withdrawn as a data error.
// An amended decision stands as amended.
func (s Standing) Stands() bool { return s != StandingAnnulled && s != StandingWithdrawnDataError }

// Contested reports whether a complaint or a lawsuit against the decision is pending.
func (s Standing) Contested() bool {
	return s == StandingUnderComplaint || s == StandingUnderLitigation
}

// Final reports whether the standing can no longer change.
func (s Standing) Final() bool { return !s.Stands() }

// standingTransitions lists, for each standing, the standings it may change to: a complaint
// may be followed by a lawsuit (LHAV Art. 15, Law on Complaints), either may end with the
// decision upheld (IN_FORCE), amended or annulled; annulment and withdrawal are final.
var standingTransitions = map[Standing][]Standing{
	StandingInForce:         {StandingUnderComplaint, StandingUnderLitigation, StandingAmended, StandingAnnulled, StandingWithdrawnDataError},
	StandingUnderComplaint:  {StandingInForce, StandingUnderLitigation, StandingAmended, StandingAnnulled, StandingWithdrawnDataError},
	StandingUnderLitigation: {StandingInForce, StandingAmended, StandingAnnulled, StandingWithdrawnDataError},
	StandingAmended:         {StandingInForce, StandingUnderComplaint, StandingUnderLitigation, StandingAnnulled, StandingWithdrawnDataError},
}

// StandingProblem says why a decision may not go from standing s to t, or is the zero Message
// when it may.
func (s Standing) StandingProblem(t Standing) Message {
	switch {
	case !t.Valid():
		return Msg("NOT_A_STANDING")
	case s == t && s != StandingAmended: // a decision may be amended twice
		return Msg("DECISION_ALREADY", string(s))
	case s.Final():
		return Msg("DECISION_FINAL", string(s))
	case s == t || slices.Contains(standingTransitions[s], t):
		return Message{}
	}
	return Msg("CANNOT_GO", string(s), string(t))
}

// Scan implements sql.Scanner.
func (s *Standing) Scan(src any) error {
	v, err := scanText(src, func(x string) bool { return Standing(x).Valid() }, "sanction standing")
	*s = Standing(v)
	return err
}

// Value implements driver.Valuer.
func (s Standing) Value() (driver.Value, error) { return textValue(string(s)) }

// Execution is how far a sanction decision has been executed.
type Execution string

// The values of Execution.
const (
	// ExecutionNotDue: nothing to execute yet — the decision has not taken effect, or its
	// execution was postponed (LHAV Art. 76) or suspended by a court.
	ExecutionNotDue Execution = "NOT_DUE"
	// ExecutionDue: to be executed, by the payment deadline when the decision states one
	// (LHAV Art. 73(1): 10 days from receipt by default).
	ExecutionDue Execution = "DUE"
	// ExecutionComplied: executed by the subject (fine paid, remedies carried out).
	ExecutionComplied Execution = "COMPLIED"
	// ExecutionEnforced: executed by coercion (LHAV Art. 86).
	ExecutionEnforced Execution = "ENFORCED"
)

// Executions are all values, in the order of the GraphQL enum.
var Executions = []Execution{ExecutionNotDue, ExecutionDue, ExecutionComplied, ExecutionEnforced}

// Valid reports whether e is one of the values.
func (e Execution) Valid() bool { return slices.Contains(Executions, e) }

// Executed reports whether the decision has been executed, by the subject or by enforcement.
func (e Execution) Executed() bool { return e == ExecutionComplied || e == ExecutionEnforced }

// ExecutionProblem says why a decision standing st may not go from execution e to t, or is the
// zero Message.
// Execution is a fact about the past, so once executed it stays executed, whatever happens to
// the decision afterwards; an annulled or withdrawn decision has nothing left to execute.
func (e Execution) ExecutionProblem(st Standing, t Execution) Message {
	switch {
	case !t.Valid():
		return Msg("NOT_AN_EXECUTION")
	case e == t:
		return Msg("DECISION_ALREADY", string(e))
	case e.Executed():
		return Msg("EXECUTED_FOR_GOOD", string(e))
	case !st.Stands():
		return Msg("NOTHING_TO_EXECUTE", string(st))
	}
	return Message{}
}

// Scan implements sql.Scanner.
func (e *Execution) Scan(src any) error {
	v, err := scanText(src, func(x string) bool { return Execution(x).Valid() }, "sanction execution")
	*e = Execution(v)
	return err
}

// Value implements driver.Valuer.
func (e Execution) Value() (driver.Value, error) { return textValue(string(e)) }

// SanctionFacts are a decision's standing and execution at one point of its history.
type SanctionFacts struct {
	Standing  Standing
	Execution Execution
}

// Status is the single status older clients read, derived from the two facts: an annulment,
// a withdrawal or a pending complaint or lawsuit shows as such (so an appeal stays visible
// when the fine was paid); otherwise an executed decision is COMPLIED; otherwise the
// standing (IN_FORCE or AMENDED).
func (f SanctionFacts) Status() SanctionStatus {
	switch {
	case !f.Standing.Stands() || f.Standing.Contested():
		return SanctionStatus(f.Standing)
	case f.Execution.Executed():
		return Complied
	}
	return SanctionStatus(f.Standing)
}

// FactsOfStatus are the facts a decision is recorded with when a client gives only the older
// status: COMPLIED means in force and complied with; any other status is the standing, with
// the fine due.
func FactsOfStatus(s SanctionStatus) SanctionFacts {
	if s == Complied {
		return SanctionFacts{StandingInForce, ExecutionComplied}
	}
	return SanctionFacts{Standing(s), ExecutionDue}
}

// WithStatus is what the facts become when a client changes the older status to s: COMPLIED
// records the execution and closes a pending complaint or lawsuit (the older model had no
// other way to say "the complaint was rejected and the fine paid"); any other status sets the
// standing and keeps the execution. The transition itself is checked on the older status
// (SanctionStatus.ChangeProblem).
func (f SanctionFacts) WithStatus(s SanctionStatus) SanctionFacts {
	if s != Complied {
		return SanctionFacts{Standing(s), f.Execution}
	}
	out := SanctionFacts{f.Standing, ExecutionComplied}
	if f.Standing.Contested() {
		out.Standing = StandingInForce
	}
	return out
}

// ReviewOutcomes are the standings a reviewing authority — a court, or the superior body that
// decides a complaint — may record on another agency's decision (LHAV Art. 18; Law on
// Complaints 02/2011/QH13; Law on Administrative Procedure 93/2015/QH13 Art. 193): the
// decision annulled, amended, or upheld (in force).
var ReviewOutcomes = []Standing{StandingAnnulled, StandingAmended, StandingInForce}

// MayChange is the rule of who may record a change to a decision's standing or execution: the
// agency that issued it (Owns), for either fact; or, with the review scope, a reviewing
// authority recording a review outcome. It returns "" when the actor may, else the user error
// code (NOT_OWNER or INVALID) and why.
func MayChange(actor int64, owner *int64, review bool, to *Standing) (code string, why Message) {
	if !review {
		if !Owns(actor, owner) {
			return "NOT_OWNER", Msg("NOT_OWNER_SANCTION")
		}
		return "", Message{}
	}
	if to == nil || !slices.Contains(ReviewOutcomes, *to) {
		return "INVALID", Msg("REVIEW_OUTCOME")
	}
	return "", Message{}
}

// InitialStanding reports whether a sanction may be recorded with standing s: in force or
// already contested; an amendment or annulment is recorded on the decision it changes.
func InitialStanding(s Standing) bool {
	return s == StandingInForce || s.Contested()
}

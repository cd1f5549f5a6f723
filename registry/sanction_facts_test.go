package registry

import "testing"

func TestSanctionFacts_StatusIsDerivedFromStandingAndExecution(t *testing.T) {
	for _, c := range []struct {
		standing  Standing
		execution Execution
		want      SanctionStatus
	}{
		{StandingInForce, ExecutionDue, InForce},
		{StandingInForce, ExecutionNotDue, InForce},
		{StandingInForce, ExecutionComplied, Complied},
		{StandingInForce, ExecutionEnforced, Complied},
		{StandingUnderComplaint, ExecutionComplied, UnderComplaint}, // paid, then contested: the appeal shows
		{StandingUnderLitigation, ExecutionDue, UnderLitigation},
		{StandingAmended, ExecutionDue, Amended},
		{StandingAmended, ExecutionComplied, Complied},
		{StandingAnnulled, ExecutionComplied, Annulled},
		{StandingWithdrawnDataError, ExecutionDue, WithdrawnDataError},
	} {
		if got := (SanctionFacts{c.standing, c.execution}).Status(); got != c.want {
			t.Errorf("%s/%s: %s, want %s", c.standing, c.execution, got, c.want)
		}
	}
}

func TestSanctionFacts_OlderStatusesMapOntoTheFacts(t *testing.T) {
	inForce := SanctionFacts{StandingInForce, ExecutionDue}
	for _, c := range []struct {
		name string
		from SanctionFacts
		to   SanctionStatus
		want SanctionFacts
	}{
		{"complied", inForce, Complied, SanctionFacts{StandingInForce, ExecutionComplied}},
		{"complaint keeps the execution", SanctionFacts{StandingInForce, ExecutionComplied}, UnderComplaint, SanctionFacts{StandingUnderComplaint, ExecutionComplied}},
		{"complied after a complaint closes it", SanctionFacts{StandingUnderComplaint, ExecutionDue}, Complied, SanctionFacts{StandingInForce, ExecutionComplied}},
		{"complied after an amendment stays amended", SanctionFacts{StandingAmended, ExecutionDue}, Complied, SanctionFacts{StandingAmended, ExecutionComplied}},
		{"annulled keeps the execution", SanctionFacts{StandingInForce, ExecutionComplied}, Annulled, SanctionFacts{StandingAnnulled, ExecutionComplied}},
	} {
		if got := c.from.WithStatus(c.to); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	for _, s := range SanctionStatuses {
		if got := FactsOfStatus(s).Status(); got != s {
			t.Errorf("FactsOfStatus(%s).Status() = %s", s, got)
		}
	}
}

func TestStanding_Transitions(t *testing.T) {
	for _, c := range []struct {
		from, to Standing
		ok       bool
	}{
		{StandingInForce, StandingUnderComplaint, true},
		{StandingUnderComplaint, StandingUnderLitigation, true},
		{StandingUnderLitigation, StandingUnderComplaint, false}, // a lawsuit is not followed by a complaint
		{StandingUnderLitigation, StandingInForce, true},         // the court upholds it
		{StandingAmended, StandingAmended, true},                 // amended twice
		{StandingInForce, StandingInForce, false},
		{StandingAnnulled, StandingInForce, false},
		{StandingWithdrawnDataError, StandingAnnulled, false},
		{StandingInForce, "PAID", false},
	} {
		if got := c.from.StandingProblem(c.to).Code == ""; got != c.ok {
			t.Errorf("%s → %s allowed %v, want %v (%s)", c.from, c.to, got, c.ok, c.from.StandingProblem(c.to))
		}
	}
}

func TestExecution_OnceExecutedStaysExecuted(t *testing.T) {
	for _, c := range []struct {
		from     Execution
		standing Standing
		to       Execution
		ok       bool
	}{
		{ExecutionDue, StandingInForce, ExecutionComplied, true},
		{ExecutionDue, StandingUnderComplaint, ExecutionComplied, true}, // a complaint does not suspend execution
		{ExecutionDue, StandingInForce, ExecutionNotDue, true},          // postponed
		{ExecutionNotDue, StandingInForce, ExecutionEnforced, true},
		{ExecutionComplied, StandingInForce, ExecutionDue, false},
		{ExecutionEnforced, StandingUnderLitigation, ExecutionComplied, false},
		{ExecutionDue, StandingAnnulled, ExecutionComplied, false},
		{ExecutionDue, StandingInForce, ExecutionDue, false},
	} {
		if got := c.from.ExecutionProblem(c.standing, c.to).Code == ""; got != c.ok {
			t.Errorf("%s (%s) → %s allowed %v, want %v", c.from, c.standing, c.to, got, c.ok)
		}
	}
}

func TestMayChange_IssuerOrReviewingAuthority(t *testing.T) {
	owner := int64(7)
	annulled, complaint := StandingAnnulled, StandingUnderComplaint
	for _, c := range []struct {
		name   string
		actor  int64
		owner  *int64
		review bool
		to     *Standing
		code   string
	}{
		{"the issuer", 7, &owner, false, &complaint, ""},
		{"another agency", 8, &owner, false, &annulled, "NOT_OWNER"},
		{"a seeded record", 8, nil, false, &complaint, ""},
		{"a court annulling", 8, &owner, true, &annulled, ""},
		{"a court recording a complaint", 8, &owner, true, &complaint, "INVALID"},
	} {
		if code, _ := MayChange(c.actor, c.owner, c.review, c.to); code != c.code {
			t.Errorf("%s: %q, want %q", c.name, code, c.code)
		}
	}
}

// A decision is recorded in force or already contested; an amendment or an annulment is a later
// entry on the decision it changes, a withdrawal corrects a record that exists.
func TestInitialStanding_InForceOrContested(t *testing.T) {
	for _, c := range []struct {
		s  Standing
		ok bool
	}{
		{StandingInForce, true}, {StandingUnderComplaint, true}, {StandingUnderLitigation, true},
		{StandingAmended, false}, {StandingAnnulled, false}, {StandingWithdrawnDataError, false},
	} {
		if got := InitialStanding(c.s); got != c.ok {
			t.Errorf("InitialStanding(%s) = %v, want %v", c.s, got, c.ok)
		}
	}
}

package registry

import (
	"database/sql/driver"
	"slices"
)

// SanctionStatus is the recorded status of a sanction decision (the sanction.status column and
// each entry of its status history).
type SanctionStatus string

// The values of SanctionStatus.
const (
	InForce            SanctionStatus = "IN_FORCE"
	Complied           SanctionStatus = "COMPLIED"
	UnderComplaint     SanctionStatus = "UNDER_COMPLAINT"
	UnderLitigation    SanctionStatus = "UNDER_LITIGATION"
	Amended            SanctionStatus = "AMENDED"
	Annulled           SanctionStatus = "ANNULLED"
	WithdrawnDataError SanctionStatus = "WITHDRAWN_DATA_ERROR"
)

// SanctionStatuses are all values, in the order of the GraphQL enum.
var SanctionStatuses = []SanctionStatus{InForce, Complied, UnderComplaint, UnderLitigation, Amended, Annulled, WithdrawnDataError}

// ActiveStatuses are the statuses in which a sanction is "active": in force or under appeal.
var ActiveStatuses = filterStatuses(SanctionStatus.Active)

// OpenAppealStatuses are the statuses of a decision being contested.
var OpenAppealStatuses = filterStatuses(SanctionStatus.OpenAppeal)

// InitialStatuses are the statuses a sanction may be recorded with.
var InitialStatuses = filterStatuses(SanctionStatus.Initial)

func filterStatuses(keep func(SanctionStatus) bool) []SanctionStatus {
	var out []SanctionStatus
	for _, s := range SanctionStatuses {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

// Valid reports whether s is one of the values.
func (s SanctionStatus) Valid() bool { return slices.Contains(SanctionStatuses, s) }

// Active reports whether a sanction with this status is active: in force, under complaint or
// under litigation. A complaint or lawsuit does not suspend execution (docs/legal.md, LHAV
// Art. 73(1)), so a contested decision is still active.
func (s SanctionStatus) Active() bool {
	return s == InForce || s == UnderComplaint || s == UnderLitigation
}

// OpenAppeal reports whether the decision is being contested (complaint or lawsuit).
func (s SanctionStatus) OpenAppeal() bool { return s == UnderComplaint || s == UnderLitigation }

// Stands reports whether the decision counts: everything but an annulment or a withdrawal as a
// data error. A complied-with sanction still stands: it happened.
func (s SanctionStatus) Stands() bool { return s != Annulled && s != WithdrawnDataError }

// Final reports whether no further status change is possible.
func (s SanctionStatus) Final() bool { return len(sanctionTransitions[s]) == 0 }

// Initial reports whether a sanction may be recorded with this status.
func (s SanctionStatus) Initial() bool {
	return s == InForce || s == Complied || s == UnderComplaint || s == UnderLitigation
}

// sanctionTransitions lists, for each status, the statuses it may change to. ANNULLED and
// WITHDRAWN_DATA_ERROR are final.
var sanctionTransitions = map[SanctionStatus][]SanctionStatus{
	InForce:         {Complied, UnderComplaint, UnderLitigation, Amended, Annulled, WithdrawnDataError},
	Complied:        {UnderComplaint, UnderLitigation, Amended, Annulled, WithdrawnDataError},
	UnderComplaint:  {InForce, Complied, UnderLitigation, Amended, Annulled, WithdrawnDataError},
	UnderLitigation: {InForce, Complied, Amended, Annulled, WithdrawnDataError},
	Amended:         {InForce, Complied, UnderComplaint, UnderLitigation, Annulled, WithdrawnDataError},
}

// CanChangeTo reports whether a sanction may move from s to t.
func (s SanctionStatus) CanChangeTo(t SanctionStatus) bool {
	return slices.Contains(sanctionTransitions[s], t)
}

// Scan implements sql.Scanner.
func (s *SanctionStatus) Scan(src any) error {
	v, err := scanText(src, func(x string) bool { return SanctionStatus(x).Valid() }, "sanction status")
	*s = SanctionStatus(v)
	return err
}

// Value implements driver.Valuer.
func (s SanctionStatus) Value() (driver.Value, error) { return textValue(string(s)) }

// ChangeProblem says why a sanction may not move from s to t, or is the zero Message when it may.
func (s SanctionStatus) ChangeProblem(t SanctionStatus) Message {
	switch {
	case s == t:
		return Msg("SANCTION_ALREADY", string(s))
	case s.Final():
		return Msg("STATUS_FINAL", string(s))
	case !s.CanChangeTo(t):
		return Msg("CANNOT_GO", string(s), string(t))
	}
	return Message{}
}

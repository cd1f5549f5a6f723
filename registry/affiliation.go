package registry

import "time"

// Affiliation is the part of an influencer–MCN affiliation the "current MCN" rule reads. Dates
// are calendar days (midnight UTC, as the store scans a date column); the period is
// [StartedOn, EndedOn), EndedOn nil while it lasts.
type Affiliation struct {
	ID        int64
	Kind      AffiliationKind
	StartedOn time.Time
	EndedOn   *time.Time
}

// HoldsOn reports whether the affiliation was in effect on day: started on or before it and not
// ended by it (the day it ends is no longer covered).
func (a Affiliation) HoldsOn(day time.Time) bool {
	d := dayOf(day)
	return !dayOf(a.StartedOn).After(d) && (a.EndedOn == nil || dayOf(*a.EndedOn).After(d))
}

// CurrentAffiliation is the "current MCN" rule: of the affiliations in effect on day, exclusive
// management first, then the latest started, then the latest recorded. It returns the index of
// the one chosen in affs, or -1 when none holds on day. The compiled read writes this rule in SQL
// in one place, db's currentMcnSQL (db/mcns.go), tested to agree with this function.
func CurrentAffiliation(affs []Affiliation, day time.Time) int {
	pick := -1
	for i, a := range affs {
		if !a.HoldsOn(day) {
			continue
		}
		if pick < 0 || before(affs[pick], a) {
			pick = i
		}
	}
	return pick
}

// before reports whether b is preferred to a as the current affiliation.
func before(a, b Affiliation) bool {
	ae, be := a.Kind == ExclusiveManagement, b.Kind == ExclusiveManagement
	if ae != be {
		return be
	}
	if !a.StartedOn.Equal(b.StartedOn) {
		return b.StartedOn.After(a.StartedOn)
	}
	return b.ID > a.ID
}

// dayOf drops the time of day, keeping the calendar date as written.
func dayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

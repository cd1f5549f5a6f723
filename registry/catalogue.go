package registry

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// InstrumentKind is the kind of a legal instrument.
type InstrumentKind string

// The values of InstrumentKind.
const (
	Law        InstrumentKind = "LAW"
	Decree     InstrumentKind = "DECREE"
	Circular   InstrumentKind = "CIRCULAR"
	Resolution InstrumentKind = "RESOLUTION"
)

// Instrument is a law, decree or circular of the legal catalogue (table legal_instrument).
type Instrument struct {
	Number      string
	Kind        InstrumentKind
	TitleVi     string
	TitleEn     string
	InForceFrom time.Time
	InForceTo   *time.Time
	// Amends lists the instruments this one amends; AmendingOnly means it has no rules of its
	// own and is cited "as amended by", never alone.
	Amends       []string
	AmendingOnly bool
	// Sanctioning means it sets administrative penalties.
	Sanctioning bool
}

// FineRange is a provision's fine bounds for one kind of offender, in VND.
type FineRange struct{ Min, Max int64 }

// Provision is a sanctioning provision (table sanctioning_provision): an article, or one clause.
// Individual or Organisation nil: no fixed range is in the catalogue.
type Provision struct {
	Instrument     string
	Article        int
	Clause         *int
	AmendedBy      *string
	SummaryVi      string
	SummaryEn      string
	Individual     *FineRange
	Organisation   *FineRange
	WarningAllowed bool
}

// Cite is how a provision is written: "38/2021/NĐ-CP Art. 34(5)".
func (p Provision) Cite() string {
	s := p.Instrument + " Art. " + strconv.Itoa(p.Article)
	if p.Clause != nil {
		s += "(" + strconv.Itoa(*p.Clause) + ")"
	}
	return s
}

// Catalogue is the legal catalogue as loaded from the database.
type Catalogue struct {
	Instruments map[string]Instrument
	Provisions  []Provision
}

// Penalty is the main penalty of a decision.
type Penalty string

// The values of Penalty: a fine, or a warning (no fine).
const (
	PenaltyFine    Penalty = "FINE"
	PenaltyWarning Penalty = "WARNING"
)

// AdditionalPenalty is a penalty imposed beside the main one (LHAV Art. 21(2)).
type AdditionalPenalty string

// The values of AdditionalPenalty.
const (
	LicenceSuspension  AdditionalPenalty = "LICENCE_SUSPENSION"
	ActivitySuspension AdditionalPenalty = "ACTIVITY_SUSPENSION"
	Confiscation       AdditionalPenalty = "CONFISCATION"
)

// AdditionalPenalties are all values.
var AdditionalPenalties = []AdditionalPenalty{LicenceSuspension, ActivitySuspension, Confiscation}

// Citation is the legal basis of one violation as recorded.
type Citation struct {
	Instrument string
	Article    int
	Clause     *int
	AmendedBy  *string
}

// Decision is what the catalogue checks of a sanction decision.
type Decision struct {
	Subject   SubjectKind
	DecidedOn time.Time
	Penalty   Penalty
	FineVnd   int64
	Citations []Citation // one per violation, in order
}

// Problem is a reason the catalogue refuses a decision; Field is the input path below the
// sanction, e.g. ["violations", "0", "legalBasis", "instrument"].
type Problem struct {
	Field   []string
	Message Message
}

// Individual reports whether the subject is fined as an individual (an influencer) rather
// than an organisation (an MCN or a brand).
func (k SubjectKind) Individual() bool { return k == SubjectInfluencer }

// provision finds the provision a citation names: its clause, else its whole article.
func (c Catalogue) provision(ct Citation) *Provision {
	var article *Provision
	for i, p := range c.Provisions {
		if p.Instrument != ct.Instrument || p.Article != ct.Article {
			continue
		}
		if p.Clause == nil {
			article = &c.Provisions[i]
		} else if ct.Clause != nil && *p.Clause == *ct.Clause {
			return &c.Provisions[i]
		}
	}
	return article
}

// Check applies the catalogue's rules to a decision:
//   - an amending-only instrument is never the basis alone (cite the amended one "as amended by");
//   - "as amended by" names an instrument that amends the one cited;
//   - every instrument cited was in force on the decision date;
//   - when every instrument cited is in the catalogue, at least one sets penalties;
//   - a fine lies within the sum of the cited provisions' ranges for an individual or an
//     organisation, when each has a range; a warning has no fine and needs provisions that allow it.
//
// Instruments not in the catalogue are accepted as they are (the catalogue is not exhaustive).
func (c Catalogue) Check(d Decision) []Problem {
	var out []Problem
	problem := func(msg Message, field ...string) { out = append(out, Problem{Field: field, Message: msg}) }
	day := Day(dateString(d.DecidedOn))
	allKnown, anySanctioning := len(d.Citations) > 0, false
	var lo, hi int64
	ranged, warningOK := true, true
	for i, ct := range d.Citations {
		at := func(f string) []string { return []string{"violations", strconv.Itoa(i), "legalBasis", f} }
		inst, known := c.Instruments[ct.Instrument]
		if !known {
			allKnown, ranged = false, false
			continue
		}
		if inst.AmendingOnly {
			problem(Msg("INSTRUMENT_AMENDING_ONLY", inst.Number, strings.Join(inst.Amends, ", ")), at("instrument")...)
			continue
		}
		if p := inst.inForceProblem(d.DecidedOn, false, day); p.Code != "" {
			problem(p, at("instrument")...)
		}
		if ct.AmendedBy != nil {
			am, ok := c.Instruments[*ct.AmendedBy]
			switch {
			case !ok:
				problem(Msg("INSTRUMENT_NOT_IN_CATALOGUE", *ct.AmendedBy), at("amendedBy")...)
			case !slices.Contains(am.Amends, inst.Number):
				problem(Msg("DOES_NOT_AMEND", am.Number, inst.Number), at("amendedBy")...)
			default:
				if p := am.inForceProblem(d.DecidedOn, true, day); p.Code != "" {
					problem(p, at("amendedBy")...)
				}
			}
		}
		if !inst.Sanctioning {
			continue
		}
		anySanctioning = true
		p := c.provision(ct)
		if p == nil {
			ranged, warningOK = false, false
			continue
		}
		if !p.WarningAllowed {
			warningOK = false
		}
		r := p.Organisation
		if d.Subject.Individual() {
			r = p.Individual
		}
		if r == nil {
			ranged = false
			continue
		}
		lo, hi = lo+r.Min, hi+r.Max
	}
	if allKnown && !anySanctioning && len(out) == 0 {
		problem(Msg("NO_SANCTIONING_PROVISION", strings.Join(citedNumbers(d.Citations), ", ")), "violations")
	}
	switch d.Penalty {
	case PenaltyWarning:
		if d.FineVnd != 0 {
			problem(Msg("WARNING_HAS_NO_FINE"), "fineVnd")
		}
		if anySanctioning && !warningOK {
			problem(Msg("WARNING_NOT_PROVIDED"), "penalty")
		}
	default:
		if anySanctioning && ranged && (d.FineVnd < lo || d.FineVnd > hi) {
			who := Term("an organisation")
			if d.Subject.Individual() {
				who = "an individual"
			}
			problem(Msg("FINE_OUTSIDE_RANGE", who, groupDigits(lo), groupDigits(hi), groupDigits(d.FineVnd)), "fineVnd")
		}
	}
	return out
}

// inForceProblem says why the instrument was not in force on day, or is the zero Message; an
// amendment is cited "as amended by", the others are the basis; decided is the decision's date.
func (in Instrument) inForceProblem(day time.Time, amendment bool, decided Day) Message {
	d := dayOf(day)
	notYet, ended := d.Before(in.InForceFrom), in.InForceTo != nil && !d.Before(*in.InForceTo)
	switch {
	case notYet && amendment:
		return Msg("AMENDMENT_NOT_YET_IN_FORCE", in.Number, Day(dateString(in.InForceFrom)), decided)
	case notYet:
		return Msg("INSTRUMENT_NOT_YET_IN_FORCE", in.Number, Day(dateString(in.InForceFrom)), decided)
	case ended && amendment:
		return Msg("AMENDMENT_NO_LONGER_IN_FORCE", in.Number, Day(dateString(*in.InForceTo)), decided)
	case ended:
		return Msg("INSTRUMENT_NO_LONGER_IN_FORCE", in.Number, Day(dateString(*in.InForceTo)), decided)
	}
	return Message{}
}

func citedNumbers(cs []Citation) []string {
	var out []string
	for _, c := range cs {
		if !slices.Contains(out, c.Instrument) {
			out = append(out, c.Instrument)
		}
	}
	return out
}

func dateString(t time.Time) string { return t.Format("2006-01-02") }

// groupDigits writes 60000000 as 60,000,000.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

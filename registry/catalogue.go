package registry

import (
	"fmt"
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
	Message string
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
	problem := func(msg string, field ...string) { out = append(out, Problem{Field: field, Message: msg}) }
	day := dateString(d.DecidedOn)
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
			problem(fmt.Sprintf("%s only amends %s; cite the amended instrument with amendedBy %s",
				inst.Number, strings.Join(inst.Amends, ", "), inst.Number), at("instrument")...)
			continue
		}
		if p := inst.inForceProblem(d.DecidedOn); p != "" {
			problem(p+"; a decision of "+day+" cannot rest on it", at("instrument")...)
		}
		if ct.AmendedBy != nil {
			am, ok := c.Instruments[*ct.AmendedBy]
			switch {
			case !ok:
				problem(*ct.AmendedBy+" is not in the legal catalogue", at("amendedBy")...)
			case !slices.Contains(am.Amends, inst.Number):
				problem(fmt.Sprintf("%s does not amend %s", am.Number, inst.Number), at("amendedBy")...)
			case am.inForceProblem(d.DecidedOn) != "":
				problem(am.inForceProblem(d.DecidedOn)+"; a decision of "+day+" cannot cite it", at("amendedBy")...)
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
		problem("no violation cites a sanctioning provision: "+strings.Join(citedNumbers(d.Citations), ", ")+
			" sets rules but no penalty; cite the decree that sets the penalty (e.g. 38/2021/NĐ-CP Art. 34)", "violations")
	}
	switch d.Penalty {
	case PenaltyWarning:
		if d.FineVnd != 0 {
			problem("a warning has no fine; record 0", "fineVnd")
		}
		if anySanctioning && !warningOK {
			problem("the cited provisions do not provide for a warning", "penalty")
		}
	default:
		if anySanctioning && ranged && (d.FineVnd < lo || d.FineVnd > hi) {
			who := "an organisation"
			if d.Subject.Individual() {
				who = "an individual"
			}
			problem(fmt.Sprintf("the cited provisions fine %s VND %s to %s; %s is outside that range",
				who, groupDigits(lo), groupDigits(hi), groupDigits(d.FineVnd)), "fineVnd")
		}
	}
	return out
}

// inForceProblem says why the instrument was not in force on day, or "".
func (in Instrument) inForceProblem(day time.Time) string {
	d := dayOf(day)
	if d.Before(in.InForceFrom) {
		return in.Number + " took effect on " + dateString(in.InForceFrom)
	}
	if in.InForceTo != nil && !d.Before(*in.InForceTo) {
		return in.Number + " ceased to be in force on " + dateString(*in.InForceTo)
	}
	return ""
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

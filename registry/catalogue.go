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
	// Cap is the most it fines one violation, nil when it sets no fixed cap (tax: a share of
	// the tax due). A violation citing a provision without a range in the catalogue is checked
	// against it.
	Cap *FineCap
}

// FineCap is an instrument's most for one violation, for an individual and an organisation, in
// VND, and the article of the instrument that sets it.
type FineCap struct {
	Individual, Organisation int64
	Article                  int
}

// FrameworkLaw is the Law on Handling Administrative Violations (LHAV): every sanction decision
// the registry records rests on it, so none is dated before it took effect.
const FrameworkLaw = "15/2012/QH13"

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
//   - no decision is dated before the framework law (LHAV, FrameworkLaw) took effect;
//   - an amending-only instrument is never the basis alone (cite the amended one "as amended by");
//   - "as amended by" names an instrument that amends the one cited;
//   - every instrument cited was in force on the decision date;
//   - when every instrument cited is in the catalogue, at least one sets penalties;
//   - a fine lies within the sum of the violations' bounds for an individual or an organisation
//     (LHAV Art. 67: each violation is fined, the fines add up), when each has one: its
//     provision's range, else 0 to its instrument's cap (Instrument.bound); the message names
//     the provisions; a warning has no fine and needs provisions that allow it.
//
// Instruments not in the catalogue are accepted as they are (the catalogue is not exhaustive).
func (c Catalogue) Check(d Decision) []Problem {
	var out []Problem
	problem := func(msg Message, field ...string) { out = append(out, Problem{Field: field, Message: msg}) }
	day := Day(dateString(d.DecidedOn))
	allKnown, anySanctioning := len(d.Citations) > 0, false
	var lo, hi int64
	var bases Bases
	bounded, warningOK := true, true
	for i, ct := range d.Citations {
		at := func(f string) []string { return []string{"violations", strconv.Itoa(i), "legalBasis", f} }
		inst, known := c.Instruments[ct.Instrument]
		if !known {
			allKnown, bounded = false, false
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
		if p == nil || !p.WarningAllowed {
			warningOK = false
		}
		b, ok := inst.bound(p, ct, d.Subject.Individual())
		if !ok {
			bounded = false
			continue
		}
		lo, hi, bases = lo+b.lo, hi+b.hi, append(bases, b.basis)
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
		if anySanctioning && bounded && (d.FineVnd < lo || d.FineVnd > hi) {
			who := Term("an organisation")
			if d.Subject.Individual() {
				who = "an individual"
			}
			problem(Msg("FINE_OUTSIDE_RANGE", who, groupDigits(lo), groupDigits(hi), groupDigits(d.FineVnd), bases), "fineVnd")
		}
	}
	if law, ok := c.Instruments[FrameworkLaw]; ok && dayOf(d.DecidedOn).Before(law.InForceFrom) {
		problem(Msg("DECIDED_BEFORE_FRAMEWORK", law.Number, Day(dateString(law.InForceFrom))), "decidedOn")
	}
	return out
}

// fineBound is what one violation may be fined, and where that comes from.
type fineBound struct {
	lo, hi int64
	basis  Basis
}

// bound is the fine one violation citing ct (provision p, nil when the catalogue has none) may
// carry: the provision's range for the kind of offender, else up to the instrument's cap; false
// when neither is known (no fine check then).
func (in Instrument) bound(p *Provision, ct Citation, individual bool) (fineBound, bool) {
	if p != nil {
		r := p.Organisation
		if individual {
			r = p.Individual
		}
		if r != nil {
			return fineBound{r.Min, r.Max, Basis{Kind: in.Kind, Instrument: in.Number, Article: p.Article, Clause: p.Clause}}, true
		}
	}
	if in.Cap == nil {
		return fineBound{}, false
	}
	max := in.Cap.Organisation
	if individual {
		max = in.Cap.Individual
	}
	return fineBound{0, max, Basis{Kind: in.Kind, Instrument: in.Number, Article: ct.Article, Clause: ct.Clause, CapArticle: in.Cap.Article}}, true
}

// Basis is where a fine's bound comes from, as a message names it: a provision's range, or
// (CapArticle set) the instrument's cap for a provision the catalogue has no range of.
type Basis struct {
	Kind       InstrumentKind
	Instrument string
	Article    int
	Clause     *int
	CapArticle int
}

// In writes the basis in lang: "38/2021/NĐ-CP Art. 34(5)", "khoản 5 Điều 34 Nghị định 38/2021/NĐ-CP".
func (b Basis) In(lang Lang) string {
	if lang == EN {
		s := b.Instrument + " Art. " + strconv.Itoa(b.Article)
		if b.Clause != nil {
			s += "(" + strconv.Itoa(*b.Clause) + ")"
		}
		if b.CapArticle != 0 {
			s += fmt.Sprintf(" (no range in the catalogue: the cap of Art. %d)", b.CapArticle)
		}
		return s
	}
	s := "Điều " + strconv.Itoa(b.Article) + " " + kindVI[b.Kind] + " " + b.Instrument
	if b.Clause != nil {
		s = "khoản " + strconv.Itoa(*b.Clause) + " " + s
	}
	if b.CapArticle != 0 {
		s += fmt.Sprintf(" (danh mục chưa có khung phạt: mức tối đa theo Điều %d)", b.CapArticle)
	}
	return s
}

var kindVI = map[InstrumentKind]string{Law: "Luật", Decree: "Nghị định", Circular: "Thông tư", Resolution: "Nghị quyết"}

// Bases is the list of bases of a decision's fine, written "; "-separated.
type Bases []Basis

// In writes the bases in lang.
func (bs Bases) In(lang Lang) string {
	parts := make([]string, len(bs))
	for i, b := range bs {
		parts[i] = b.In(lang)
	}
	return strings.Join(parts, "; ")
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

package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kolregistry/kolregistry/registry"
	"github.com/lib/pq"
)

// OutsideJurisdiction is the user error code for a provincial agency acting outside its province.
const OutsideJurisdiction = "OUTSIDE_JURISDICTION"

// NewViolation is one violation of a sanction being recorded. Its JSON form, the API's field
// names, is what audit diffs hold.
type NewViolation struct {
	Category    string  `json:"category"`
	Instrument  string  `json:"instrument"`
	Article     int     `json:"article"`
	Clause      *int    `json:"clause,omitempty"`
	Point       *string `json:"point,omitempty"`
	Description *string `json:"description,omitempty"`
	// AmendedBy is the instrument that amended the provision cited ("as amended by").
	AmendedBy *string `json:"amendedBy,omitempty"`
}

// NewSanction is a sanction decision to record. Subject is the subject's kind
// (INFLUENCER, MCN or BRAND) and id.
type NewSanction struct {
	SubjectKind    string
	SubjectID      int64
	DecisionNumber string
	DecidedOn      time.Time
	EffectiveOn    *time.Time
	Violations     []NewViolation
	FineVnd        int64
	Remedies       []string
	// Status is the older single status; Standing and Execution the two facts (give one form).
	Status               *string
	Standing             *string
	Execution            *string
	SourceURL            *string
	SourceSha256         *string
	RelatedDisclosureIDs []int64
	// Penalty is FINE (default) or WARNING (no fine).
	Penalty               *string
	AdditionalPenalties   []string
	PaymentDeadline       *time.Time
	SignatoryTitle        *string
	ViolationRecordNumber *string
}

var (
	instrumentRe = regexp.MustCompile(`^[0-9]{1,4}/[0-9]{4}/[A-ZĐ0-9-]{2,20}$`)
	pointRe      = regexp.MustCompile(`^[a-zđ]$`)
)

func (c *checks) violations(vs []NewViolation, field string) {
	if len(vs) == 0 {
		c.invalid(registry.Msg("VIOLATION_REQUIRED"), field)
	}
	c.atMost(len(vs), MaxViolationsPerSanction, "violations", field)
	if len(vs) > MaxViolationsPerSanction {
		return
	}
	seen := map[string]int{}
	for i, v := range vs {
		at := []string{field, strconv.Itoa(i)}
		vs[i].Instrument = c.requireText(v.Instrument, 40, append(at, "legalBasis", "instrument")...)
		if vs[i].Instrument != "" && !instrumentRe.MatchString(vs[i].Instrument) {
			c.invalid(registry.Msg("INSTRUMENT_NUMBER_FORMAT", "38/2021/NĐ-CP"), append(at, "legalBasis", "instrument")...)
		}
		if v.Article < 1 || v.Article > 1000 {
			c.invalid(registry.Msg("ARTICLE_FORMAT"), append(at, "legalBasis", "article")...)
		}
		if v.Clause != nil && (*v.Clause < 1 || *v.Clause > 100) {
			c.invalid(registry.Msg("CLAUSE_FORMAT"), append(at, "legalBasis", "clause")...)
		}
		vs[i].Point = c.optionalText(v.Point, 2, append(at, "legalBasis", "point")...)
		if vs[i].Point != nil && !pointRe.MatchString(*vs[i].Point) {
			c.invalid(registry.Msg("POINT_FORMAT"), append(at, "legalBasis", "point")...)
		}
		vs[i].Description = c.optionalText(v.Description, 2000, append(at, "description")...)
		vs[i].AmendedBy = c.optionalText(v.AmendedBy, 40, append(at, "legalBasis", "amendedBy")...)
		if vs[i].AmendedBy != nil && !instrumentRe.MatchString(*vs[i].AmendedBy) {
			c.invalid(registry.Msg("INSTRUMENT_NUMBER_FORMAT", "129/2021/NĐ-CP"), append(at, "legalBasis", "amendedBy")...)
		}
		key := registry.ViolationKey(v.Category, vs[i].Instrument, v.Article, v.Clause, vs[i].Point)
		if j, dup := seen[key]; dup {
			c.add(Duplicate, registry.Msg("VIOLATION_REPEATED", j), at...)
		} else {
			seen[key] = i
		}
	}
}

// citations are the legal bases of vs, as the catalogue checks them.
func citations(vs []NewViolation) []registry.Citation {
	out := make([]registry.Citation, len(vs))
	for i, v := range vs {
		out[i] = registry.Citation{Instrument: v.Instrument, Article: v.Article, Clause: v.Clause, AmendedBy: v.AmendedBy}
	}
	return out
}

// penalty checks the main penalty, the additional ones, the payment deadline, the signatory
// and the violation record of a decision dated decided.
func (c *checks) penalty(in *NewSanction) registry.Penalty {
	p := registry.PenaltyFine
	if in.Penalty != nil {
		p = c.penaltyKind(*in.Penalty)
	}
	in.AdditionalPenalties = uniq(c.additionalPenalties(in.AdditionalPenalties)) // none: an empty list, not NULL
	if in.PaymentDeadline != nil {
		if p == registry.PenaltyWarning {
			c.invalid(registry.Msg("WARNING_NOTHING_TO_PAY"), "paymentDeadline")
		} else if problem := registry.PaymentDeadlineProblem(in.DecidedOn, *in.PaymentDeadline); problem.Code != "" {
			c.invalid(problem, "paymentDeadline")
		}
	}
	in.SignatoryTitle = c.optionalText(in.SignatoryTitle, 200, "signatoryTitle")
	in.ViolationRecordNumber = c.optionalText(in.ViolationRecordNumber, 40, "violationRecordNumber")
	return p
}

// penaltyKind checks a main penalty: FINE or WARNING.
func (c *checks) penaltyKind(s string) registry.Penalty {
	p := registry.Penalty(s)
	if p != registry.PenaltyFine && p != registry.PenaltyWarning {
		c.invalid(registry.Msg("PENALTY_KIND"), "penalty")
	}
	return p
}

// additionalPenalties checks additional penalties and returns them without repeats.
func (c *checks) additionalPenalties(as []string) []string {
	for i, a := range as {
		if !slices.Contains(registry.AdditionalPenalties, registry.AdditionalPenalty(a)) {
			c.invalid(registry.Msg("NOT_ADDITIONAL_PENALTY"), "additionalPenalties", strconv.Itoa(i))
		}
	}
	if as == nil {
		return nil
	}
	return uniq(as)
}

// initialFacts checks the standing and execution a sanction is recorded with, given in the
// older form (status, default IN_FORCE) or as the two facts (standing default IN_FORCE,
// execution default DUE), not both.
func (c *checks) initialFacts(status, standing, execution *string) registry.SanctionFacts {
	if status != nil {
		s := registry.SanctionStatus(*status)
		if standing != nil || execution != nil {
			c.invalid(registry.Msg("STATUS_OR_FACTS"), "status")
		} else if !s.Initial() {
			c.invalid(registry.Msg("NEW_SANCTION_STATUS"), "status")
		}
		return registry.FactsOfStatus(s)
	}
	f := registry.SanctionFacts{Standing: registry.StandingInForce, Execution: registry.ExecutionDue}
	if standing != nil {
		f.Standing = registry.Standing(*standing)
		if !f.Standing.Valid() || !registry.InitialStanding(f.Standing) {
			c.invalid(registry.Msg("NEW_SANCTION_STANDING"), "standing")
		}
	}
	if execution != nil {
		f.Execution = registry.Execution(*execution)
		if !f.Execution.Valid() {
			c.invalid(registry.Msg("NOT_AN_EXECUTION"), "execution")
		}
	}
	return f
}

// RecordSanction records a sanction decision by actor: validation, the subject and the related
// disclosures must exist, a provincial agency only in its own province, one transaction with
// its violations, first status and audit event.
func (d *DB) RecordSanction(ctx context.Context, actor Agency, key *string, in NewSanction) (WriteResult, error) {
	var c checks
	in.DecisionNumber = c.decisionNumber(in.DecisionNumber, "decisionNumber")
	c.notFuture(in.DecidedOn, "decidedOn")
	if in.EffectiveOn != nil {
		if problem := registry.EffectiveOnProblem(in.DecidedOn, *in.EffectiveOn); problem.Code != "" {
			c.invalid(problem, "effectiveOn")
		}
	}
	c.violations(in.Violations, "violations")
	c.fine(in.FineVnd, "fineVnd")
	penalty := c.penalty(&in)
	facts := c.initialFacts(in.Status, in.Standing, in.Execution)
	status := facts.Status()
	in.SourceURL = c.url(in.SourceURL, "sourceUrl")
	in.SourceSha256 = c.sha256(in.SourceSha256, "sourceSha256")
	if err := c.err(); err != nil {
		return WriteResult{}, err
	}
	remedies := uniq(in.Remedies)
	effective := in.DecidedOn
	if in.EffectiveOn != nil {
		effective = *in.EffectiveOn
	}

	return d.Write(ctx, actor.ID, key, "recordSanction", in, func(ctx context.Context, tx *Tx) (Event, error) {
		var c checks
		province, found, err := subjectProvince(ctx, tx, in.SubjectKind, in.SubjectID)
		if err != nil {
			return Event{}, err
		}
		c.mustExist(found, "the subject", "subjectId")
		if found && !registry.InJurisdiction(actor.Jurisdiction, province) {
			c.add(OutsideJurisdiction, registry.Msg("OUTSIDE_JURISDICTION", actor.Jurisdiction), "subjectId")
		}
		if err := relatedDisclosuresCheck(ctx, tx, &c, 0, in.SubjectKind, in.SubjectID, in.RelatedDisclosureIDs); err != nil {
			return Event{}, err
		}
		cat, err := loadCatalogue(ctx, tx)
		if err != nil {
			return Event{}, err
		}
		c.catalogueProblems(cat.Check(registry.Decision{Subject: registry.SubjectKind(in.SubjectKind), DecidedOn: in.DecidedOn,
			Penalty: penalty, FineVnd: in.FineVnd, Citations: citations(in.Violations)}))
		taken, err := decisionNumberTaken(ctx, tx, actor.ID, in.DecisionNumber, in.DecidedOn, 0)
		if err != nil {
			return Event{}, err
		}
		if taken {
			c.add(Duplicate, registry.Msg("DECISION_NUMBER_TAKEN", in.DecisionNumber, registry.DecisionYear(in.DecidedOn)), "decisionNumber")
		}
		if err := c.err(); err != nil {
			return Event{}, err
		}
		cols := map[string]string{"INFLUENCER": "influencer_id", "MCN": "mcn_id", "BRAND": "brand_id"}
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO sanction (subject_kind, `+cols[in.SubjectKind]+`, agency_id, decision_number,
				decided_on, effective_on, fine_vnd, remedies, status, source_url, source_sha256,
				penalty, additional_penalties, payment_deadline, signatory_title, violation_record_number,
				standing, execution, executed_on)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
				CASE WHEN $19 THEN $20::date END) RETURNING id`,
			in.SubjectKind, in.SubjectID, actor.ID, in.DecisionNumber, in.DecidedOn, in.EffectiveOn, in.FineVnd,
			pq.Array(remedies), status, in.SourceURL, in.SourceSha256,
			penalty, pq.Array(in.AdditionalPenalties), in.PaymentDeadline, in.SignatoryTitle, in.ViolationRecordNumber,
			facts.Standing, facts.Execution, facts.Execution.Executed(), effective).Scan(&id)
		if err != nil {
			if uerr := decisionNumberConflict(err, in.DecisionNumber, in.DecidedOn, "decisionNumber"); uerr != nil {
				return Event{}, uerr
			}
			return Event{}, fmt.Errorf("insert sanction: %w", err)
		}
		if err := insertViolations(ctx, tx, id, in.Violations); err != nil {
			return Event{}, err
		}
		if err := insertRelatedDisclosures(ctx, tx, id, in.RelatedDisclosureIDs); err != nil {
			return Event{}, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sanction_status_change (sanction_id, status, standing, execution, effective_on, reason, agency_id)
			VALUES ($1, $2, $3, $4, $5, 'decision recorded', $6)`, id, status, facts.Standing, facts.Execution, effective, actor.ID); err != nil {
			return Event{}, fmt.Errorf("insert status: %w", err)
		}
		return Event{SubjectType: "Sanction", SubjectID: id, Diff: map[string]any{
			"subject": map[string]any{"kind": in.SubjectKind, "id": in.SubjectID}, "decisionNumber": in.DecisionNumber,
			"decidedOn": dateKey(in.DecidedOn), "effectiveOn": dateKey(effective), "violations": in.Violations,
			"fineVnd": in.FineVnd, "remedies": remedies, "status": status, "standing": facts.Standing,
			"execution": facts.Execution, "sourceUrl": in.SourceURL,
			"sourceSha256": in.SourceSha256, "relatedDisclosureIds": in.RelatedDisclosureIDs,
			"penalty": penalty, "additionalPenalties": in.AdditionalPenalties, "paymentDeadline": datePtrKey(in.PaymentDeadline),
			"signatoryTitle": in.SignatoryTitle, "violationRecordNumber": in.ViolationRecordNumber,
		}}, nil
	})
}

// subjectProvince reads a sanction subject's province (brands have none); found is false when
// the subject does not exist.
func subjectProvince(ctx context.Context, tx *Tx, kind string, id int64) (province *string, found bool, err error) {
	switch kind {
	case "INFLUENCER":
		var r Influencer
		r, found, err = byID(ctx, tx.InfluencersByIDs, id)
		province = r.Province
	case "MCN":
		var r Mcn
		r, found, err = byID(ctx, tx.McnsByIDs, id)
		province = r.Province
	default:
		_, found, err = byID(ctx, tx.BrandsByIDs, id)
	}
	if err != nil {
		return nil, false, fmt.Errorf("read subject: %w", err)
	}
	return province, found, nil
}

// relatedDisclosuresCheck checks that each related disclosure exists and concerns the subject.
func relatedDisclosuresCheck(ctx context.Context, tx *Tx, c *checks, sanction int64, kind string, subject int64, ids []int64) error {
	c.atMost(len(uniq(ids)), MaxRelatedDisclosuresPerSanction, "related disclosures", "relatedDisclosureIds")
	for i, id := range ids {
		var citing int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sanction_disclosure WHERE disclosure_id = $1 AND sanction_id <> $2`,
			id, sanction).Scan(&citing); err != nil {
			return fmt.Errorf("count sanctions citing a disclosure: %w", err)
		}
		c.atMost(citing+1, MaxSanctionsPerDisclosure, "sanctions citing one disclosure", "relatedDisclosureIds", strconv.Itoa(i))
		var concerns bool
		err := tx.QueryRowContext(ctx, `SELECT CASE $2
				WHEN 'INFLUENCER' THEN d.influencer_id = $3
				WHEN 'MCN' THEN d.mcn_id IS NOT DISTINCT FROM $3
				ELSE EXISTS (SELECT 1 FROM disclosure_brand b WHERE b.disclosure_id = d.id AND b.brand_id = $3) END
			FROM disclosure d WHERE d.id = $1`, id, kind, subject).Scan(&concerns)
		if errors.Is(err, sql.ErrNoRows) {
			c.mustExist(false, "the disclosure", "relatedDisclosureIds", strconv.Itoa(i))
			continue
		}
		if err != nil {
			return fmt.Errorf("read related disclosure: %w", err)
		}
		if !concerns {
			c.invalid(registry.Msg("NOT_SUBJECTS_DISCLOSURE"), "relatedDisclosureIds", strconv.Itoa(i))
		}
	}
	return nil
}

func insertViolations(ctx context.Context, tx *Tx, sanctionID int64, vs []NewViolation) error {
	for i, v := range vs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sanction_violation (sanction_id, position, category, instrument, article, clause, point, description, amended_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, sanctionID, i+1, v.Category, v.Instrument, v.Article, v.Clause, v.Point, v.Description, v.AmendedBy); err != nil {
			return fmt.Errorf("insert violation %d: %w", i+1, err)
		}
	}
	return nil
}

func insertRelatedDisclosures(ctx context.Context, tx *Tx, sanctionID int64, ids []int64) error {
	for _, id := range uniq(ids) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sanction_disclosure (sanction_id, disclosure_id) VALUES ($1, $2)`, sanctionID, id); err != nil {
			return fmt.Errorf("relate disclosure: %w", err)
		}
	}
	return nil
}

// SanctionStatusChange is a status change to record, in the older single-status form.
type SanctionStatusChange struct {
	SanctionID      int64
	Status          string
	EffectiveOn     time.Time
	Reason          string
	DocumentURL     *string
	ExpectedVersion int
}

// SanctionFactChange is a change of a decision's standing or its execution (one of the two is
// set), as of EffectiveOn.
type SanctionFactChange struct {
	SanctionID      int64
	Standing        *string
	Execution       *string
	EffectiveOn     time.Time
	Reason          string
	DocumentURL     *string
	ExpectedVersion int
}

// lockedSanction is what the lock step of a sanction write reads.
type lockedSanction struct {
	facts     registry.SanctionFacts
	decidedOn time.Time
	agency    int64
	version   int
	issuer    registry.Body
}

// sanctionLock locks a sanction (lockForChange) and checks who may change it: the issuing
// agency (registry.MayChange), or, reviewer set, a reviewing authority recording the outcome to,
// over the issuer (registry.MayReview). A refused review outcome is INVALID at standing.
func sanctionLock(reviewer *Agency, to *registry.Standing) lockSpec[lockedSanction] {
	return lockSpec[lockedSanction]{
		table: "sanction", what: "the sanction", idField: "sanctionId",
		query: `SELECT s.agency_id, s.standing, s.execution, s.decided_on, s.version, g.kind, g.jurisdiction
			FROM sanction s JOIN agency g ON g.id = s.agency_id WHERE s.id = $1 FOR UPDATE OF s`,
		scan: func(sc scanner) (l lockedSanction, err error) {
			err = sc.Scan(&l.agency, &l.facts.Standing, &l.facts.Execution, &l.decidedOn, &l.version, &l.issuer.Kind, &l.issuer.Jurisdiction)
			l.issuer.ID = l.agency
			return l, err
		},
		version: func(l lockedSanction) int { return l.version },
		may: func(actor int64, l lockedSanction) (string, registry.Message, string) {
			code, why := registry.MayChange(actor, &l.agency, reviewer != nil, to)
			if code == "" && reviewer != nil {
				code, why = registry.MayReview(registry.Body{ID: reviewer.ID, Kind: registry.AgencyKind(reviewer.Kind),
					Jurisdiction: reviewer.Jurisdiction}, l.issuer)
			}
			if code == Invalid {
				return code, why, "standing"
			}
			return code, why, "sanctionId"
		},
	}
}

// factChange is one entry to append to a sanction's history: how the facts change (decide
// returns the new facts, or a problem with its field) and who may make the change.
type factChange struct {
	action string
	in     SanctionFactChange
	review bool
	to     *registry.Standing // the standing a review records
	decide func(from registry.SanctionFacts) (to registry.SanctionFacts, problem registry.Message, field string)
}

// ChangeSanctionStatus records a status change (complaint, litigation, annulment…) in the older
// single-status form, by the agency that recorded the sanction: the transition is checked on the
// derived status and mapped onto the two facts (registry.SanctionFacts.WithStatus).
func (d *DB) ChangeSanctionStatus(ctx context.Context, actor Agency, key *string, in SanctionStatusChange) (WriteResult, error) {
	to := registry.SanctionStatus(in.Status)
	return d.changeSanctionFacts(ctx, actor, key, in, factChange{action: "changeSanctionStatus",
		in: SanctionFactChange{SanctionID: in.SanctionID, EffectiveOn: in.EffectiveOn, Reason: in.Reason,
			DocumentURL: in.DocumentURL, ExpectedVersion: in.ExpectedVersion},
		decide: func(from registry.SanctionFacts) (registry.SanctionFacts, registry.Message, string) {
			if problem := from.Status().ChangeProblem(to); problem.Code != "" {
				return from, problem, "status"
			}
			return from.WithStatus(to), registry.Message{}, ""
		}})
}

// ChangeSanctionStanding records a change of a decision's legal standing (a complaint, a
// lawsuit, the decision upheld, amended, annulled or withdrawn) by the agency that issued it;
// its execution is untouched (LHAV Art. 73(1)).
func (d *DB) ChangeSanctionStanding(ctx context.Context, actor Agency, key *string, in SanctionFactChange) (WriteResult, error) {
	return d.changeSanctionFacts(ctx, actor, key, in, factChange{action: "changeSanctionStanding", in: in, decide: standingTo(in.Standing)})
}

// ReviewSanction records the outcome of a review of another agency's decision by a reviewing
// authority (a court, or the superior body deciding a complaint): annulled, amended or upheld,
// with the ruling's document. The issuing agency learns of it through the same alerts.
func (d *DB) ReviewSanction(ctx context.Context, actor Agency, key *string, in SanctionFactChange) (WriteResult, error) {
	var to *registry.Standing
	if in.Standing != nil {
		s := registry.Standing(*in.Standing)
		to = &s
	}
	return d.changeSanctionFacts(ctx, actor, key, in, factChange{action: "reviewSanction", in: in, review: true, to: to,
		decide: standingTo(in.Standing)})
}

func standingTo(s *string) func(registry.SanctionFacts) (registry.SanctionFacts, registry.Message, string) {
	return func(from registry.SanctionFacts) (registry.SanctionFacts, registry.Message, string) {
		to := registry.Standing(*s)
		if problem := from.Standing.StandingProblem(to); problem.Code != "" {
			return from, problem, "standing"
		}
		return registry.SanctionFacts{Standing: to, Execution: from.Execution}, registry.Message{}, ""
	}
}

// RecordSanctionExecution records a change of a decision's execution (due, postponed, complied
// with, enforced) by the agency that issued it; its standing is untouched, so a fine paid
// while a complaint is pending is both.
func (d *DB) RecordSanctionExecution(ctx context.Context, actor Agency, key *string, in SanctionFactChange) (WriteResult, error) {
	return d.changeSanctionFacts(ctx, actor, key, in, factChange{action: "recordSanctionExecution", in: in,
		decide: func(from registry.SanctionFacts) (registry.SanctionFacts, registry.Message, string) {
			to := registry.Execution(*in.Execution)
			if problem := from.Execution.ExecutionProblem(from.Standing, to); problem.Code != "" {
				return from, problem, "execution"
			}
			return registry.SanctionFacts{Standing: from.Standing, Execution: to}, registry.Message{}, ""
		}})
}

// changeSanctionFacts appends one entry to a sanction's history: the lock step, the change's
// own rule, dates not before the decision nor the last entry, then the row, the entry and the
// audit event (the diff names each fact that changed, from and to) in one transaction.
func (d *DB) changeSanctionFacts(ctx context.Context, actor Agency, key *string, input any, fc factChange) (WriteResult, error) {
	in := fc.in
	var c checks
	in.Reason = c.requireText(in.Reason, 2000, "reason")
	in.DocumentURL = c.url(in.DocumentURL, "documentUrl")
	if fc.review && in.DocumentURL == nil && len(c.errs) == 0 {
		c.invalid(registry.Msg("REVIEW_NEEDS_DOCUMENT"), "documentUrl")
	}
	c.notFuture(in.EffectiveOn, "effectiveOn")
	if err := c.err(); err != nil {
		return WriteResult{}, err
	}
	return d.Write(ctx, actor.ID, key, fc.action, input, func(ctx context.Context, tx *Tx) (Event, error) {
		var c checks
		var reviewer *Agency
		if fc.review {
			reviewer = &actor
		}
		l, ok, err := lockForChange(ctx, tx, &c, sanctionLock(reviewer, fc.to), in.SanctionID, in.ExpectedVersion)
		if err != nil {
			return Event{}, err
		}
		to := l.facts
		if ok {
			var problem registry.Message
			var field string
			if to, problem, field = fc.decide(l.facts); problem.Code != "" {
				c.invalid(problem, field)
			}
			var changes int
			var last sql.NullTime
			if err := tx.QueryRowContext(ctx, `SELECT count(*), max(effective_on) FROM sanction_status_change WHERE sanction_id = $1`,
				in.SanctionID).Scan(&changes, &last); err != nil {
				return Event{}, fmt.Errorf("read status history: %w", err)
			}
			c.atMost(changes+1, MaxStatusChangesPerSanction, "status changes per sanction", "sanctionId")
			if in.EffectiveOn.Before(l.decidedOn) {
				c.invalid(registry.Msg("BEFORE_DECIDED"), "effectiveOn")
			} else if last.Valid && in.EffectiveOn.Before(last.Time) {
				c.invalid(registry.Msg("BEFORE_LAST_CHANGE", registry.Day(dateKey(last.Time))), "effectiveOn")
			}
		}
		if err := c.err(); err != nil {
			return Event{}, err
		}
		status := to.Status()
		if _, err := tx.ExecContext(ctx, `UPDATE sanction SET status = $2, standing = $3, execution = $4,
				executed_on = CASE WHEN $5 THEN coalesce(executed_on, $6::date) END, version = version + 1, updated_at = now()
			WHERE id = $1`, in.SanctionID, status, to.Standing, to.Execution, to.Execution.Executed(), in.EffectiveOn); err != nil {
			return Event{}, fmt.Errorf("update sanction: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sanction_status_change (sanction_id, status, standing, execution, effective_on, reason, document_url, agency_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, in.SanctionID, status, to.Standing, to.Execution, in.EffectiveOn, in.Reason, in.DocumentURL, actor.ID); err != nil {
			return Event{}, fmt.Errorf("insert status change: %w", err)
		}
		diff := map[string]any{"status": map[string]any{"from": l.facts.Status(), "to": status},
			"effectiveOn": dateKey(in.EffectiveOn), "reason": in.Reason, "documentUrl": in.DocumentURL}
		if to.Standing != l.facts.Standing || fc.review {
			diff["standing"] = map[string]any{"from": l.facts.Standing, "to": to.Standing}
		}
		if to.Execution != l.facts.Execution {
			diff["execution"] = map[string]any{"from": l.facts.Execution, "to": to.Execution}
		}
		if fc.review {
			diff["reviewOf"] = map[string]any{"agency": l.agency}
		}
		return Event{SubjectType: "Sanction", SubjectID: in.SanctionID, Diff: diff}, nil
	})
}

// SanctionAmendment corrects a sanction's record; nil fields keep their value.
type SanctionAmendment struct {
	SanctionID           int64
	ExpectedVersion      int
	Reason               string
	DecisionNumber       *string
	DecidedOn            *time.Time
	EffectiveOn          *time.Time
	Violations           []NewViolation // nil: unchanged
	FineVnd              *int64
	Remedies             []string // nil: unchanged
	SourceURL            *string
	SourceSha256         *string
	RelatedDisclosureIDs []int64 // nil: unchanged
	// Penalty is FINE or WARNING; a change to WARNING clears the payment deadline.
	Penalty             *string
	AdditionalPenalties []string // nil: unchanged; empty: none
	PaymentDeadline     *time.Time
	// SignatoryTitle and ViolationRecordNumber: "" (after trimming) clears them.
	SignatoryTitle        *string
	ViolationRecordNumber *string
}

// recorded is the violation as a write gives it (NewViolation).
func (v Violation) recorded() NewViolation {
	n := NewViolation{Category: v.Category, Instrument: v.Instrument, Article: v.Article,
		Point: v.Point, Description: v.Description, AmendedBy: v.AmendedBy}
	if v.Clause != nil {
		c := int(*v.Clause)
		n.Clause = &c
	}
	return n
}

// recordedSanction is what an amendment reads of a sanction before it changes it.
type recordedSanction struct {
	decisionNumber  string
	decidedOn       time.Time
	effectiveOn     *time.Time
	fineVnd         int64
	remedies        []string
	sourceURL       *string
	sourceSha256    *string
	subjectKind     string
	subjectID       int64
	penalty         registry.Penalty
	additional      []string
	paymentDeadline *time.Time
	signatoryTitle  *string
	violationRecord *string
	violations      []NewViolation
	relatedDisclIDs []int64
}

// readRecordedSanction reads sanction id (locked by the caller) with its violations (the
// loaders' read, in the transaction) and related disclosures.
func readRecordedSanction(ctx context.Context, tx *Tx, id int64) (recordedSanction, error) {
	var r recordedSanction
	var effective sql.NullTime
	var inf, mcn, brand sql.NullInt64
	var url, sha, penalty, signatory, record sql.NullString
	var deadline sql.NullTime
	if err := tx.QueryRowContext(ctx, `SELECT decision_number, decided_on, effective_on, fine_vnd, remedies, source_url,
			source_sha256, subject_kind, influencer_id, mcn_id, brand_id, penalty, additional_penalties, payment_deadline,
			signatory_title, violation_record_number FROM sanction WHERE id = $1`, id).
		Scan(&r.decisionNumber, &r.decidedOn, &effective, &r.fineVnd, pq.Array(&r.remedies), &url, &sha,
			&r.subjectKind, &inf, &mcn, &brand, &penalty, pq.Array(&r.additional), &deadline, &signatory, &record); err != nil {
		return r, fmt.Errorf("read sanction: %w", err)
	}
	r.effectiveOn, r.sourceURL, r.sourceSha256 = timePtr(effective), strPtr(url), strPtr(sha)
	r.paymentDeadline, r.signatoryTitle, r.violationRecord = timePtr(deadline), strPtr(signatory), strPtr(record)
	r.subjectID = inf.Int64 + mcn.Int64 + brand.Int64 // exactly one is set
	r.penalty = registry.Penalty(penalty.String)
	vs, err := ofParent(ctx, tx.ViolationsBySanctions, id)
	if err != nil {
		return r, fmt.Errorf("read violations: %w", err)
	}
	for _, v := range vs {
		r.violations = append(r.violations, v.recorded())
	}
	r.relatedDisclIDs = []int64{}
	// Its own SELECT: the loaders' read (disclosuresOfSanction) reads whole disclosures newest first, the diff wants ids in id order.
	drows, err := tx.QueryContext(ctx, `SELECT disclosure_id FROM sanction_disclosure WHERE sanction_id = $1 ORDER BY disclosure_id`, id)
	if err != nil {
		return r, fmt.Errorf("read related disclosures: %w", err)
	}
	defer drows.Close()
	for drows.Next() {
		var d int64
		if err := drows.Scan(&d); err != nil {
			return r, fmt.Errorf("read related disclosures: %w", err)
		}
		r.relatedDisclIDs = append(r.relatedDisclIDs, d)
	}
	return r, drows.Err()
}

// decisionNumberTaken reports whether issuer already recorded decision number in the calendar
// year of decided (registry.DecisionYear), other than sanction except.
func decisionNumberTaken(ctx context.Context, tx *Tx, issuer int64, number string, decided time.Time, except int64) (bool, error) {
	var taken bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sanction WHERE agency_id = $1 AND decision_number = $2
			AND extract(year FROM decided_on) = $3 AND id <> $4)`, issuer, number, registry.DecisionYear(decided), except).Scan(&taken); err != nil {
		return false, fmt.Errorf("read decision numbers: %w", err)
	}
	return taken, nil
}

// decisionNumberConflict is the user error of a unique violation of a decision number
// (sanction_decision_year; sanction_decision_unique of 0001, the same number on the same day):
// a concurrent write took the number between the check and the write. Else nil.
func decisionNumberConflict(err error, number string, decided time.Time, field string) error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" &&
		(pqErr.Constraint == "sanction_decision_year" || pqErr.Constraint == "sanction_decision_unique") {
		return UserErrors{{Field: []string{"input", field}, Code: Duplicate,
			Message: registry.Msg("DECISION_NUMBER_TAKEN", number, registry.DecisionYear(decided))}}
	}
	return nil
}

// AmendSanction corrects the record of a sanction by the agency that recorded it. The status is
// not changed (changeSanctionStanding records an amending decision as AMENDED). Like every
// update: fields given with their current value are not changes, an amendment that changes
// nothing is refused (CHANGES_NOTHING), and the audit diff holds each changed field {from, to}
// (fieldChanges). The decision as the amendment leaves it is checked like a new one: its
// number unique for the issuer in its calendar year, and the legal catalogue
// (registry.Catalogue.Check) when the date, the fine or the violations change.
func (d *DB) AmendSanction(ctx context.Context, actor Agency, key *string, in SanctionAmendment) (WriteResult, error) {
	var c checks
	in.Reason = c.requireText(in.Reason, 2000, "reason")
	if in.DecisionNumber != nil {
		n := c.decisionNumber(*in.DecisionNumber, "decisionNumber")
		in.DecisionNumber = &n
	}
	if in.DecidedOn != nil {
		c.notFuture(*in.DecidedOn, "decidedOn")
	}
	if in.Violations != nil {
		c.violations(in.Violations, "violations")
	}
	if in.FineVnd != nil {
		c.fine(*in.FineVnd, "fineVnd")
	}
	in.SourceURL = c.url(in.SourceURL, "sourceUrl")
	in.SourceSha256 = c.sha256(in.SourceSha256, "sourceSha256")
	if in.Penalty != nil {
		c.penaltyKind(*in.Penalty)
	}
	in.AdditionalPenalties = c.additionalPenalties(in.AdditionalPenalties)
	clearSignatory := in.SignatoryTitle != nil && strings.TrimSpace(*in.SignatoryTitle) == ""
	in.SignatoryTitle = c.optionalText(in.SignatoryTitle, 200, "signatoryTitle")
	clearRecord := in.ViolationRecordNumber != nil && strings.TrimSpace(*in.ViolationRecordNumber) == ""
	in.ViolationRecordNumber = c.optionalText(in.ViolationRecordNumber, 40, "violationRecordNumber")
	if err := c.err(); err != nil {
		return WriteResult{}, err
	}
	// The idempotency hash must tell "clear" from "keep": both are a nil field of in by now.
	input := struct {
		SanctionAmendment
		ClearSignatoryTitle, ClearViolationRecordNumber bool
	}{in, clearSignatory, clearRecord}
	return d.Write(ctx, actor.ID, key, "amendSanction", input, func(ctx context.Context, tx *Tx) (Event, error) {
		var c checks
		l, ok, err := lockForChange(ctx, tx, &c, sanctionLock(nil, nil), in.SanctionID, in.ExpectedVersion)
		if err != nil {
			return Event{}, err
		}
		if !ok {
			return Event{}, c.err()
		}
		cur, err := readRecordedSanction(ctx, tx, in.SanctionID)
		if err != nil {
			return Event{}, err
		}

		// The record as the amendment leaves it, and what changes.
		var ch fieldChanges
		next := cur
		if in.DecisionNumber != nil && *in.DecisionNumber != cur.decisionNumber {
			next.decisionNumber = *in.DecisionNumber
			ch.column("decision_number", "decisionNumber", cur.decisionNumber, next.decisionNumber, next.decisionNumber)
		}
		if in.DecidedOn != nil && dateKey(*in.DecidedOn) != dateKey(cur.decidedOn) {
			next.decidedOn = *in.DecidedOn
			ch.column("decided_on", "decidedOn", dateKey(cur.decidedOn), dateKey(next.decidedOn), next.decidedOn)
		}
		if in.EffectiveOn != nil && !eqStrPtr(datePtrKey(in.EffectiveOn), datePtrKey(cur.effectiveOn)) {
			next.effectiveOn = in.EffectiveOn
			ch.column("effective_on", "effectiveOn", datePtrKey(cur.effectiveOn), dateKey(*in.EffectiveOn), *in.EffectiveOn)
		}
		if in.FineVnd != nil && *in.FineVnd != cur.fineVnd {
			next.fineVnd = *in.FineVnd
			ch.column("fine_vnd", "fineVnd", cur.fineVnd, next.fineVnd, next.fineVnd)
		}
		if in.Remedies != nil && !sameSet(in.Remedies, cur.remedies) {
			next.remedies = uniq(in.Remedies)
			ch.column("remedies", "remedies", nonNilStrings(cur.remedies), next.remedies, pq.Array(next.remedies))
		}
		if in.SourceURL != nil && !eqStrPtr(in.SourceURL, cur.sourceURL) {
			next.sourceURL = in.SourceURL
			ch.column("source_url", "sourceUrl", cur.sourceURL, *in.SourceURL, *in.SourceURL)
		}
		if in.SourceSha256 != nil && !eqStrPtr(in.SourceSha256, cur.sourceSha256) {
			next.sourceSha256 = in.SourceSha256
			ch.column("source_sha256", "sourceSha256", cur.sourceSha256, *in.SourceSha256, *in.SourceSha256)
		}
		if in.Violations != nil && !reflect.DeepEqual(in.Violations, cur.violations) {
			next.violations = in.Violations
			ch.record("violations", cur.violations, next.violations)
		}
		if in.RelatedDisclosureIDs != nil {
			ids := slices.Sorted(slices.Values(uniq(in.RelatedDisclosureIDs)))
			if !slices.Equal(ids, cur.relatedDisclIDs) {
				next.relatedDisclIDs = ids
				ch.record("relatedDisclosureIds", cur.relatedDisclIDs, ids)
			}
		}
		if in.Penalty != nil && registry.Penalty(*in.Penalty) != cur.penalty {
			next.penalty = registry.Penalty(*in.Penalty)
			ch.column("penalty", "penalty", cur.penalty, next.penalty, next.penalty)
		}
		if in.AdditionalPenalties != nil && !sameSet(in.AdditionalPenalties, cur.additional) {
			next.additional = in.AdditionalPenalties
			ch.column("additional_penalties", "additionalPenalties", nonNilStrings(cur.additional), next.additional, pq.Array(next.additional))
		}
		switch {
		case in.PaymentDeadline != nil && !eqStrPtr(datePtrKey(in.PaymentDeadline), datePtrKey(cur.paymentDeadline)):
			next.paymentDeadline = in.PaymentDeadline
			ch.column("payment_deadline", "paymentDeadline", datePtrKey(cur.paymentDeadline), dateKey(*in.PaymentDeadline), *in.PaymentDeadline)
		case in.PaymentDeadline == nil && next.penalty == registry.PenaltyWarning && cur.paymentDeadline != nil:
			// A warning has nothing to pay: the deadline goes with the fine.
			next.paymentDeadline = nil
			ch.column("payment_deadline", "paymentDeadline", datePtrKey(cur.paymentDeadline), nil, nil)
		}
		if (in.SignatoryTitle != nil || clearSignatory) && !eqStrPtr(in.SignatoryTitle, cur.signatoryTitle) {
			next.signatoryTitle = in.SignatoryTitle
			ch.column("signatory_title", "signatoryTitle", cur.signatoryTitle, in.SignatoryTitle, in.SignatoryTitle)
		}
		if (in.ViolationRecordNumber != nil || clearRecord) && !eqStrPtr(in.ViolationRecordNumber, cur.violationRecord) {
			next.violationRecord = in.ViolationRecordNumber
			ch.column("violation_record_number", "violationRecordNumber", cur.violationRecord, in.ViolationRecordNumber, in.ViolationRecordNumber)
		}
		if ch.empty() {
			c.invalid(registry.Msg("CHANGES_NOTHING"))
			return Event{}, c.err()
		}

		// The amended decision's checks.
		if in.RelatedDisclosureIDs != nil {
			if err := relatedDisclosuresCheck(ctx, tx, &c, in.SanctionID, cur.subjectKind, cur.subjectID, in.RelatedDisclosureIDs); err != nil {
				return Event{}, err
			}
		}
		if next.effectiveOn != nil {
			if problem := registry.EffectiveOnProblem(next.decidedOn, *next.effectiveOn); problem.Code != "" {
				c.invalid(problem, "effectiveOn")
			}
		}
		if next.decisionNumber != cur.decisionNumber || registry.DecisionYear(next.decidedOn) != registry.DecisionYear(cur.decidedOn) {
			taken, err := decisionNumberTaken(ctx, tx, l.agency, next.decisionNumber, next.decidedOn, in.SanctionID)
			if err != nil {
				return Event{}, err
			}
			if taken {
				field := "decisionNumber"
				if next.decisionNumber == cur.decisionNumber {
					field = "decidedOn" // the date moved the number into a year where it is taken
				}
				c.add(Duplicate, registry.Msg("DECISION_NUMBER_TAKEN", next.decisionNumber, registry.DecisionYear(next.decidedOn)), field)
			}
		}
		if next.paymentDeadline != nil && (ch.diff["paymentDeadline"] != nil || ch.diff["decidedOn"] != nil || ch.diff["penalty"] != nil) {
			if next.penalty == registry.PenaltyWarning {
				c.invalid(registry.Msg("WARNING_NOTHING_TO_PAY"), "paymentDeadline")
			} else if problem := registry.PaymentDeadlineProblem(next.decidedOn, *next.paymentDeadline); problem.Code != "" {
				c.invalid(problem, "paymentDeadline")
			}
		}
		if ch.diff["decidedOn"] != nil || ch.diff["fineVnd"] != nil || ch.diff["violations"] != nil || ch.diff["penalty"] != nil {
			cat, err := loadCatalogue(ctx, tx)
			if err != nil {
				return Event{}, err
			}
			c.catalogueProblems(cat.Check(registry.Decision{Subject: registry.SubjectKind(cur.subjectKind), DecidedOn: next.decidedOn,
				Penalty: next.penalty, FineVnd: next.fineVnd, Citations: citations(next.violations)}))
		}
		if err := c.err(); err != nil {
			return Event{}, err
		}

		if err := ch.update(ctx, tx, "sanction", in.SanctionID); err != nil {
			field := "decisionNumber"
			if ch.diff["decisionNumber"] == nil {
				field = "decidedOn"
			}
			if uerr := decisionNumberConflict(err, next.decisionNumber, next.decidedOn, field); uerr != nil {
				return Event{}, uerr
			}
			return Event{}, fmt.Errorf("amend sanction: %w", err)
		}
		if ch.diff["violations"] != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sanction_violation WHERE sanction_id = $1`, in.SanctionID); err != nil {
				return Event{}, fmt.Errorf("replace violations: %w", err)
			}
			if err := insertViolations(ctx, tx, in.SanctionID, in.Violations); err != nil {
				return Event{}, err
			}
		}
		if ch.diff["relatedDisclosureIds"] != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sanction_disclosure WHERE sanction_id = $1`, in.SanctionID); err != nil {
				return Event{}, fmt.Errorf("replace related disclosures: %w", err)
			}
			if err := insertRelatedDisclosures(ctx, tx, in.SanctionID, next.relatedDisclIDs); err != nil {
				return Event{}, err
			}
		}
		ch.diff["reason"] = in.Reason
		return Event{SubjectType: "Sanction", SubjectID: in.SanctionID, Diff: ch.diff}, nil
	})
}

// uniq returns ss without repeats, in first-seen order.
func uniq[T comparable](ss []T) []T {
	out := make([]T, 0, len(ss))
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

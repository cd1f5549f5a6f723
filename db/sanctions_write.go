package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
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
	SubjectKind          string
	SubjectID            int64
	DecisionNumber       string
	DecidedOn            time.Time
	EffectiveOn          *time.Time
	Violations           []NewViolation
	FineVnd              int64
	Remedies             []string
	Status               *string
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
		c.invalid("at least one violation is required", field)
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
			c.invalid("must look like 38/2021/NĐ-CP", append(at, "legalBasis", "instrument")...)
		}
		if v.Article < 1 || v.Article > 1000 {
			c.invalid("must be an article number from 1", append(at, "legalBasis", "article")...)
		}
		if v.Clause != nil && (*v.Clause < 1 || *v.Clause > 100) {
			c.invalid("must be a clause number from 1", append(at, "legalBasis", "clause")...)
		}
		vs[i].Point = c.optionalText(v.Point, 2, append(at, "legalBasis", "point")...)
		if vs[i].Point != nil && !pointRe.MatchString(*vs[i].Point) {
			c.invalid("must be one lowercase letter, e.g. a or đ", append(at, "legalBasis", "point")...)
		}
		vs[i].Description = c.optionalText(v.Description, 2000, append(at, "description")...)
		vs[i].AmendedBy = c.optionalText(v.AmendedBy, 40, append(at, "legalBasis", "amendedBy")...)
		if vs[i].AmendedBy != nil && !instrumentRe.MatchString(*vs[i].AmendedBy) {
			c.invalid("must look like 129/2021/NĐ-CP", append(at, "legalBasis", "amendedBy")...)
		}
		key := registry.ViolationKey(v.Category, vs[i].Instrument, v.Article, v.Clause, vs[i].Point)
		if j, dup := seen[key]; dup {
			c.add(Duplicate, fmt.Sprintf("repeats violation %d (same category and legal basis)", j), at...)
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
		p = registry.Penalty(*in.Penalty)
		if p != registry.PenaltyFine && p != registry.PenaltyWarning {
			c.invalid("must be FINE or WARNING", "penalty")
		}
	}
	for i, a := range in.AdditionalPenalties {
		if !slices.Contains(registry.AdditionalPenalties, registry.AdditionalPenalty(a)) {
			c.invalid("is not an additional penalty", "additionalPenalties", strconv.Itoa(i))
		}
	}
	in.AdditionalPenalties = uniq(in.AdditionalPenalties)
	if in.PaymentDeadline != nil {
		if p == registry.PenaltyWarning {
			c.invalid("a warning has nothing to pay", "paymentDeadline")
		} else if problem := registry.PaymentDeadlineProblem(in.DecidedOn, *in.PaymentDeadline); problem != "" {
			c.invalid(problem, "paymentDeadline")
		}
	}
	in.SignatoryTitle = c.optionalText(in.SignatoryTitle, 200, "signatoryTitle")
	in.ViolationRecordNumber = c.optionalText(in.ViolationRecordNumber, 40, "violationRecordNumber")
	return p
}

// RecordSanction records a sanction decision by actor: validation, the subject and the related
// disclosures must exist, a provincial agency only in its own province, one transaction with
// its violations, first status and audit event.
func (d *DB) RecordSanction(ctx context.Context, actor Agency, key *string, in NewSanction) (WriteResult, error) {
	var c checks
	in.DecisionNumber = c.decisionNumber(in.DecisionNumber, "decisionNumber")
	c.notFuture(in.DecidedOn, "decidedOn")
	if in.EffectiveOn != nil && in.EffectiveOn.Before(in.DecidedOn) {
		c.invalid("is before decidedOn", "effectiveOn")
	}
	c.violations(in.Violations, "violations")
	c.fine(in.FineVnd, "fineVnd")
	penalty := c.penalty(&in)
	status := registry.InForce
	if in.Status != nil {
		status = registry.SanctionStatus(*in.Status)
		if !status.Initial() {
			c.invalid("a new sanction is IN_FORCE, COMPLIED, UNDER_COMPLAINT or UNDER_LITIGATION", "status")
		}
	}
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
			c.add(OutsideJurisdiction, fmt.Sprintf("a %s agency records sanctions only on subjects in %s", actor.Jurisdiction, actor.Jurisdiction), "subjectId")
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
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM sanction WHERE agency_id = $1 AND decision_number = $2
				AND extract(year FROM decided_on) = extract(year FROM $3::date))`, actor.ID, in.DecisionNumber, dateKey(in.DecidedOn)).Scan(&taken); err != nil {
			return Event{}, fmt.Errorf("read decision numbers: %w", err)
		}
		if taken {
			c.add(Duplicate, fmt.Sprintf("this agency already recorded decision %s in %d (numbers restart each calendar year)",
				in.DecisionNumber, in.DecidedOn.Year()), "decisionNumber")
		}
		if err := c.err(); err != nil {
			return Event{}, err
		}
		cols := map[string]string{"INFLUENCER": "influencer_id", "MCN": "mcn_id", "BRAND": "brand_id"}
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO sanction (subject_kind, `+cols[in.SubjectKind]+`, agency_id, decision_number,
				decided_on, effective_on, fine_vnd, remedies, status, source_url, source_sha256,
				penalty, additional_penalties, payment_deadline, signatory_title, violation_record_number)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
			in.SubjectKind, in.SubjectID, actor.ID, in.DecisionNumber, in.DecidedOn, in.EffectiveOn, in.FineVnd,
			pq.Array(remedies), status, in.SourceURL, in.SourceSha256,
			penalty, pq.Array(in.AdditionalPenalties), in.PaymentDeadline, in.SignatoryTitle, in.ViolationRecordNumber).Scan(&id)
		if err != nil {
			if uerr := constraintError(err, []string{"decisionNumber"}); uerr != nil {
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
		if _, err := tx.ExecContext(ctx, `INSERT INTO sanction_status_change (sanction_id, status, effective_on, reason, agency_id)
			VALUES ($1, $2, $3, 'decision recorded', $4)`, id, status, effective, actor.ID); err != nil {
			return Event{}, fmt.Errorf("insert status: %w", err)
		}
		return Event{SubjectType: "Sanction", SubjectID: id, Diff: map[string]any{
			"subject": map[string]any{"kind": in.SubjectKind, "id": in.SubjectID}, "decisionNumber": in.DecisionNumber,
			"decidedOn": dateKey(in.DecidedOn), "effectiveOn": dateKey(effective), "violations": in.Violations,
			"fineVnd": in.FineVnd, "remedies": remedies, "status": status, "sourceUrl": in.SourceURL,
			"sourceSha256": in.SourceSha256, "relatedDisclosureIds": in.RelatedDisclosureIDs,
			"penalty": penalty, "additionalPenalties": in.AdditionalPenalties, "paymentDeadline": datePtrKey(in.PaymentDeadline),
			"signatoryTitle": in.SignatoryTitle, "violationRecordNumber": in.ViolationRecordNumber,
		}}, nil
	})
}

// subjectProvince reads a sanction subject's province (brands have none); found is false when
// the subject does not exist.
func subjectProvince(ctx context.Context, tx *Tx, kind string, id int64) (*string, bool, error) {
	table := map[string]string{"INFLUENCER": "influencer", "MCN": "mcn"}[kind]
	var province sql.NullString
	var err error
	if table == "" {
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM brand WHERE id = $1`, id).Scan(&one)
	} else {
		err = tx.QueryRowContext(ctx, `SELECT province FROM `+table+` WHERE id = $1`, id).Scan(&province)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read subject: %w", err)
	}
	return strPtr(province), true, nil
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
			c.invalid("does not concern the sanction's subject", "relatedDisclosureIds", strconv.Itoa(i))
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

// SanctionStatusChange is a status change to record.
type SanctionStatusChange struct {
	SanctionID      int64
	Status          string
	EffectiveOn     time.Time
	Reason          string
	DocumentURL     *string
	ExpectedVersion int
}

// lockOwnSanction reads a sanction for update and checks it exists, belongs to actor and is at
// the expected version.
func lockOwnSanction(ctx context.Context, tx *Tx, c *checks, id int64, expectedVersion int) (status registry.SanctionStatus, decidedOn time.Time, ok bool, err error) {
	var agency int64
	var version int
	err = tx.QueryRowContext(ctx, `SELECT agency_id, status, decided_on, version FROM sanction WHERE id = $1 FOR UPDATE`, id).
		Scan(&agency, &status, &decidedOn, &version)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		c.mustExist(false, "the sanction", "sanctionId")
		return "", time.Time{}, false, nil
	case err != nil:
		return "", time.Time{}, false, fmt.Errorf("read sanction: %w", err)
	case !registry.Owns(tx.Actor, &agency):
		c.add(NotOwner, "only the agency that recorded this sanction may change it", "sanctionId")
	case version != expectedVersion:
		c.add(VersionConflict, fmt.Sprintf("the sanction is at version %d; reload it and retry", version), "expectedVersion")
	}
	return status, decidedOn, len(c.errs) == 0, nil
}

// ChangeSanctionStatus records a status change (complaint, litigation, annulment…) by the
// agency that recorded the sanction, appending to its status history.
func (d *DB) ChangeSanctionStatus(ctx context.Context, actor Agency, key *string, in SanctionStatusChange) (WriteResult, error) {
	var c checks
	in.Reason = c.requireText(in.Reason, 2000, "reason")
	in.DocumentURL = c.url(in.DocumentURL, "documentUrl")
	c.notFuture(in.EffectiveOn, "effectiveOn")
	if err := c.err(); err != nil {
		return WriteResult{}, err
	}
	return d.Write(ctx, actor.ID, key, "changeSanctionStatus", in, func(ctx context.Context, tx *Tx) (Event, error) {
		var c checks
		from, decidedOn, ok, err := lockOwnSanction(ctx, tx, &c, in.SanctionID, in.ExpectedVersion)
		if err != nil {
			return Event{}, err
		}
		if ok {
			if problem := from.ChangeProblem(registry.SanctionStatus(in.Status)); problem != "" {
				c.invalid(problem, "status")
			}
			var changes int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sanction_status_change WHERE sanction_id = $1`,
				in.SanctionID).Scan(&changes); err != nil {
				return Event{}, fmt.Errorf("count status changes: %w", err)
			}
			c.atMost(changes+1, MaxStatusChangesPerSanction, "status changes per sanction", "status")
			if in.EffectiveOn.Before(decidedOn) {
				c.invalid("is before the decision date", "effectiveOn")
			}
			var last time.Time
			if err := tx.QueryRowContext(ctx, `SELECT max(effective_on) FROM sanction_status_change WHERE sanction_id = $1`, in.SanctionID).Scan(&last); err != nil {
				return Event{}, fmt.Errorf("read status history: %w", err)
			}
			if in.EffectiveOn.Before(last) {
				c.invalid("is before the last status change ("+dateKey(last)+")", "effectiveOn")
			}
		}
		if err := c.err(); err != nil {
			return Event{}, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sanction SET status = $2, version = version + 1, updated_at = now() WHERE id = $1`,
			in.SanctionID, in.Status); err != nil {
			return Event{}, fmt.Errorf("update sanction: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sanction_status_change (sanction_id, status, effective_on, reason, document_url, agency_id)
			VALUES ($1, $2, $3, $4, $5, $6)`, in.SanctionID, in.Status, in.EffectiveOn, in.Reason, in.DocumentURL, actor.ID); err != nil {
			return Event{}, fmt.Errorf("insert status change: %w", err)
		}
		return Event{SubjectType: "Sanction", SubjectID: in.SanctionID, Diff: map[string]any{
			"status": map[string]any{"from": from, "to": in.Status}, "effectiveOn": dateKey(in.EffectiveOn),
			"reason": in.Reason, "documentUrl": in.DocumentURL,
		}}, nil
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
}

// AmendSanction corrects the record of a sanction by the agency that recorded it. The status is
// not changed (changeSanctionStatus records an amending decision as AMENDED).
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
	if err := c.err(); err != nil {
		return WriteResult{}, err
	}
	return d.Write(ctx, actor.ID, key, "amendSanction", in, func(ctx context.Context, tx *Tx) (Event, error) {
		var c checks
		_, decidedOn, ok, err := lockOwnSanction(ctx, tx, &c, in.SanctionID, in.ExpectedVersion)
		if err != nil {
			return Event{}, err
		}
		diff := map[string]any{"reason": in.Reason}
		if ok && in.RelatedDisclosureIDs != nil {
			var kind string
			var inf, mcn, brand sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT subject_kind, influencer_id, mcn_id, brand_id FROM sanction WHERE id = $1`, in.SanctionID).
				Scan(&kind, &inf, &mcn, &brand); err != nil {
				return Event{}, fmt.Errorf("read sanction subject: %w", err)
			}
			subject := inf.Int64 + mcn.Int64 + brand.Int64 // exactly one is set
			if err := relatedDisclosuresCheck(ctx, tx, &c, in.SanctionID, kind, subject, in.RelatedDisclosureIDs); err != nil {
				return Event{}, err
			}
		}
		if ok {
			d := decidedOn
			if in.DecidedOn != nil {
				d = *in.DecidedOn
			}
			if in.EffectiveOn != nil && in.EffectiveOn.Before(d) {
				c.invalid("is before decidedOn", "effectiveOn")
			}
		}
		if err := c.err(); err != nil {
			return Event{}, err
		}
		set := func(col string, v any, name string) error {
			if _, err := tx.ExecContext(ctx, `UPDATE sanction SET `+col+` = $2 WHERE id = $1`, in.SanctionID, v); err != nil {
				if uerr := constraintError(err, []string{name}); uerr != nil {
					return uerr
				}
				return fmt.Errorf("amend %s: %w", col, err)
			}
			diff[name] = v
			return nil
		}
		for _, f := range []struct {
			col, name string
			v         any
			present   bool
		}{
			{"decision_number", "decisionNumber", in.DecisionNumber, in.DecisionNumber != nil},
			{"decided_on", "decidedOn", in.DecidedOn, in.DecidedOn != nil},
			{"effective_on", "effectiveOn", in.EffectiveOn, in.EffectiveOn != nil},
			{"fine_vnd", "fineVnd", in.FineVnd, in.FineVnd != nil},
			{"source_url", "sourceUrl", in.SourceURL, in.SourceURL != nil},
			{"source_sha256", "sourceSha256", in.SourceSha256, in.SourceSha256 != nil},
		} {
			if f.present {
				if err := set(f.col, f.v, f.name); err != nil {
					return Event{}, err
				}
			}
		}
		if in.Remedies != nil {
			if err := set("remedies", pq.Array(uniq(in.Remedies)), "remedies"); err != nil {
				return Event{}, err
			}
			diff["remedies"] = uniq(in.Remedies)
		}
		if in.Violations != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sanction_violation WHERE sanction_id = $1`, in.SanctionID); err != nil {
				return Event{}, fmt.Errorf("replace violations: %w", err)
			}
			if err := insertViolations(ctx, tx, in.SanctionID, in.Violations); err != nil {
				return Event{}, err
			}
			diff["violations"] = in.Violations
		}
		if in.RelatedDisclosureIDs != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sanction_disclosure WHERE sanction_id = $1`, in.SanctionID); err != nil {
				return Event{}, fmt.Errorf("replace related disclosures: %w", err)
			}
			if err := insertRelatedDisclosures(ctx, tx, in.SanctionID, in.RelatedDisclosureIDs); err != nil {
				return Event{}, err
			}
			diff["relatedDisclosureIds"] = in.RelatedDisclosureIDs
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sanction SET version = version + 1, updated_at = now() WHERE id = $1`, in.SanctionID); err != nil {
			return Event{}, fmt.Errorf("bump version: %w", err)
		}
		return Event{SubjectType: "Sanction", SubjectID: in.SanctionID, Diff: diff}, nil
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

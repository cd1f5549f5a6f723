package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/kolregistry/kolregistry/registry"
)

// Sanction is a row of sanction. Exactly one of InfluencerID, McnID, BrandID is set, as SubjectKind says.
type Sanction struct {
	ID             int64
	SubjectKind    string
	InfluencerID   *int64
	McnID          *int64
	BrandID        *int64
	AgencyID       int64
	DecisionNumber string
	DecidedOn      time.Time
	EffectiveOn    *time.Time
	FineVnd        int64
	Remedies       []string
	Status         registry.SanctionStatus
	SourceURL      *string
	SourceSha256   *string
	Version        int
	RecordedAt     time.Time
	// Penalty is FINE or WARNING; the rest is what the decision says beside its fine.
	Penalty               string
	AdditionalPenalties   []string
	PaymentDeadline       *time.Time
	SignatoryTitle        *string
	ViolationRecordNumber *string
	// Standing and Execution are the two facts Status is derived from (docs/legal.md);
	// ExecutedOn is when the decision was executed, while Execution says it was.
	Standing   registry.Standing
	Execution  registry.Execution
	ExecutedOn *time.Time
}

// Facts are the sanction's standing and execution now.
func (s Sanction) Facts() registry.SanctionFacts {
	return registry.SanctionFacts{Standing: s.Standing, Execution: s.Execution}
}

// SubjectID is the id of the sanction's subject in its own table.
func (s Sanction) SubjectID() int64 {
	for _, p := range []*int64{s.InfluencerID, s.McnID, s.BrandID} {
		if p != nil {
			return *p
		}
	}
	return 0
}

const sanctionCols = `s.id, s.subject_kind, s.influencer_id, s.mcn_id, s.brand_id, s.agency_id, s.decision_number,
	s.decided_on, s.effective_on, s.fine_vnd, s.remedies, s.status, s.source_url, s.source_sha256, s.version, s.recorded_at,
	s.penalty, s.additional_penalties, s.payment_deadline, s.signatory_title, s.violation_record_number,
	s.standing, s.execution, s.executed_on`

func scanSanction(sc scanner, extra ...any) (Sanction, error) {
	var r Sanction
	var inf, mcn, brand sql.NullInt64
	var eff sql.NullTime
	var url, sha, signatory, record sql.NullString
	var deadline, executed sql.NullTime
	err := sc.Scan(append(extra, &r.ID, &r.SubjectKind, &inf, &mcn, &brand, &r.AgencyID, &r.DecisionNumber,
		&r.DecidedOn, &eff, &r.FineVnd, pq.Array(&r.Remedies), &r.Status, &url, &sha, &r.Version, &r.RecordedAt,
		&r.Penalty, pq.Array(&r.AdditionalPenalties), &deadline, &signatory, &record,
		&r.Standing, &r.Execution, &executed)...)
	r.ExecutedOn = timePtr(executed)
	r.PaymentDeadline, r.SignatoryTitle, r.ViolationRecordNumber = timePtr(deadline), strPtr(signatory), strPtr(record)
	r.InfluencerID, r.McnID, r.BrandID = int64Ptr(inf), int64Ptr(mcn), int64Ptr(brand)
	r.EffectiveOn, r.SourceURL, r.SourceSha256 = timePtr(eff), strPtr(url), strPtr(sha)
	return r, err
}

var sanctionOrders = map[string]order[Sanction]{
	"DECIDED_ON": {name: "decided", col: "s.decided_on", typ: "date",
		key: func(r Sanction) string { return dateKey(r.DecidedOn) }},
	"FINE_VND": {name: "fine", col: "s.fine_vnd", typ: "bigint",
		key: func(r Sanction) string { return intKey(r.FineVnd) }},
	"RECORDED_AT": {name: "recorded", col: "s.recorded_at", typ: "timestamptz",
		key: func(r Sanction) string { return timeKey(r.RecordedAt) }},
}

func sanctionOrder(field string, desc bool) (order[Sanction], error) {
	o, ok := sanctionOrders[field]
	if !ok {
		return o, fmt.Errorf("unknown sanction order %q", field)
	}
	o.desc = desc
	o.id = func(r Sanction) int64 { return r.ID }
	return o, nil
}

// newestSanctions is the ordering of nested sanction lists.
var newestSanctions, _ = sanctionOrder(registry.DefaultSanctionOrder.Field, registry.DefaultSanctionOrder.Desc)

// SanctionFilter narrows Sanctions; every list means "any of", fields combine with AND.
type SanctionFilter struct {
	// Subject matches any sanction whose subject is one of these (influencers, MCNs or brands).
	Subject      *Subjects
	InfluencerID []int64
	McnID        []int64
	BrandID      []int64
	AgencyID     []int64
	Violation    []string
	Status       []string
	Standing     []string
	Execution    []string
	// DecisionNumber matches decision numbers exactly.
	DecisionNumber []string
	Active         *bool
	Remedy         []string
	Jurisdiction   []string
	Province       []string
	DecidedFrom    *time.Time
	DecidedTo      *time.Time
	MinFineVnd     *int64
	MaxFineVnd     *int64
}

// Subjects is a set of sanction subjects of the three kinds.
type Subjects struct {
	Influencer, Mcn, Brand []int64
}

func (f SanctionFilter) query() listQuery {
	q := listQuery{from: "sanction s", cols: sanctionCols, idCol: "s.id"}
	if f.Subject != nil {
		q.cond("(s.influencer_id = ANY(%s) OR s.mcn_id = ANY(%s) OR s.brand_id = ANY(%s))",
			pq.Array(f.Subject.Influencer), pq.Array(f.Subject.Mcn), pq.Array(f.Subject.Brand))
	}
	for _, c := range []struct {
		col  string
		vals []int64
	}{{"s.influencer_id", f.InfluencerID}, {"s.mcn_id", f.McnID}, {"s.brand_id", f.BrandID}, {"s.agency_id", f.AgencyID}} {
		if len(c.vals) > 0 {
			oneOf(&q, c.col, c.vals)
		}
	}
	if len(f.Violation) > 0 {
		q.cond("EXISTS (SELECT 1 FROM sanction_violation v WHERE v.sanction_id = s.id AND v.category = ANY(%s))", pq.Array(f.Violation))
	}
	if len(f.Status) > 0 {
		oneOf(&q, "s.status", f.Status)
	}
	if len(f.DecisionNumber) > 0 {
		oneOf(&q, "s.decision_number", f.DecisionNumber)
	}
	if len(f.Standing) > 0 {
		oneOf(&q, "s.standing", f.Standing)
	}
	if len(f.Execution) > 0 {
		oneOf(&q, "s.execution", f.Execution)
	}
	if f.Active != nil {
		if *f.Active {
			q.cond("s.status = ANY(%s)", pq.Array(registry.Strings(registry.ActiveStatuses)))
		} else {
			q.cond("NOT s.status = ANY(%s)", pq.Array(registry.Strings(registry.ActiveStatuses)))
		}
	}
	if len(f.Remedy) > 0 {
		q.cond("s.remedies && %s::text[]", pq.Array(f.Remedy))
	}
	if len(f.Jurisdiction) > 0 {
		q.cond("s.agency_id IN (SELECT id FROM agency WHERE jurisdiction = ANY(%s))", pq.Array(f.Jurisdiction))
	}
	if len(f.Province) > 0 {
		q.cond("(s.influencer_id IN (SELECT id FROM influencer WHERE province = ANY(%[1]s)) OR s.mcn_id IN (SELECT id FROM mcn WHERE province = ANY(%[1]s)))",
			pq.Array(f.Province))
	}
	if f.DecidedFrom != nil {
		q.cond("s.decided_on >= %s", dateKey(*f.DecidedFrom))
	}
	if f.DecidedTo != nil {
		q.cond("s.decided_on <= %s", dateKey(*f.DecidedTo))
	}
	if f.MinFineVnd != nil {
		q.cond("s.fine_vnd >= %s", *f.MinFineVnd)
	}
	if f.MaxFineVnd != nil {
		q.cond("s.fine_vnd <= %s", *f.MaxFineVnd)
	}
	return q
}

// Sanctions returns one page of sanctions matching f.
func (d *DB) Sanctions(ctx context.Context, f SanctionFilter, orderField string, desc bool, p Page) (PageOf[Sanction], error) {
	o, err := sanctionOrder(orderField, desc)
	if err != nil {
		return PageOf[Sanction]{}, err
	}
	return fetchPage(ctx, d, f.query(), o, p, scanSanction)
}

// CountSanctions counts the sanctions matching f.
func (d *DB) CountSanctions(ctx context.Context, f SanctionFilter) (int, error) {
	return count(ctx, d, f.query())
}

// SanctionsByIDs reads sanctions by id.
func (d *DB) SanctionsByIDs(ctx context.Context, ids []int64) (map[int64]Sanction, error) {
	return sanctionsByIDs(ctx, d, ids)
}

// SanctionParent names what a nested sanction list hangs from; its value is the parent column.
type SanctionParent string

const (
	SanctionsOfInfluencer SanctionParent = "s.influencer_id"
	SanctionsOfMcn        SanctionParent = "s.mcn_id"
	SanctionsOfBrand      SanctionParent = "s.brand_id"
	SanctionsOfAgency     SanctionParent = "s.agency_id"
)

// SanctionList narrows a nested sanction list (Influencer.sanctions and the like): the
// arguments status, active, standing and execution, with SanctionFilter's meaning.
type SanctionList struct {
	Status    []string
	Active    *bool
	Standing  []string
	Execution []string
}

// Key is the list's arguments in a comparable form: the same set of values in any order, the
// same key. The dataloaders batch the parents of one key into one statement.
func (l SanctionList) Key() string {
	set := func(vs []string) string {
		vs = slices.Clone(vs)
		slices.Sort(vs)
		return strings.Join(slices.Compact(vs), ",")
	}
	active := ""
	if l.Active != nil {
		active = strconv.FormatBool(*l.Active)
	}
	return "status=" + set(l.Status) + ";active=" + active + ";standing=" + set(l.Standing) + ";execution=" + set(l.Execution)
}

// Of is the root filter equivalent to the list on the sanctions of one parent.
func (l SanctionList) Of(parent SanctionParent, id int64) SanctionFilter {
	f := l.filter()
	ids := []int64{id}
	switch parent {
	case SanctionsOfInfluencer:
		f.InfluencerID = ids
	case SanctionsOfMcn:
		f.McnID = ids
	case SanctionsOfBrand:
		f.BrandID = ids
	default:
		f.AgencyID = ids
	}
	return f
}

func (l SanctionList) filter() SanctionFilter {
	return SanctionFilter{Status: l.Status, Active: l.Active, Standing: l.Standing, Execution: l.Execution}
}

// SanctionsOf returns the same page of sanctions of the list l, newest decision first, for many parents.
func (d *DB) SanctionsOf(ctx context.Context, parent SanctionParent, l SanctionList, ids []int64, p Page) (map[int64]PageOf[Sanction], error) {
	return fetchPages(ctx, d, l.filter().query(), string(parent), ids, newestSanctions, p, scanSanction)
}

// CountSanctionsOf counts the sanctions of the list l of many parents.
func (d *DB) CountSanctionsOf(ctx context.Context, parent SanctionParent, l SanctionList, ids []int64) (map[int64]int, error) {
	return countByParent(ctx, d, l.filter().query(), string(parent), ids)
}

// sanctionsOfDisclosure are the sanctions citing a disclosure, newest first.
var sanctionsOfDisclosure = childList{"sanction_disclosure sd JOIN sanction s ON s.id = sd.sanction_id",
	"sd.disclosure_id", "s.decided_on DESC, s.id DESC", MaxSanctionsPerDisclosure}

// SanctionsByDisclosures reads the sanctions citing many disclosures, newest first.
func (d *DB) SanctionsByDisclosures(ctx context.Context, ids []int64) (map[int64][]Sanction, error) {
	return byParents(ctx, d, sanctionCols, sanctionsOfDisclosure, ids, scanSanction)
}

// Violation is a row of sanction_violation.
type Violation struct {
	Category    string
	Instrument  string
	Article     int
	Clause      *int64
	Point       *string
	Description *string
	AmendedBy   *string
}

func scanViolation(sc scanner, extra ...any) (Violation, error) {
	var r Violation
	var clause sql.NullInt64
	var point, desc, amended sql.NullString
	err := sc.Scan(append(extra, &r.Category, &r.Instrument, &r.Article, &clause, &point, &desc, &amended)...)
	r.Clause, r.Point, r.Description, r.AmendedBy = int64Ptr(clause), strPtr(point), strPtr(desc), strPtr(amended)
	return r, err
}

// violationsOfSanction are a sanction's violations, in the order recorded.
var violationsOfSanction = childList{"sanction_violation v", "v.sanction_id", "v.position", MaxViolationsPerSanction}

// ViolationsBySanctions reads the violations of many sanctions, in the order recorded.
func (d *DB) ViolationsBySanctions(ctx context.Context, ids []int64) (map[int64][]Violation, error) {
	return violationsBySanctions(ctx, d, ids)
}

// violationsBySanctions reads the violations of many sanctions, in the order recorded, with the
// store's reads or in a write transaction (reader).
func violationsBySanctions(ctx context.Context, r reader, ids []int64) (map[int64][]Violation, error) {
	return byParents(ctx, r, "v.category, v.instrument, v.article, v.clause, v.point, v.description, v.amended_by",
		violationsOfSanction, ids, scanViolation)
}

// StatusChange is a row of sanction_status_change.
type StatusChange struct {
	Status registry.SanctionStatus
	// Standing and Execution are the decision's two facts after this entry.
	Standing    registry.Standing
	Execution   registry.Execution
	EffectiveOn time.Time
	Reason      *string
	DocumentURL *string
	AgencyID    int64
	RecordedAt  time.Time
}

func scanStatusChange(sc scanner, extra ...any) (StatusChange, error) {
	var r StatusChange
	var reason, doc sql.NullString
	err := sc.Scan(append(extra, &r.Status, &r.Standing, &r.Execution, &r.EffectiveOn, &reason, &doc, &r.AgencyID, &r.RecordedAt)...)
	r.Reason, r.DocumentURL = strPtr(reason), strPtr(doc)
	return r, err
}

// StatusHistoryBySanctions reads the status history of many sanctions, oldest first.
func (d *DB) StatusHistoryBySanctions(ctx context.Context, ids []int64) (map[int64][]StatusChange, error) {
	return byParents(ctx, d, "c.status, c.standing, c.execution, c.effective_on, c.reason, c.document_url, c.agency_id, c.recorded_at",
		childList{"sanction_status_change c", "c.sanction_id", "c.effective_on, c.id", MaxStatusChangesPerSanction}, ids, scanStatusChange)
}

// sanctionsByIDs reads sanctions by id, with the store's reads or in a write transaction (reader).
func sanctionsByIDs(ctx context.Context, r reader, ids []int64) (map[int64]Sanction, error) {
	return byIDs(ctx, r, sanctionCols, "sanction s", "s.id", ids, scanSanction, func(r Sanction) int64 { return r.ID })
}

package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Timelines (docs/pages.md, "Timelines"): everything that happened to an influencer, an MCN or a brand,
// newest first, gathered from the rows that record it — the registration, accounts,
// affiliations, disclosures, sanctions and their status changes — and from the audit trail
// for corrections (updates, amendments, retractions). Each event names the record it is about.
//
// Events dated by a calendar day (a decision, a contract's start) sort at midnight in Vietnam
// on that day; events of the registry itself sort at their instant. Ties break on an id unique
// among the owner's events: the source row's id times 16 plus the branch's tag.

// TimelineOwner is the kind of record a timeline belongs to.
type TimelineOwner string

// The records with a timeline.
const (
	TimelineOfInfluencer TimelineOwner = "Influencer"
	TimelineOfMcn        TimelineOwner = "Mcn"
	TimelineOfBrand      TimelineOwner = "Brand"
)

// TimelineEvent is one event of a timeline.
type TimelineEvent struct {
	Kind string // a TimelineEventKind value
	// At is when it sorts: the instant of a registry write or publication, or midnight in
	// Vietnam of a day-dated event (Precise false).
	At      time.Time
	On      time.Time // the calendar day in Vietnam
	Precise bool
	// RecordType and RecordID name the record the event is about (a GraphQL type and db id).
	RecordType string
	RecordID   int64
	Status     *string // a sanction's status, for SANCTION_DECIDED and SANCTION_STATUS_CHANGED
	Seq        *int64  // the audit event, for events read from the audit trail
	ID         int64   // unique among the owner's events; the cursor's tie-break
}

// The branches shared by every timeline, as functions of the owner's condition on sanctions
// and disclosures. Columns: owner, kind, at, on, precise, record_type, record_id, status, seq, ev_id.
const (
	tlVN = `'Asia/Ho_Chi_Minh'`
	// tlSanctions: decisions, later status changes (the first row is the status the decision
	// was recorded with) and amendments, for the sanctions whose owner column is ownerCol.
	tlSanctions = `
	SELECT s.%[1]s, 'SANCTION_DECIDED', s.decided_on::timestamp AT TIME ZONE ` + tlVN + `, s.decided_on,
	       false, 'Sanction', s.id, s.status, NULL, s.id * 16 + 1
	  FROM sanction s WHERE s.%[1]s IS NOT NULL
	UNION ALL
	SELECT s.%[1]s, 'SANCTION_STATUS_CHANGED', c.effective_on::timestamp AT TIME ZONE ` + tlVN + `, c.effective_on,
	       false, 'Sanction', s.id, c.status, NULL, c.id * 16 + 2
	  FROM sanction_status_change c JOIN sanction s ON s.id = c.sanction_id
	 WHERE s.%[1]s IS NOT NULL
	   AND EXISTS (SELECT 1 FROM sanction_status_change c0 WHERE c0.sanction_id = c.sanction_id AND c0.id < c.id)
	UNION ALL
	SELECT s.%[1]s, 'SANCTION_AMENDED', e.at, (e.at AT TIME ZONE ` + tlVN + `)::date,
	       true, 'Sanction', s.id, NULL, e.seq, e.seq * 16 + 3
	  FROM audit_event e JOIN sanction s ON s.id = e.subject_id
	 WHERE e.subject_type = 'Sanction' AND e.action = 'amendSanction' AND s.%[1]s IS NOT NULL`
	// tlDisclosures: publications, amendments and retractions of disclosures d, owned by the
	// expression %[1]s (over d and the join %[2]s).
	tlDisclosures = `
	SELECT %[1]s, 'DISCLOSURE_PUBLISHED', d.published_at, (d.published_at AT TIME ZONE ` + tlVN + `)::date,
	       true, 'Disclosure', d.id, NULL, NULL, d.id * 16 + 4
	  FROM disclosure d %[2]s WHERE %[1]s IS NOT NULL
	UNION ALL
	SELECT %[1]s, CASE e.action WHEN 'retractDisclosure' THEN 'DISCLOSURE_RETRACTED' ELSE 'DISCLOSURE_AMENDED' END,
	       e.at, (e.at AT TIME ZONE ` + tlVN + `)::date, true, 'Disclosure', d.id, NULL, e.seq, e.seq * 16 + 5
	  FROM audit_event e JOIN disclosure d ON d.id = e.subject_id %[2]s
	 WHERE e.subject_type = 'Disclosure' AND e.action IN ('amendDisclosure', 'retractDisclosure') AND %[1]s IS NOT NULL`
	// tlSelf: the owner's registration and every later write about it (corrections). It comes
	// first in every union, so it names and types the columns.
	tlSelf = `
	SELECT x.id AS owner, 'REGISTERED'::text AS kind, x.created_at AS at, (x.created_at AT TIME ZONE ` + tlVN + `)::date AS on_day,
	       true AS precise, '%[2]s'::text AS record_type, x.id AS record_id, NULL::text AS status, NULL::bigint AS seq,
	       x.id * 16 + 0 AS ev_id
	  FROM %[1]s x
	UNION ALL
	SELECT e.subject_id, 'CORRECTED', e.at, (e.at AT TIME ZONE ` + tlVN + `)::date,
	       true, '%[2]s', e.subject_id, NULL, e.seq, e.seq * 16 + 6
	  FROM audit_event e
	 WHERE e.subject_type = '%[2]s' AND e.action NOT LIKE 'register%%'`
	// tlAffiliations: starts and ends of the affiliations, owner column ownerCol.
	tlAffiliations = `
	SELECT a.%[1]s, 'AFFILIATION_STARTED', a.started_on::timestamp AT TIME ZONE ` + tlVN + `, a.started_on,
	       false, 'Affiliation', a.id, NULL, NULL, a.id * 16 + 7
	  FROM affiliation a
	UNION ALL
	SELECT a.%[1]s, 'AFFILIATION_ENDED', a.ended_on::timestamp AT TIME ZONE ` + tlVN + `, a.ended_on,
	       false, 'Affiliation', a.id, NULL, NULL, a.id * 16 + 8
	  FROM affiliation a WHERE a.ended_on IS NOT NULL`
	tlAccounts = `
	SELECT p.influencer_id, 'ACCOUNT_ADDED', p.created_at, (p.created_at AT TIME ZONE ` + tlVN + `)::date,
	       true, 'PlatformAccount', p.id, NULL, NULL, p.id * 16 + 9
	  FROM platform_account p`
)

// timelineFrom is the FROM clause (a union of branches) of each kind of timeline.
var timelineFrom = map[TimelineOwner]string{
	TimelineOfInfluencer: "(" + fmt.Sprintf(tlSelf, "influencer", "Influencer") + " UNION ALL " + tlAccounts +
		" UNION ALL " + fmt.Sprintf(tlAffiliations, "influencer_id") +
		" UNION ALL " + fmt.Sprintf(tlDisclosures, "d.influencer_id", "") +
		" UNION ALL " + fmt.Sprintf(tlSanctions, "influencer_id") + ") t",
	TimelineOfMcn: "(" + fmt.Sprintf(tlSelf, "mcn", "Mcn") +
		" UNION ALL " + fmt.Sprintf(tlAffiliations, "mcn_id") +
		" UNION ALL " + fmt.Sprintf(tlDisclosures, "d.mcn_id", "") +
		" UNION ALL " + fmt.Sprintf(tlSanctions, "mcn_id") + ") t",
	TimelineOfBrand: "(" + fmt.Sprintf(tlSelf, "brand", "Brand") +
		" UNION ALL " + fmt.Sprintf(tlDisclosures, "db.brand_id", "JOIN disclosure_brand db ON db.disclosure_id = d.id") +
		" UNION ALL " + fmt.Sprintf(tlSanctions, "brand_id") + ") t",
}

const timelineCols = `t.kind, t.at, t.on_day, t.precise, t.record_type, t.record_id, t.status, t.seq, t.ev_id`

var timelineNewestFirst = order[TimelineEvent]{name: "timeline", col: "t.at", typ: "timestamptz", desc: true,
	key: func(r TimelineEvent) string { return r.At.UTC().Format(time.RFC3339Nano) },
	id:  func(r TimelineEvent) int64 { return r.ID }}

func scanTimelineEvent(sc scanner, extra ...any) (TimelineEvent, error) {
	var r TimelineEvent
	var status sql.NullString
	var seq sql.NullInt64
	err := sc.Scan(append(extra, &r.Kind, &r.At, &r.On, &r.Precise, &r.RecordType, &r.RecordID, &status, &seq, &r.ID)...)
	r.Status = strPtr(status)
	if seq.Valid {
		r.Seq = &seq.Int64
	}
	return r, err
}

// TimelinesOf returns the same page of the timelines of many owners of one kind, newest first.
func (d *DB) TimelinesOf(ctx context.Context, owner TimelineOwner, ids []int64, p Page) (map[int64]PageOf[TimelineEvent], error) {
	q := listQuery{from: timelineFrom[owner], cols: timelineCols, idCol: "t.ev_id"}
	return fetchPages(ctx, d, q, "t.owner", ids, timelineNewestFirst, p, scanTimelineEvent)
}

// CountTimelinesOf counts the events of many owners' timelines.
func (d *DB) CountTimelinesOf(ctx context.Context, owner TimelineOwner, ids []int64) (map[int64]int, error) {
	q := listQuery{from: timelineFrom[owner], cols: timelineCols, idCol: "t.ev_id"}
	return countByParent(ctx, d, q, "t.owner", ids)
}

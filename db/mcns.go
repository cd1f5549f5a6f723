package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/kolregistry/kolregistry/registry"
	"github.com/lib/pq"
)

// Mcn is a row of mcn.
type Mcn struct {
	ID        int64
	Name      string
	TaxCode   *string
	Website   *string
	Province  *string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

const mcnCols = `m.id, m.name, m.tax_code, m.website, m.province, m.version, m.created_at, m.updated_at`

func scanMcn(sc scanner, extra ...any) (Mcn, error) {
	var r Mcn
	var tax, web, prov sql.NullString
	err := sc.Scan(append(extra, &r.ID, &r.Name, &tax, &web, &prov, &r.Version, &r.CreatedAt, &r.UpdatedAt)...)
	r.TaxCode, r.Website, r.Province = strPtr(tax), strPtr(web), strPtr(prov)
	return r, err
}

var mcnByName = order[Mcn]{name: "name", col: "m.name" + VietnameseCollation, typ: "text",
	key: func(r Mcn) string { return r.Name }, id: func(r Mcn) int64 { return r.ID }}

// McnFilter narrows Mcns.
type McnFilter struct {
	Province          []string
	HasActiveSanction *bool
}

func (f McnFilter) query() listQuery {
	q := listQuery{from: "mcn m", cols: mcnCols, idCol: "m.id"}
	if len(f.Province) > 0 {
		oneOf(&q, "m.province", f.Province)
	}
	q.hasActiveSanction(f.HasActiveSanction, "s.mcn_id", "m.id")
	return q
}

// Mcns returns one page of MCNs by name.
func (d *DB) Mcns(ctx context.Context, f McnFilter, p Page) (PageOf[Mcn], error) {
	return fetchPage(ctx, d, f.query(), mcnByName, p, scanMcn)
}

// CountMcns counts the MCNs matching f.
func (d *DB) CountMcns(ctx context.Context, f McnFilter) (int, error) {
	return count(ctx, d, f.query())
}

// McnsByIDs reads MCNs by id.
func (d *DB) McnsByIDs(ctx context.Context, ids []int64) (map[int64]Mcn, error) {
	return mcnsByIDs(ctx, d, ids)
}

// Affiliation is a row of affiliation.
type Affiliation struct {
	ID           int64
	InfluencerID int64
	McnID        int64
	Kind         string
	StartedOn    time.Time
	EndedOn      *time.Time
	Source       *string
	Version      int
}

const affiliationCols = `a.id, a.influencer_id, a.mcn_id, a.kind, a.started_on, a.ended_on, a.source, a.version`

func scanAffiliation(sc scanner, extra ...any) (Affiliation, error) {
	var r Affiliation
	var ended sql.NullTime
	var source sql.NullString
	err := sc.Scan(append(extra, &r.ID, &r.InfluencerID, &r.McnID, &r.Kind, &r.StartedOn, &ended, &source, &r.Version)...)
	r.EndedOn, r.Source = timePtr(ended), strPtr(source)
	return r, err
}

var affiliationByStart = order[Affiliation]{name: "started", col: "a.started_on", typ: "date", desc: true,
	key: func(r Affiliation) string { return dateKey(r.StartedOn) }, id: func(r Affiliation) int64 { return r.ID }}

// AffiliationsByIDs reads affiliations by id.
func (d *DB) AffiliationsByIDs(ctx context.Context, ids []int64) (map[int64]Affiliation, error) {
	return byIDs(ctx, d, affiliationCols, "affiliation a", "a.id", ids, scanAffiliation, func(r Affiliation) int64 { return r.ID })
}

// affiliationsOfInfluencer are every affiliation of an influencer, newest first.
var affiliationsOfInfluencer = childList{"affiliation a", "a.influencer_id", "a.started_on DESC, a.id DESC", MaxAffiliationsPerInfluencer}

// AffiliationsByInfluencers reads every affiliation of many influencers, newest first.
func (d *DB) AffiliationsByInfluencers(ctx context.Context, ids []int64) (map[int64][]Affiliation, error) {
	return affiliationsByInfluencers(ctx, d, ids)
}

// affiliationsByInfluencers reads every affiliation of many influencers, newest first, with the
// store's reads or in a write transaction (reader).
func affiliationsByInfluencers(ctx context.Context, r reader, ids []int64) (map[int64][]Affiliation, error) {
	return byParents(ctx, r, affiliationCols, affiliationsOfInfluencer, ids, scanAffiliation)
}

func membersQuery(current *bool) listQuery {
	q := listQuery{from: "affiliation a", cols: affiliationCols, idCol: "a.id"}
	if current != nil {
		if *current {
			q.where = append(q.where, "a.ended_on IS NULL")
		} else {
			q.where = append(q.where, "a.ended_on IS NOT NULL")
		}
	}
	return q
}

// MembersOfMcns returns the same page of affiliations for many MCNs, newest first;
// current filters on whether the affiliation has ended (nil: all).
func (d *DB) MembersOfMcns(ctx context.Context, mcnIDs []int64, current *bool, p Page) (map[int64]PageOf[Affiliation], error) {
	return fetchPages(ctx, d, membersQuery(current), "a.mcn_id", mcnIDs, affiliationByStart, p, scanAffiliation)
}

// CountMembersOfMcns counts affiliations for many MCNs.
func (d *DB) CountMembersOfMcns(ctx context.Context, mcnIDs []int64, current *bool) (map[int64]int, error) {
	return countByParent(ctx, d, membersQuery(current), "a.mcn_id", mcnIDs)
}

// CurrentAffiliation is the affiliation naming an influencer's MCN on day, by the "current MCN"
// rule (registry.CurrentAffiliation); nil when none holds.
func CurrentAffiliation(affs []Affiliation, day time.Time) *Affiliation {
	rs := make([]registry.Affiliation, len(affs))
	for i, a := range affs {
		rs[i] = registry.Affiliation{ID: a.ID, Kind: registry.AffiliationKind(a.Kind), StartedOn: a.StartedOn, EndedOn: a.EndedOn}
	}
	if i := registry.CurrentAffiliation(rs, day); i >= 0 {
		return &affs[i]
	}
	return nil
}

// currentMcnSQL is the "current MCN" rule (registry.CurrentAffiliation) in SQL, for the JSON
// read (jsonread.go): a subquery naming the mcn_id of the affiliation the rule picks among the
// influencer's affiliations as the loaders read them (affiliationsOfInfluencer), on day (a date
// expression). In effect on day: started on or before it, not ended by it; then exclusive
// management first, the latest started, the latest recorded (the highest id).
// TestCurrentMcnSQL_AgreesWithTheRule holds it to CurrentAffiliation.
func currentMcnSQL(influencer, day string) string {
	c := affiliationsOfInfluencer
	return fmt.Sprintf(`SELECT ca.mcn_id FROM (SELECT a.id, a.mcn_id, a.kind, a.started_on, a.ended_on FROM %s WHERE %s = %s ORDER BY %s LIMIT %d) ca
		WHERE ca.started_on <= %[6]s AND (ca.ended_on IS NULL OR ca.ended_on > %[6]s)
		ORDER BY ca.kind = %s DESC, ca.started_on DESC, ca.id DESC LIMIT 1`,
		c.from, c.parentCol, influencer, c.orderBy, c.limit, day, pq.QuoteLiteral(string(registry.ExclusiveManagement)))
}

// mcnsByIDs reads mcns by id, with the store's reads or in a write transaction (reader).
func mcnsByIDs(ctx context.Context, r reader, ids []int64) (map[int64]Mcn, error) {
	return byIDs(ctx, r, mcnCols, "mcn m", "m.id", ids, scanMcn, func(r Mcn) int64 { return r.ID })
}

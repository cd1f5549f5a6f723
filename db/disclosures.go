package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/kolregistry/kolregistry/registry"
	"github.com/lib/pq"
)

// Disclosure is a row of disclosure.
type Disclosure struct {
	ID              int64
	InfluencerID    int64
	AccountID       *int64
	McnID           *int64
	FiledBy         int64
	ProductName     string
	ProductCategory string
	ContentURL      *string
	Platform        string
	PublishedAt     time.Time
	Label           string
	LabelTiming     string
	Compensation    string
	Status          string
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// RetractionReason says why the filing agency retracted it (status RETRACTED).
	RetractionReason *string
}

const disclosureCols = `d.id, d.influencer_id, d.account_id, d.mcn_id, d.filed_by, d.product_name, d.product_category,
	d.content_url, d.platform, d.published_at, d.label, d.label_timing, d.compensation, d.status, d.version,
	d.created_at, d.updated_at, d.retraction_reason`

func scanDisclosure(sc scanner, extra ...any) (Disclosure, error) {
	var r Disclosure
	var account, mcn sql.NullInt64
	var url, retraction sql.NullString
	err := sc.Scan(append(extra, &r.ID, &r.InfluencerID, &account, &mcn, &r.FiledBy, &r.ProductName, &r.ProductCategory,
		&url, &r.Platform, &r.PublishedAt, &r.Label, &r.LabelTiming, &r.Compensation, &r.Status, &r.Version,
		&r.CreatedAt, &r.UpdatedAt, &retraction)...)
	r.AccountID, r.McnID, r.ContentURL, r.RetractionReason = int64Ptr(account), int64Ptr(mcn), strPtr(url), strPtr(retraction)
	return r, err
}

// VietnamTime is the zone in which date filters are read: a journalist's "published on 20 March" is Vietnamese.
var VietnamTime = time.FixedZone("ICT", 7*60*60)

// startOfDay and endOfDay turn inclusive calendar dates into instants in Vietnam time.
func startOfDay(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, VietnamTime)
}

func dayAfter(d time.Time) time.Time { return startOfDay(d).AddDate(0, 0, 1) }

var disclosureOrders = map[string]order[Disclosure]{
	"PUBLISHED_AT": {name: "published", col: "d.published_at", typ: "timestamptz",
		key: func(r Disclosure) string { return timeKey(r.PublishedAt) }},
	"CREATED_AT": {name: "created", col: "d.created_at", typ: "timestamptz",
		key: func(r Disclosure) string { return timeKey(r.CreatedAt) }},
}

func disclosureOrder(field string, desc bool) (order[Disclosure], error) {
	o, ok := disclosureOrders[field]
	if !ok {
		return o, fmt.Errorf("unknown disclosure order %q", field)
	}
	o.desc = desc
	o.id = func(r Disclosure) int64 { return r.ID }
	return o, nil
}

// newestDisclosures is the ordering of nested disclosure lists.
var newestDisclosures, _ = disclosureOrder(registry.DefaultDisclosureOrder.Field, registry.DefaultDisclosureOrder.Desc)

// DisclosureFilter narrows Disclosures; every list means "any of", fields combine with AND.
type DisclosureFilter struct {
	InfluencerID    []int64
	McnID           []int64
	BrandID         []int64
	AgencyID        []int64
	Platform        []string
	ProductCategory []string
	Label           []string
	LabelTiming     []string
	Compensation    []string
	Status          []string
	Province        []string
	PublishedFrom   *time.Time // inclusive date, Vietnam time
	PublishedTo     *time.Time // inclusive date, Vietnam time
	// ProductName matches product names containing it, accents and case ignored.
	ProductName *string
}

func (f DisclosureFilter) query() listQuery {
	q := listQuery{from: "disclosure d", cols: disclosureCols, idCol: "d.id"}
	for _, c := range []struct {
		col  string
		vals []int64
	}{{"d.influencer_id", f.InfluencerID}, {"d.mcn_id", f.McnID}, {"d.filed_by", f.AgencyID}} {
		if len(c.vals) > 0 {
			oneOf(&q, c.col, c.vals)
		}
	}
	if len(f.BrandID) > 0 {
		q.cond("EXISTS (SELECT 1 FROM disclosure_brand fb WHERE fb.disclosure_id = d.id AND fb.brand_id = ANY(%s))", pq.Array(f.BrandID))
	}
	for _, c := range []struct {
		col  string
		vals []string
	}{{"d.platform", f.Platform}, {"d.product_category", f.ProductCategory}, {"d.label", f.Label},
		{"d.label_timing", f.LabelTiming}, {"d.compensation", f.Compensation}, {"d.status", f.Status}} {
		if len(c.vals) > 0 {
			oneOf(&q, c.col, c.vals)
		}
	}
	if len(f.Province) > 0 {
		q.cond("d.influencer_id IN (SELECT id FROM influencer WHERE province = ANY(%s))", pq.Array(f.Province))
	}
	if f.ProductName != nil {
		q.cond("registry_normalize(d.product_name) LIKE '%%' || registry_normalize(%s) || '%%'", likeEscape(*f.ProductName))
	}
	if f.PublishedFrom != nil {
		q.cond("d.published_at >= %s", startOfDay(*f.PublishedFrom))
	}
	if f.PublishedTo != nil {
		q.cond("d.published_at < %s", dayAfter(*f.PublishedTo))
	}
	return q
}

// Disclosures returns one page of disclosures matching f.
func (d *DB) Disclosures(ctx context.Context, f DisclosureFilter, orderField string, desc bool, p Page) (PageOf[Disclosure], error) {
	o, err := disclosureOrder(orderField, desc)
	if err != nil {
		return PageOf[Disclosure]{}, err
	}
	return fetchPage(ctx, d, f.query(), o, p, scanDisclosure)
}

// CountDisclosures counts the disclosures matching f.
func (d *DB) CountDisclosures(ctx context.Context, f DisclosureFilter) (int, error) {
	return count(ctx, d, f.query())
}

// DisclosuresByIDs reads disclosures by id.
func (d *DB) DisclosuresByIDs(ctx context.Context, ids []int64) (map[int64]Disclosure, error) {
	return byIDs(ctx, d, disclosureCols, "disclosure d", "d.id", ids, scanDisclosure, func(r Disclosure) int64 { return r.ID })
}

// DisclosureParent names what a nested disclosure list hangs from.
type DisclosureParent string

const (
	DisclosuresOfInfluencer DisclosureParent = "influencer"
	DisclosuresOfMcn        DisclosureParent = "mcn"
	DisclosuresOfBrand      DisclosureParent = "brand"
)

// parentQuery returns the list query and parent column of a nested disclosure list.
func (p DisclosureParent) query() (listQuery, string) {
	q := listQuery{from: "disclosure d", cols: disclosureCols, idCol: "d.id"}
	switch p {
	case DisclosuresOfMcn:
		return q, "d.mcn_id"
	case DisclosuresOfBrand:
		q.from = "disclosure d JOIN disclosure_brand pb ON pb.disclosure_id = d.id"
		return q, "pb.brand_id"
	default:
		return q, "d.influencer_id"
	}
}

// DisclosuresOf returns the same page of disclosures, newest first, for many parents.
func (d *DB) DisclosuresOf(ctx context.Context, parent DisclosureParent, ids []int64, p Page) (map[int64]PageOf[Disclosure], error) {
	q, col := parent.query()
	return fetchPages(ctx, d, q, col, ids, newestDisclosures, p, scanDisclosure)
}

// CountDisclosuresOf counts the disclosures of many parents.
func (d *DB) CountDisclosuresOf(ctx context.Context, parent DisclosureParent, ids []int64) (map[int64]int, error) {
	q, col := parent.query()
	return countByParent(ctx, d, q, col, ids)
}

// disclosuresOfSanction are the disclosures a sanction cites, newest first.
var disclosuresOfSanction = childList{"sanction_disclosure sd JOIN disclosure d ON d.id = sd.disclosure_id",
	"sd.sanction_id", "d.published_at DESC, d.id DESC", MaxRelatedDisclosuresPerSanction}

// DisclosuresBySanctions reads the disclosures related to many sanctions, newest first.
func (d *DB) DisclosuresBySanctions(ctx context.Context, ids []int64) (map[int64][]Disclosure, error) {
	return byParents(ctx, d, disclosureCols, disclosuresOfSanction, ids, scanDisclosure)
}

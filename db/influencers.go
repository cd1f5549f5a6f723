package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// Influencer is a row of influencer.
type Influencer struct {
	ID          int64
	DisplayName string
	LegalName   *string
	Aliases     []string
	Province    *string
	Categories  []string
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

const influencerCols = `i.id, i.display_name, i.legal_name, i.aliases, i.province, i.categories, i.version, i.created_at, i.updated_at`

func scanInfluencer(sc scanner, extra ...any) (Influencer, error) {
	var r Influencer
	var legal, province sql.NullString
	err := sc.Scan(append(extra, &r.ID, &r.DisplayName, &legal, pq.Array(&r.Aliases), &province,
		pq.Array(&r.Categories), &r.Version, &r.CreatedAt, &r.UpdatedAt)...)
	r.LegalName, r.Province = strPtr(legal), strPtr(province)
	return r, err
}

// InfluencerFilter narrows Influencers; every list means "any of", fields combine with AND.
type InfluencerFilter struct {
	Province          []string
	Category          []string
	Platform          []string
	McnID             []int64
	HasActiveSanction *bool
	CreatedFrom       *time.Time
	CreatedTo         *time.Time
}

// InfluencerOrders are the orderings of Influencers by GraphQL field name.
var influencerOrders = map[string]order[Influencer]{
	"DISPLAY_NAME": {name: "name", col: "i.display_name" + VietnameseCollation, typ: "text",
		key: func(r Influencer) string { return r.DisplayName }},
	"CREATED_AT": {name: "created", col: "i.created_at", typ: "timestamptz",
		key: func(r Influencer) string { return timeKey(r.CreatedAt) }},
	"UPDATED_AT": {name: "updated", col: "i.updated_at", typ: "timestamptz",
		key: func(r Influencer) string { return timeKey(r.UpdatedAt) }},
}

func influencerOrder(field string, desc bool) (order[Influencer], error) {
	o, ok := influencerOrders[field]
	if !ok {
		return o, fmt.Errorf("unknown influencer order %q", field)
	}
	o.desc = desc
	o.id = func(r Influencer) int64 { return r.ID }
	return o, nil
}

func (f InfluencerFilter) query() listQuery {
	q := listQuery{from: "influencer i", cols: influencerCols, idCol: "i.id"}
	if len(f.Province) > 0 {
		splitOneOf(&q, "i.province", f.Province)
	}
	if len(f.Category) > 0 {
		q.cond("i.categories && %s::text[]", pq.Array(f.Category))
	}
	if len(f.Platform) > 0 {
		q.cond("EXISTS (SELECT 1 FROM platform_account pa WHERE pa.influencer_id = i.id AND pa.platform = ANY(%s))", pq.Array(f.Platform))
	}
	if len(f.McnID) > 0 {
		q.cond("EXISTS (SELECT 1 FROM affiliation a WHERE a.influencer_id = i.id AND a.ended_on IS NULL AND a.mcn_id = ANY(%s))", pq.Array(f.McnID))
	}
	q.hasActiveSanction(f.HasActiveSanction, "s.influencer_id", "i.id")
	if f.CreatedFrom != nil {
		q.cond("i.created_at >= %s", *f.CreatedFrom)
	}
	if f.CreatedTo != nil {
		q.cond("i.created_at <= %s", *f.CreatedTo)
	}
	return q
}

// Influencers returns one page of influencers matching f in the given order.
func (d *DB) Influencers(ctx context.Context, f InfluencerFilter, orderField string, desc bool, p Page) (PageOf[Influencer], error) {
	o, err := influencerOrder(orderField, desc)
	if err != nil {
		return PageOf[Influencer]{}, err
	}
	return fetchPage(ctx, d, f.query(), o, p, scanInfluencer)
}

// CountInfluencers counts the influencers matching f.
func (d *DB) CountInfluencers(ctx context.Context, f InfluencerFilter) (int, error) {
	return count(ctx, d, f.query())
}

// InfluencersByIDs reads influencers by id; missing ids are absent from the map.
func (d *DB) InfluencersByIDs(ctx context.Context, ids []int64) (map[int64]Influencer, error) {
	return influencersByIDs(ctx, d, ids)
}

// Credential is a row of influencer_credential.
type Credential struct {
	Field      string
	Title      string
	Issuer     string
	ValidUntil *time.Time
}

func scanCredential(sc scanner, extra ...any) (Credential, error) {
	var r Credential
	var until sql.NullTime
	err := sc.Scan(append(extra, &r.Field, &r.Title, &r.Issuer, &until)...)
	r.ValidUntil = timePtr(until)
	return r, err
}

// CredentialsByInfluencers reads the credentials of many influencers.
func (d *DB) CredentialsByInfluencers(ctx context.Context, ids []int64) (map[int64][]Credential, error) {
	return byParents(ctx, d, "c.field, c.title, c.issuer, c.valid_until",
		childList{"influencer_credential c", "c.influencer_id", "c.id", MaxCredentialsPerInfluencer}, ids, scanCredential)
}

// PlatformAccount is a row of platform_account.
type PlatformAccount struct {
	ID                   int64
	InfluencerID         int64
	Platform             string
	Handle               string
	URL                  *string
	PlatformUserID       *string
	FollowerCount        *int64
	FollowersAsOf        *time.Time
	IdentityVerification string
	CreatedAt            time.Time
}

const accountCols = `pa.id, pa.influencer_id, pa.platform, pa.handle, pa.url, pa.platform_user_id, pa.follower_count,
	pa.followers_as_of, pa.identity_verification, pa.created_at`

func scanAccount(sc scanner, extra ...any) (PlatformAccount, error) {
	var r PlatformAccount
	var url, puid sql.NullString
	var followers sql.NullInt64
	var asOf sql.NullTime
	err := sc.Scan(append(extra, &r.ID, &r.InfluencerID, &r.Platform, &r.Handle, &url, &puid, &followers,
		&asOf, &r.IdentityVerification, &r.CreatedAt)...)
	r.URL, r.PlatformUserID, r.FollowerCount, r.FollowersAsOf = strPtr(url), strPtr(puid), int64Ptr(followers), timePtr(asOf)
	return r, err
}

// AccountsByIDs reads platform accounts by id.
func (d *DB) AccountsByIDs(ctx context.Context, ids []int64) (map[int64]PlatformAccount, error) {
	return byIDs(ctx, d, accountCols, "platform_account pa", "pa.id", ids, scanAccount, func(r PlatformAccount) int64 { return r.ID })
}

// accountsOfInfluencer are an influencer's accounts, by platform then handle.
var accountsOfInfluencer = childList{"platform_account pa", "pa.influencer_id", "pa.platform, lower(pa.handle)", MaxAccountsPerInfluencer}

// AccountsByInfluencers reads the accounts of many influencers, by platform then handle.
func (d *DB) AccountsByInfluencers(ctx context.Context, ids []int64) (map[int64][]PlatformAccount, error) {
	return byParents(ctx, d, accountCols, accountsOfInfluencer, ids, scanAccount)
}

// influencersByIDs reads influencers by id, with the store's reads or in a write transaction (reader).
func influencersByIDs(ctx context.Context, r reader, ids []int64) (map[int64]Influencer, error) {
	return byIDs(ctx, r, influencerCols, "influencer i", "i.id", ids, scanInfluencer, func(r Influencer) int64 { return r.ID })
}

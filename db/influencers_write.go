package db

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kolregistry/kolregistry/registry"
	"github.com/lib/pq"
)

// The writes of influencers and their platform accounts: registerInfluencer,
// updateInfluencer, addPlatformAccount. Each validates its input outside the transaction, then
// runs in one DB.Write: a refused write leaves no rows behind, a successful one appends exactly
// one audit event.

// Enumerations the writes check before the table's CHECK constraints do; the
// GraphQL enums already limit them, this keeps a bad value from the Go API a user error.
var (
	contentCategoryValues = []string{"BEAUTY", "FASHION", "FOOD", "TRAVEL", "TECH", "GAMING", "FINANCE", "HEALTH",
		"EDUCATION", "LAW", "PARENTING", "ENTERTAINMENT", "LIFESTYLE", "NEWS", "OTHER"}
	platformValues             = []string{"FACEBOOK", "TIKTOK", "YOUTUBE", "INSTAGRAM", "ZALO", "THREADS", "X", "SHOPEE", "LAZADA", "OTHER"}
	identityVerificationValues = []string{"VN_PHONE", "PERSONAL_ID", "UNVERIFIED", "UNKNOWN"}
)

const (
	maxNameLen = 200 // display, legal, MCN and brand names, aliases
)

// Decree 13/2023/NĐ-CP: the registry stores no ID numbers, phone numbers or birth dates. Names
// never need a long run of digits (a CMND has 9, a CCCD 12, a phone 10), and a handle or an
// account URL that is a Vietnamese phone number (Zalo accounts often are) is one.
var (
	longDigitsRe = regexp.MustCompile(`[0-9]{9,}`)
	vnPhoneRe    = regexp.MustCompile(`(^|[^0-9])(\+?84|0)[35789][0-9]{8}([^0-9]|$)`)
)

func (c *checks) noIDNumber(s *string, field ...string) {
	if s != nil && longDigitsRe.MatchString(strings.ReplaceAll(strings.ReplaceAll(*s, " ", ""), ".", "")) {
		c.invalid(registry.Msg("LOOKS_LIKE_ID_NUMBER"), field...)
	}
}

func (c *checks) noPhone(s *string, field ...string) {
	if s != nil && vnPhoneRe.MatchString(strings.NewReplacer(" ", "", ".", "", "-", "").Replace(*s)) {
		c.invalid(registry.Msg("LOOKS_LIKE_PHONE"), field...)
	}
}

// enumValue checks that v is one of values.
func (c *checks) enumValue(v string, values []string, field ...string) {
	if !slices.Contains(values, v) {
		c.invalid(registry.Msg("ONE_OF", strings.Join(values, ", ")), field...)
	}
}

// name checks a required name (trimmed, at most 200 characters) and refuses ID numbers in it.
func (c *checks) name(s string, field ...string) string {
	s = c.requireText(s, maxNameLen, field...)
	c.noIDNumber(&s, field...)
	return s
}

// aliases trims the aliases, drops empty ones and repeats (case-insensitively, the first
// spelling wins).
func (c *checks) aliases(as []string, field string) []string {
	out := make([]string, 0, len(as))
	seen := map[string]bool{}
	for i, a := range as {
		a = strings.TrimSpace(a)
		if a == "" || seen[strings.ToLower(a)] {
			continue
		}
		seen[strings.ToLower(a)] = true
		if len([]rune(a)) > maxNameLen {
			c.invalid(registry.Msg("TOO_LONG", maxNameLen), field, strconv.Itoa(i))
		}
		c.noIDNumber(&a, field, strconv.Itoa(i))
		out = append(out, a)
	}
	c.atMost(len(out), MaxAliasesPerInfluencer, "aliases", field)
	return out
}

func (c *checks) categories(cs []string, field string) []string {
	for i, v := range cs {
		c.enumValue(v, contentCategoryValues, field, strconv.Itoa(i))
	}
	return uniq(cs)
}

// NewInfluencer is an influencer to register. LegalName is for a person a public decision
// names; it is not checked against anything.
type NewInfluencer struct {
	DisplayName string
	LegalName   *string
	Aliases     []string
	Province    *string
	Categories  []string
}

// RegisterInfluencer registers an influencer, created by actor.
func (d *DB) RegisterInfluencer(ctx context.Context, actor Agency, key *string, in NewInfluencer) (WriteResult, error) {
	var c checks
	in.DisplayName = c.name(in.DisplayName, "displayName")
	in.LegalName = c.optionalText(in.LegalName, maxNameLen, "legalName")
	c.noIDNumber(in.LegalName, "legalName")
	in.Aliases = c.aliases(in.Aliases, "aliases")
	in.Province = c.province(in.Province, "province")
	in.Categories = c.categories(in.Categories, "categories")
	if err := c.err(); err != nil {
		return WriteResult{}, err
	}
	return d.Write(ctx, actor.ID, key, "registerInfluencer", in, func(ctx context.Context, tx *Tx) (Event, error) {
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO influencer (display_name, legal_name, aliases, province, categories, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			in.DisplayName, in.LegalName, pq.Array(in.Aliases), in.Province, pq.Array(in.Categories), actor.ID).Scan(&id)
		if err != nil {
			return Event{}, fmt.Errorf("insert influencer: %w", err)
		}
		return Event{SubjectType: "Influencer", SubjectID: id, Diff: map[string]any{
			"displayName": in.DisplayName, "legalName": in.LegalName, "aliases": in.Aliases,
			"province": in.Province, "categories": in.Categories,
		}}, nil
	})
}

// InfluencerUpdate changes an influencer; nil fields keep their value. An empty LegalName or
// Province ("" after trimming) clears it; empty (non-nil) Aliases or Categories clear them.
type InfluencerUpdate struct {
	InfluencerID    int64
	ExpectedVersion int
	DisplayName     *string
	LegalName       *string
	Aliases         []string
	Province        *string
	Categories      []string
}

// UpdateInfluencer changes an influencer at the expected version. Only the agency that
// registered it may (NOT_OWNER); an influencer without created_by (seeded or imported before
// agencies wrote) may be updated by any agency holding influencers:write. Fields set to their
// current value are left out of the diff; an update that changes nothing is refused (INVALID,
// CHANGES_NOTHING), so that every audit event records a change (fieldChanges, as every update).
func (d *DB) UpdateInfluencer(ctx context.Context, actor Agency, key *string, in InfluencerUpdate) (WriteResult, error) {
	var c checks
	if in.DisplayName != nil {
		n := c.name(*in.DisplayName, "displayName")
		in.DisplayName = &n
	}
	clearLegal := in.LegalName != nil && strings.TrimSpace(*in.LegalName) == ""
	in.LegalName = c.optionalText(in.LegalName, maxNameLen, "legalName")
	c.noIDNumber(in.LegalName, "legalName")
	clearProvince := in.Province != nil && strings.TrimSpace(*in.Province) == ""
	in.Province = c.province(in.Province, "province")
	if in.Aliases != nil {
		in.Aliases = c.aliases(in.Aliases, "aliases")
	}
	if in.Categories != nil {
		in.Categories = c.categories(in.Categories, "categories")
	}
	if err := c.err(); err != nil {
		return WriteResult{}, err
	}
	// The idempotency hash must tell "clear" from "keep": both are a nil field of in by now.
	input := struct {
		InfluencerUpdate
		ClearLegalName, ClearProvince bool
	}{in, clearLegal, clearProvince}
	return d.Write(ctx, actor.ID, key, "updateInfluencer", input, func(ctx context.Context, tx *Tx) (Event, error) {
		var c checks
		cur, ok, err := lockForChange(ctx, tx, &c, influencerLock, in.InfluencerID, in.ExpectedVersion)
		if err != nil {
			return Event{}, err
		}
		if !ok {
			return Event{}, c.err()
		}

		var ch fieldChanges
		if in.DisplayName != nil && *in.DisplayName != cur.DisplayName {
			ch.column("display_name", "displayName", cur.DisplayName, *in.DisplayName, *in.DisplayName)
		}
		if (in.LegalName != nil || clearLegal) && !eqStrPtr(in.LegalName, cur.LegalName) {
			ch.column("legal_name", "legalName", cur.LegalName, in.LegalName, in.LegalName)
		}
		if (in.Province != nil || clearProvince) && !eqStrPtr(in.Province, cur.Province) {
			ch.column("province", "province", cur.Province, in.Province, in.Province)
		}
		if in.Aliases != nil && !slices.Equal(in.Aliases, cur.Aliases) {
			ch.column("aliases", "aliases", nonNilStrings(cur.Aliases), in.Aliases, pq.Array(nonNilStrings(in.Aliases)))
		}
		if in.Categories != nil && !sameSet(in.Categories, cur.Categories) {
			ch.column("categories", "categories", nonNilStrings(cur.Categories), in.Categories, pq.Array(nonNilStrings(in.Categories)))
		}
		if ch.empty() {
			c.invalid(registry.Msg("CHANGES_NOTHING"))
			return Event{}, c.err()
		}
		if err := ch.update(ctx, tx, "influencer", in.InfluencerID); err != nil {
			return Event{}, fmt.Errorf("update influencer: %w", err)
		}
		return Event{SubjectType: "Influencer", SubjectID: in.InfluencerID, Diff: ch.diff}, nil
	})
}

// lockedInfluencer is what updateInfluencer's lock step reads.
type lockedInfluencer struct {
	Influencer
	createdBy sql.NullInt64
}

// influencerLock locks an influencer (lockForChange): only the agency that registered it may
// change it (registry.Owns; one without created_by, seeded or imported, by any agency).
var influencerLock = lockSpec[lockedInfluencer]{
	table: "influencer", what: "the influencer", idField: "influencerId",
	query: `SELECT display_name, legal_name, aliases, province, categories, version, created_by
			FROM influencer WHERE id = $1 FOR UPDATE`,
	scan: func(sc scanner) (r lockedInfluencer, err error) {
		var legal, province sql.NullString
		err = sc.Scan(&r.DisplayName, &legal, pq.Array(&r.Aliases), &province, pq.Array(&r.Categories), &r.Version, &r.createdBy)
		r.LegalName, r.Province = strPtr(legal), strPtr(province)
		return r, err
	},
	version:  func(r lockedInfluencer) int { return r.Version },
	owner:    func(r lockedInfluencer) *int64 { return int64Ptr(r.createdBy) },
	notOwner: registry.Msg("NOT_OWNER_INFLUENCER"),
}

// sameSet says whether a and b hold the same values, in any order (categories are a set).
func sameSet(a, b []string) bool {
	a, b = slices.Sorted(slices.Values(uniq(a))), slices.Sorted(slices.Values(uniq(b)))
	return slices.Equal(a, b)
}

func eqStrPtr(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func nonNilStrings(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// NewPlatformAccount is an account to add to an influencer. Handle may start with @ (dropped).
// IdentityVerification defaults to UNKNOWN; a FollowerCount is dated today (in Vietnam).
type NewPlatformAccount struct {
	InfluencerID         int64
	Platform             string
	Handle               string
	URL                  *string
	PlatformUserID       *string
	FollowerCount        *int64
	IdentityVerification *string
}

// AddPlatformAccount adds a platform account to an existing influencer. A handle already
// registered on the platform (case-insensitively) is DUPLICATE. Any agency with
// influencers:write may add one: accounts are facts anyone can check on the platform.
func (d *DB) AddPlatformAccount(ctx context.Context, actor Agency, key *string, in NewPlatformAccount) (WriteResult, error) {
	var c checks
	c.enumValue(in.Platform, platformValues, "platform")
	in.Handle = c.handle(in.Handle, "handle")
	c.noPhone(&in.Handle, "handle")
	in.URL = c.url(in.URL, "url")
	c.noPhone(in.URL, "url")
	in.PlatformUserID = c.optionalText(in.PlatformUserID, 100, "platformUserId")
	var asOf *string
	if in.FollowerCount != nil {
		if *in.FollowerCount < 0 || *in.FollowerCount > 1<<53-1 {
			c.invalid(registry.Msg("COUNT_RANGE"), "followerCount")
		}
		today := dateKey(time.Now().In(VietnamTime))
		asOf = &today
	}
	verification := "UNKNOWN"
	if in.IdentityVerification != nil {
		verification = *in.IdentityVerification
		c.enumValue(verification, identityVerificationValues, "identityVerification")
	}
	if err := c.err(); err != nil {
		return WriteResult{}, err
	}
	return d.Write(ctx, actor.ID, key, "addPlatformAccount", in, func(ctx context.Context, tx *Tx) (Event, error) {
		var c checks
		_, found, err := byID(ctx, tx.InfluencersByIDs, in.InfluencerID)
		if err != nil {
			return Event{}, fmt.Errorf("read influencer: %w", err)
		}
		c.mustExist(found, "the influencer", "influencerId")
		if found {
			if err := roomFor(ctx, tx, &c, "influencer", in.InfluencerID, "platform_account", "influencer_id",
				MaxAccountsPerInfluencer, "platform accounts per influencer", "influencerId"); err != nil {
				return Event{}, err
			}
		}
		if err := c.err(); err != nil {
			return Event{}, err
		}
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO platform_account (influencer_id, platform, handle, url, platform_user_id,
				follower_count, followers_as_of, identity_verification)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			in.InfluencerID, in.Platform, in.Handle, in.URL, in.PlatformUserID, in.FollowerCount, asOf, verification).Scan(&id)
		if err != nil {
			if uerr := constraintError(err, []string{"handle"}); uerr != nil {
				return Event{}, uerr
			}
			return Event{}, fmt.Errorf("insert platform account: %w", err)
		}
		return Event{SubjectType: "PlatformAccount", SubjectID: id, Diff: map[string]any{
			"influencerId": in.InfluencerID, "platform": in.Platform, "handle": in.Handle, "url": in.URL,
			"platformUserId": in.PlatformUserID, "followerCount": in.FollowerCount, "followersAsOf": asOf,
			"identityVerification": verification,
		}}, nil
	})
}

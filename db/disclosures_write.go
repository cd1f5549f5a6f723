package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/kolregistry/kolregistry/registry"
)

// NewDisclosure is a sponsored post to file. Without AccountID, Platform is required; without
// McnID, the influencer's MCN on the publication date (Vietnam time) is recorded.
type NewDisclosure struct {
	InfluencerID    int64
	AccountID       *int64
	BrandIDs        []int64
	McnID           *int64
	ProductName     string
	ProductCategory string
	ContentURL      *string
	Platform        *string
	PublishedAt     time.Time
	Label           string
	LabelTiming     string
	Compensation    string
}

// DisclosureAmendment corrects a disclosure's record; nil fields keep their value. BrandIDs,
// when not nil, replaces the set of brands. A ContentURL given as blank clears it.
type DisclosureAmendment struct {
	DisclosureID    int64
	ExpectedVersion int
	BrandIDs        []int64
	ProductName     *string
	ProductCategory *string
	ContentURL      *string
	PublishedAt     *time.Time
	Label           *string
	LabelTiming     *string
	Compensation    *string
}

// DisclosureRetraction withdraws a disclosure from the record, with the reason why.
type DisclosureRetraction struct {
	DisclosureID    int64
	ExpectedVersion int
	Reason          string
}

// publishedAtSkew is how far in the future a publication time may be, for the filer's clock.
const publishedAtSkew = 5 * time.Minute

// maxProductName is the longest product name accepted.
const maxProductName = 300

// The enumerations of a disclosure, mirrored by the table's CHECK constraints.
var disclosureEnums = map[string][]string{
	"platform": {"FACEBOOK", "TIKTOK", "YOUTUBE", "INSTAGRAM", "ZALO", "THREADS", "X", "SHOPEE", "LAZADA", "OTHER"},
	"productCategory": {"COSMETICS", "FOOD", "FOOD_SUPPLEMENT", "MEDICINE", "MEDICAL_DEVICE", "FINANCIAL_SERVICE", "CRYPTO",
		"REAL_ESTATE", "EDUCATION", "ALCOHOL", "TOBACCO", "GAMBLING", "ELECTRONICS", "FASHION", "TRAVEL", "OTHER"},
	"label": {"QUANG_CAO", "TAI_TRO", "HOP_TAC_THUONG_MAI", "PLATFORM_PAID_PARTNERSHIP", "HASHTAG_AD", "AFFILIATE_NOTICE",
		"AMBIGUOUS", "NONE"},
	"labelTiming":  {"BEFORE_AND_DURING", "DURING_ONLY", "CAPTION_ONLY", "NONE"},
	"compensation": {"CASH_FEE", "AFFILIATE_COMMISSION", "FREE_PRODUCT", "DISCOUNT_CODE", "EQUITY_OR_CO_OWNER", "GIFT_OR_TRAVEL", "UNDISCLOSED"},
}

// disclosureEnum checks the value of one of a disclosure's enumerations (field is its input name).
func (c *checks) disclosureEnum(v, field string) {
	if !slices.Contains(disclosureEnums[field], v) {
		c.invalid(registry.Msg("NOT_A_VALUE", v), field)
	}
}

// publishedAt checks a publication time and returns it at the database's precision.
func (c *checks) publishedAt(t time.Time, field string) time.Time {
	if t.IsZero() {
		c.invalid(registry.Msg("REQUIRED"), field)
	} else if t.After(time.Now().Add(publishedAtSkew)) {
		c.invalid(registry.Msg("IN_FUTURE"), field)
	}
	return t.UTC().Truncate(time.Microsecond)
}

// labelConsistency checks that a post is unlabelled exactly when the label's timing is NONE.
func (c *checks) labelConsistency(label, timing string) {
	switch {
	case label == "NONE" && timing != "NONE":
		c.invalid(registry.Msg("LABEL_TIMING_MUST_BE_NONE"), "labelTiming")
	case label != "NONE" && timing == "NONE":
		c.invalid(registry.Msg("LABEL_TIMING_NOT_NONE"), "labelTiming")
	}
}

// FileDisclosure files a disclosure on behalf of actor: the influencer, account, brands and MCN
// must exist, one transaction with its brands and audit event. Its status is ACTIVE.
func (d *DB) FileDisclosure(ctx context.Context, actor Agency, key *string, in NewDisclosure) (WriteResult, error) {
	var c checks
	if in.AccountID == nil && in.Platform == nil {
		c.invalid(registry.Msg("PLATFORM_REQUIRED"), "platform")
	}
	if in.Platform != nil {
		c.disclosureEnum(*in.Platform, "platform")
	}
	if len(in.BrandIDs) == 0 {
		c.invalid(registry.Msg("BRAND_REQUIRED"), "brandIds")
	}
	c.atMost(len(uniq(in.BrandIDs)), MaxBrandsPerDisclosure, "brands", "brandIds")
	in.ProductName = c.requireText(in.ProductName, maxProductName, "productName")
	c.disclosureEnum(in.ProductCategory, "productCategory")
	in.ContentURL = c.url(in.ContentURL, "contentUrl")
	in.PublishedAt = c.publishedAt(in.PublishedAt, "publishedAt")
	c.disclosureEnum(in.Label, "label")
	c.disclosureEnum(in.LabelTiming, "labelTiming")
	c.disclosureEnum(in.Compensation, "compensation")
	c.labelConsistency(in.Label, in.LabelTiming)
	if err := c.err(); err != nil {
		return WriteResult{}, err
	}
	brands := uniq(in.BrandIDs)

	return d.Write(ctx, actor.ID, key, "fileDisclosure", in, func(ctx context.Context, tx *Tx) (Event, error) {
		var c checks
		_, influencerFound, err := byID(ctx, tx.InfluencersByIDs, in.InfluencerID)
		if err != nil {
			return Event{}, fmt.Errorf("read influencer: %w", err)
		}
		c.mustExist(influencerFound, "the influencer", "influencerId")

		platform := in.Platform
		if in.AccountID != nil {
			var owner int64
			var accountPlatform string
			err := tx.QueryRowContext(ctx, `SELECT influencer_id, platform FROM platform_account WHERE id = $1`, *in.AccountID).
				Scan(&owner, &accountPlatform)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				c.mustExist(false, "the platform account", "accountId")
			case err != nil:
				return Event{}, fmt.Errorf("read platform account: %w", err)
			case influencerFound && owner != in.InfluencerID:
				c.invalid(registry.Msg("ACCOUNT_OF_ANOTHER"), "accountId")
			case in.Platform != nil && *in.Platform != accountPlatform:
				c.invalid(registry.Msg("ACCOUNT_ON_OTHER_PLATFORM", accountPlatform), "platform")
			default:
				platform = &accountPlatform
			}
		}
		if err := brandsExist(ctx, tx, &c, in.BrandIDs); err != nil {
			return Event{}, err
		}

		mcn := in.McnID
		if mcn != nil {
			_, found, err := byID(ctx, tx.McnsByIDs, *mcn)
			if err != nil {
				return Event{}, fmt.Errorf("read mcn: %w", err)
			}
			c.mustExist(found, "the MCN", "mcnId")
		} else if influencerFound {
			if mcn, err = mcnOn(ctx, tx, in.InfluencerID, in.PublishedAt); err != nil {
				return Event{}, err
			}
		}
		if err := c.err(); err != nil {
			return Event{}, err
		}

		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO disclosure (influencer_id, account_id, mcn_id, product_name, product_category,
				content_url, platform, published_at, label, label_timing, compensation, status, filed_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'ACTIVE', $12) RETURNING id`,
			in.InfluencerID, in.AccountID, mcn, in.ProductName, in.ProductCategory, in.ContentURL, *platform,
			in.PublishedAt, in.Label, in.LabelTiming, in.Compensation, actor.ID).Scan(&id)
		if err != nil {
			return Event{}, fmt.Errorf("insert disclosure: %w", err)
		}
		if err := insertDisclosureBrands(ctx, tx, id, brands); err != nil {
			return Event{}, err
		}
		return Event{SubjectType: "Disclosure", SubjectID: id, Diff: map[string]any{
			"influencerId": in.InfluencerID, "accountId": in.AccountID, "brandIds": brands, "mcnId": mcn,
			"productName": in.ProductName, "productCategory": in.ProductCategory, "contentUrl": in.ContentURL,
			"platform": *platform, "publishedAt": timeKey(in.PublishedAt), "label": in.Label,
			"labelTiming": in.LabelTiming, "compensation": in.Compensation, "status": "ACTIVE",
		}}, nil
	})
}

// brandsExist adds a NOT_FOUND user error at brandIds.<i> for each brand that does not exist.
func brandsExist(ctx context.Context, tx *Tx, c *checks, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	found, err := tx.BrandsByIDs(ctx, ids)
	if err != nil {
		return fmt.Errorf("read brands: %w", err)
	}
	for i, id := range ids {
		_, ok := found[id]
		c.mustExist(ok, "the brand", "brandIds", strconv.Itoa(i))
	}
	return nil
}

// mcnOn returns the MCN an influencer was affiliated with on the (Vietnamese) date of at: the
// affiliation whose [started_on, ended_on) holds that date, exclusive management first, else
// the latest started; nil when there is none.
func mcnOn(ctx context.Context, tx *Tx, influencer int64, at time.Time) (*int64, error) {
	affs, err := ofParent(ctx, tx.AffiliationsByInfluencers, influencer)
	if err != nil {
		return nil, fmt.Errorf("read affiliations: %w", err)
	}
	if a := CurrentAffiliation(affs, at.In(VietnamTime)); a != nil {
		return &a.McnID, nil
	}
	return nil, nil
}

func insertDisclosureBrands(ctx context.Context, tx *Tx, disclosure int64, brands []int64) error {
	for _, b := range brands {
		if _, err := tx.ExecContext(ctx, `INSERT INTO disclosure_brand (disclosure_id, brand_id) VALUES ($1, $2)`, disclosure, b); err != nil {
			return fmt.Errorf("insert disclosure brand: %w", err)
		}
	}
	return nil
}

// lockOwnDisclosure locks a disclosure (lockForChange: it exists, was filed by the actor, is at
// the expected version) and checks it is not retracted (verb says what was attempted).
func lockOwnDisclosure(ctx context.Context, tx *Tx, c *checks, id int64, expectedVersion int, verb string) (Disclosure, bool, error) {
	notOwner := registry.Msg("NOT_OWNER_DISCLOSURE_AMEND")
	if verb == "retract" {
		notOwner = registry.Msg("NOT_OWNER_DISCLOSURE_RETRACT")
	}
	r, ok, err := lockForChange(ctx, tx, c, lockSpec[Disclosure]{
		table: "disclosure", what: "the disclosure", idField: "disclosureId",
		query:    `SELECT ` + disclosureCols + ` FROM disclosure d WHERE d.id = $1 FOR UPDATE`,
		scan:     func(sc scanner) (Disclosure, error) { return scanDisclosure(sc) },
		version:  func(r Disclosure) int { return r.Version },
		owner:    func(r Disclosure) *int64 { return &r.FiledBy },
		notOwner: notOwner,
	}, id, expectedVersion)
	switch {
	case !ok || err != nil:
		return r, false, err
	case r.Status == "RETRACTED" && verb == "retract":
		c.invalid(registry.Msg("DISCLOSURE_RETRACTED_RETRACT"), "disclosureId")
	case r.Status == "RETRACTED":
		c.invalid(registry.Msg("DISCLOSURE_RETRACTED_AMEND"), "disclosureId")
	}
	return r, len(c.errs) == 0, nil
}

func eqInt64Ptr(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// disclosureBrands reads the brands of a disclosure, in id order.
// Its own SELECT: the loaders' read (brandsOfDisclosure) joins brand and orders by name, the diff wants ids in id order.
func disclosureBrands(ctx context.Context, tx *Tx, id int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT brand_id FROM disclosure_brand WHERE disclosure_id = $1 ORDER BY brand_id`, id)
	if err != nil {
		return nil, fmt.Errorf("read disclosure brands: %w", err)
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var b int64
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("read disclosure brands: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// AmendDisclosure corrects a disclosure by the agency that filed it: the given fields change,
// the status becomes AMENDED and the version goes up by one. When the publication time moves
// and the recorded MCN was the influencer's MCN on the old date (the default of fileDisclosure),
// it becomes the influencer's MCN on the new date. The audit diff holds, for each
// field that changed, {from, to}. An amendment that changes nothing is refused (CHANGES_NOTHING),
// like every update (fieldChanges).
func (d *DB) AmendDisclosure(ctx context.Context, actor Agency, key *string, in DisclosureAmendment) (WriteResult, error) {
	var c checks
	if in.BrandIDs != nil && len(in.BrandIDs) == 0 {
		c.invalid(registry.Msg("BRAND_REQUIRED"), "brandIds")
	}
	c.atMost(len(uniq(in.BrandIDs)), MaxBrandsPerDisclosure, "brands", "brandIds")
	if in.ProductName != nil {
		n := c.requireText(*in.ProductName, maxProductName, "productName")
		in.ProductName = &n
	}
	if in.ProductCategory != nil {
		c.disclosureEnum(*in.ProductCategory, "productCategory")
	}
	var clearURL bool
	if in.ContentURL != nil {
		in.ContentURL = c.url(in.ContentURL, "contentUrl")
		clearURL = in.ContentURL == nil // given blank
	}
	if in.PublishedAt != nil {
		t := c.publishedAt(*in.PublishedAt, "publishedAt")
		in.PublishedAt = &t
	}
	for _, f := range []struct {
		v     *string
		field string
	}{{in.Label, "label"}, {in.LabelTiming, "labelTiming"}, {in.Compensation, "compensation"}} {
		if f.v != nil {
			c.disclosureEnum(*f.v, f.field)
		}
	}
	if err := c.err(); err != nil {
		return WriteResult{}, err
	}
	var brands []int64
	if in.BrandIDs != nil {
		brands = uniq(in.BrandIDs)
		slices.Sort(brands)
	}

	// The idempotency hash must tell "clear" from "keep": both are a nil ContentURL by now.
	input := struct {
		DisclosureAmendment
		ClearContentURL bool
	}{in, clearURL}
	return d.Write(ctx, actor.ID, key, "amendDisclosure", input, func(ctx context.Context, tx *Tx) (Event, error) {
		var c checks
		cur, ok, err := lockOwnDisclosure(ctx, tx, &c, in.DisclosureID, in.ExpectedVersion, "amend")
		if err != nil {
			return Event{}, err
		}
		if !ok {
			return Event{}, c.err()
		}
		if err := brandsExist(ctx, tx, &c, in.BrandIDs); err != nil {
			return Event{}, err
		}
		label, timing := cur.Label, cur.LabelTiming
		if in.Label != nil {
			label = *in.Label
		}
		if in.LabelTiming != nil {
			timing = *in.LabelTiming
		}
		c.labelConsistency(label, timing)
		if err := c.err(); err != nil {
			return Event{}, err
		}

		var ch fieldChanges
		set := ch.column
		setText := func(col, name string, v *string, cur string) {
			if v != nil && *v != cur {
				set(col, name, cur, *v, *v)
			}
		}
		setText("product_name", "productName", in.ProductName, cur.ProductName)
		setText("product_category", "productCategory", in.ProductCategory, cur.ProductCategory)
		switch {
		case clearURL && cur.ContentURL != nil:
			set("content_url", "contentUrl", *cur.ContentURL, nil, nil)
		case in.ContentURL != nil && (cur.ContentURL == nil || *cur.ContentURL != *in.ContentURL):
			set("content_url", "contentUrl", cur.ContentURL, *in.ContentURL, *in.ContentURL)
		}
		if in.PublishedAt != nil && !in.PublishedAt.Equal(cur.PublishedAt) {
			set("published_at", "publishedAt", timeKey(cur.PublishedAt), timeKey(*in.PublishedAt), *in.PublishedAt)
			// An MCN that was the default for the old date (the influencer's MCN then) follows
			// the new date; one named by the filer that differs from it stays.
			wasDefault, err := mcnOn(ctx, tx, cur.InfluencerID, cur.PublishedAt)
			if err != nil {
				return Event{}, err
			}
			if eqInt64Ptr(wasDefault, cur.McnID) {
				now, err := mcnOn(ctx, tx, cur.InfluencerID, *in.PublishedAt)
				if err != nil {
					return Event{}, err
				}
				if !eqInt64Ptr(now, cur.McnID) {
					set("mcn_id", "mcnId", cur.McnID, now, now)
				}
			}
		}
		setText("label", "label", in.Label, cur.Label)
		setText("label_timing", "labelTiming", in.LabelTiming, cur.LabelTiming)
		setText("compensation", "compensation", in.Compensation, cur.Compensation)
		var oldBrands []int64
		if brands != nil {
			if oldBrands, err = disclosureBrands(ctx, tx, in.DisclosureID); err != nil {
				return Event{}, err
			}
			if !slices.Equal(oldBrands, brands) {
				ch.record("brandIds", oldBrands, brands)
			}
		}
		if ch.empty() {
			c.invalid(registry.Msg("CHANGES_NOTHING"))
			return Event{}, c.err()
		}

		if cur.Status != "AMENDED" {
			set("status", "status", cur.Status, "AMENDED", "AMENDED")
		}
		if err := ch.update(ctx, tx, "disclosure", in.DisclosureID); err != nil {
			return Event{}, fmt.Errorf("amend disclosure: %w", err)
		}
		if ch.diff["brandIds"] != nil {
			if _, err := tx.ExecContext(ctx, `DELETE FROM disclosure_brand WHERE disclosure_id = $1`, in.DisclosureID); err != nil {
				return Event{}, fmt.Errorf("replace disclosure brands: %w", err)
			}
			if err := insertDisclosureBrands(ctx, tx, in.DisclosureID, brands); err != nil {
				return Event{}, err
			}
		}
		return Event{SubjectType: "Disclosure", SubjectID: in.DisclosureID, Diff: ch.diff}, nil
	})
}

// RetractDisclosure withdraws a disclosure by the agency that filed it: the status becomes
// RETRACTED, with the reason; nothing is deleted.
func (d *DB) RetractDisclosure(ctx context.Context, actor Agency, key *string, in DisclosureRetraction) (WriteResult, error) {
	var c checks
	in.Reason = c.requireText(in.Reason, 2000, "reason")
	if err := c.err(); err != nil {
		return WriteResult{}, err
	}
	return d.Write(ctx, actor.ID, key, "retractDisclosure", in, func(ctx context.Context, tx *Tx) (Event, error) {
		var c checks
		cur, ok, err := lockOwnDisclosure(ctx, tx, &c, in.DisclosureID, in.ExpectedVersion, "retract")
		if err != nil {
			return Event{}, err
		}
		if !ok {
			return Event{}, c.err()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE disclosure SET status = 'RETRACTED', retraction_reason = $2,
				version = version + 1, updated_at = now() WHERE id = $1`, in.DisclosureID, in.Reason); err != nil {
			return Event{}, fmt.Errorf("retract disclosure: %w", err)
		}
		return Event{SubjectType: "Disclosure", SubjectID: in.DisclosureID, Diff: map[string]any{
			"status": map[string]any{"from": cur.Status, "to": "RETRACTED"}, "reason": in.Reason,
		}}, nil
	})
}

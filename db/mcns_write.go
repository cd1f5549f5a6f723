package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/kolregistry/kolregistry/registry"
)

// The writes of MCNs and affiliations: registerMcn, recordAffiliation,
// endAffiliation, each one DB.Write.

var affiliationKindValues = []string{"EXCLUSIVE_MANAGEMENT", "NON_EXCLUSIVE", "EMPLOYEE", "CO_OWNER"}

// NewMcn is a multi-channel network (or management agency) to register.
type NewMcn struct {
	Name     string
	TaxCode  *string
	Website  *string
	Province *string
}

// RegisterMcn registers an MCN, created by actor. A tax code already registered is DUPLICATE.
func (d *DB) RegisterMcn(ctx context.Context, actor Agency, key *string, in NewMcn) (WriteResult, error) {
	var c checks
	in.Name = c.requireText(in.Name, maxNameLen, "name")
	in.TaxCode = c.taxCode(in.TaxCode, "taxCode")
	in.Website = c.url(in.Website, "website")
	in.Province = c.province(in.Province, "province")
	if err := c.err(); err != nil {
		return WriteResult{}, err
	}
	return d.Write(ctx, actor.ID, key, "registerMcn", in, func(ctx context.Context, tx *Tx) (Event, error) {
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO mcn (name, tax_code, website, province, created_by)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, in.Name, in.TaxCode, in.Website, in.Province, actor.ID).Scan(&id)
		if err != nil {
			if uerr := constraintError(err, []string{"taxCode"}); uerr != nil {
				return Event{}, uerr
			}
			return Event{}, fmt.Errorf("insert mcn: %w", err)
		}
		return Event{SubjectType: "Mcn", SubjectID: id, Diff: map[string]any{
			"name": in.Name, "taxCode": in.TaxCode, "website": in.Website, "province": in.Province,
		}}, nil
	})
}

// NewAffiliation is an influencer's affiliation with an MCN. EndedOn nil means current.
type NewAffiliation struct {
	InfluencerID int64
	McnID        int64
	Kind         string
	StartedOn    time.Time
	EndedOn      *time.Time
	Source       *string
}

// RecordAffiliation records an affiliation, created by actor. Dates are not in the future
// (an affiliation is a fact, not a plan), and an EXCLUSIVE_MANAGEMENT period may not overlap
// another one of the same influencer (the table's exclusion constraint; INVALID on startedOn).
func (d *DB) RecordAffiliation(ctx context.Context, actor Agency, key *string, in NewAffiliation) (WriteResult, error) {
	var c checks
	c.enumValue(in.Kind, affiliationKindValues, "kind")
	if c.requireDate(in.StartedOn, "startedOn") {
		c.notFuture(in.StartedOn, "startedOn")
	}
	if in.EndedOn != nil {
		c.notFuture(*in.EndedOn, "endedOn")
		if in.EndedOn.Before(in.StartedOn) {
			c.invalid(registry.Msg("BEFORE_STARTEDON"), "endedOn")
		}
	}
	in.Source = c.optionalText(in.Source, 2000, "source")
	if err := c.err(); err != nil {
		return WriteResult{}, err
	}
	return d.Write(ctx, actor.ID, key, "recordAffiliation", in, func(ctx context.Context, tx *Tx) (Event, error) {
		var c checks
		_, found, err := byID(ctx, tx.InfluencersByIDs, in.InfluencerID)
		if err != nil {
			return Event{}, fmt.Errorf("read influencer: %w", err)
		}
		c.mustExist(found, "the influencer", "influencerId")
		if found {
			if err := roomFor(ctx, tx, &c, "influencer", in.InfluencerID, "affiliation", "influencer_id",
				MaxAffiliationsPerInfluencer, "affiliations per influencer", "influencerId"); err != nil {
				return Event{}, err
			}
		}
		if _, found, err = byID(ctx, tx.McnsByIDs, in.McnID); err != nil {
			return Event{}, fmt.Errorf("read mcn: %w", err)
		}
		c.mustExist(found, "the MCN", "mcnId")
		if err := c.err(); err != nil {
			return Event{}, err
		}
		var ended *string
		if in.EndedOn != nil {
			e := dateKey(*in.EndedOn)
			ended = &e
		}
		if in.Kind == "EXCLUSIVE_MANAGEMENT" {
			if err := exclusiveOverlap(ctx, tx, &c, in.InfluencerID, dateKey(in.StartedOn), ended); err != nil {
				return Event{}, err
			}
			if err := c.err(); err != nil {
				return Event{}, err
			}
		}
		var id int64
		err = tx.QueryRowContext(ctx, `INSERT INTO affiliation (influencer_id, mcn_id, kind, started_on, ended_on, source, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			in.InfluencerID, in.McnID, in.Kind, dateKey(in.StartedOn), ended, in.Source, actor.ID).Scan(&id)
		if err != nil {
			if uerr := constraintError(err, []string{"startedOn"}); uerr != nil {
				return Event{}, uerr
			}
			return Event{}, fmt.Errorf("insert affiliation: %w", err)
		}
		return Event{SubjectType: "Affiliation", SubjectID: id, Diff: map[string]any{
			"influencerId": in.InfluencerID, "mcnId": in.McnID, "kind": in.Kind,
			"startedOn": dateKey(in.StartedOn), "endedOn": ended, "source": in.Source,
		}}, nil
	})
}

// AffiliationEnd ends a current affiliation on EndedOn.
type AffiliationEnd struct {
	AffiliationID   int64
	EndedOn         time.Time
	ExpectedVersion int
}

// EndAffiliation ends a current affiliation at the expected version. Only the agency that
// recorded it may (NOT_OWNER); one recorded without created_by (seeded) may be ended by any
// agency holding mcns:write. An affiliation already ended is INVALID.
func (d *DB) EndAffiliation(ctx context.Context, actor Agency, key *string, in AffiliationEnd) (WriteResult, error) {
	var c checks
	if c.requireDate(in.EndedOn, "endedOn") {
		c.notFuture(in.EndedOn, "endedOn")
	}
	if err := c.err(); err != nil {
		return WriteResult{}, err
	}
	return d.Write(ctx, actor.ID, key, "endAffiliation", in, func(ctx context.Context, tx *Tx) (Event, error) {
		var c checks
		a, ok, err := lockForChange(ctx, tx, &c, affiliationLock, in.AffiliationID, in.ExpectedVersion)
		switch {
		case err != nil:
			return Event{}, err
		case !ok:
		case a.endedOn.Valid:
			c.invalid(registry.Msg("AFFILIATION_ENDED", registry.Day(dateKey(a.endedOn.Time))), "affiliationId")
		case dateKey(in.EndedOn) < dateKey(a.startedOn):
			c.invalid(registry.Msg("BEFORE_AFFILIATION_START", registry.Day(dateKey(a.startedOn))), "endedOn")
		}
		if err := c.err(); err != nil {
			return Event{}, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE affiliation SET ended_on = $2, version = version + 1 WHERE id = $1`,
			in.AffiliationID, dateKey(in.EndedOn)); err != nil {
			return Event{}, fmt.Errorf("end affiliation: %w", err)
		}
		return Event{SubjectType: "Affiliation", SubjectID: in.AffiliationID, Diff: map[string]any{
			"endedOn": map[string]any{"from": nil, "to": dateKey(in.EndedOn)},
		}}, nil
	})
}

// lockedAffiliation is what endAffiliation's lock step reads.
type lockedAffiliation struct {
	startedOn time.Time
	endedOn   sql.NullTime
	version   int
	createdBy sql.NullInt64
}

// affiliationLock locks an affiliation (lockForChange): only the agency that recorded it may
// change it (registry.Owns; one recorded without created_by, seeded, by any agency).
var affiliationLock = lockSpec[lockedAffiliation]{
	table: "affiliation", what: "the affiliation", idField: "affiliationId",
	query: `SELECT started_on, ended_on, version, created_by FROM affiliation WHERE id = $1 FOR UPDATE`,
	scan: func(sc scanner) (a lockedAffiliation, err error) {
		err = sc.Scan(&a.startedOn, &a.endedOn, &a.version, &a.createdBy)
		return a, err
	},
	version:  func(a lockedAffiliation) int { return a.version },
	owner:    func(a lockedAffiliation) *int64 { return int64Ptr(a.createdBy) },
	notOwner: registry.Msg("NOT_OWNER_AFFILIATION"),
}

// exclusiveOverlap adds an INVALID user error on startedOn naming the exclusive management
// period of the influencer that [started, ended) overlaps, if any. The table's exclusion
// constraint (affiliation_no_overlapping_exclusive) stays the backstop; this names the MCN
// and dates so the caller can see what to end first.
func exclusiveOverlap(ctx context.Context, tx *Tx, c *checks, influencer int64, started string, ended *string) error {
	var id int64
	var mcn, from string
	var to sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT a.id, m.name, a.started_on::text, a.ended_on::text
		FROM affiliation a JOIN mcn m ON m.id = a.mcn_id
		WHERE a.influencer_id = $1 AND a.kind = 'EXCLUSIVE_MANAGEMENT'
		  AND daterange(a.started_on, a.ended_on, '[)') && daterange($2::date, $3::date, '[)')
		ORDER BY a.started_on LIMIT 1`, influencer, started, ended).Scan(&id, &mcn, &from, &to)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read exclusive affiliations: %w", err)
	}
	if to.Valid {
		c.invalid(registry.Msg("EXCLUSIVE_OVERLAP_PERIOD", mcn, id, registry.Day(from), registry.Day(to.String)), "startedOn")
	} else {
		c.invalid(registry.Msg("EXCLUSIVE_OVERLAP_CURRENT", mcn, id, registry.Day(from)), "startedOn")
	}
	return nil
}

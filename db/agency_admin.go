package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/lib/pq"
)

// This file holds the operator's agency administration (the `kolregistry agency` commands) and
// the one read authentication needs. Both go to the primary, never the replica: a suspension
// must take effect on the very next request, whatever the replica's lag.

// AgencyKinds are the values of AgencyKind, mirrored by the agency.kind CHECK.
var AgencyKinds = []string{
	"BROADCASTING_AUTHORITY", "MINISTRY", "INSPECTORATE", "PROVINCIAL_DEPARTMENT", "FOOD_SAFETY", "HEALTH",
	"TAX", "MARKET_SURVEILLANCE", "POLICE", "PEOPLES_COMMITTEE", "ASSOCIATION",
}

// Agency statuses (agency.status).
const (
	AgencyActive    = "ACTIVE"
	AgencySuspended = "SUSPENDED"
)

// ErrAgencyExists is returned by AddAgency when the slug is already taken.
var ErrAgencyExists = errors.New("an agency with this slug already exists")

// The same patterns as the agency table's CHECK constraints, so bad input gets a clear message
// instead of a constraint name.
var (
	agencySlugRE   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)
	jurisdictionRE = regexp.MustCompile(`^VN(-[0-9A-Z]{2,3})?$`)
)

// NewAgency is what the operator supplies to accredit an agency.
type NewAgency struct {
	Slug         string
	Name         string
	NameEn       *string
	Kind         string
	Jurisdiction string
}

// Validate checks the fields against the agency table's constraints.
func (a NewAgency) Validate() error {
	var problems []string
	if !agencySlugRE.MatchString(a.Slug) {
		problems = append(problems, fmt.Sprintf("slug %q must be 2-63 characters of a-z, 0-9 and '-', not starting with '-'", a.Slug))
	}
	if strings.TrimSpace(a.Name) == "" {
		problems = append(problems, "name must not be empty")
	}
	if a.NameEn != nil && strings.TrimSpace(*a.NameEn) == "" {
		problems = append(problems, "name-en, when given, must not be empty")
	}
	if !slices.Contains(AgencyKinds, a.Kind) {
		problems = append(problems, fmt.Sprintf("kind %q must be one of %s", a.Kind, strings.Join(AgencyKinds, ", ")))
	}
	if !jurisdictionRE.MatchString(a.Jurisdiction) {
		problems = append(problems, fmt.Sprintf("jurisdiction %q must be VN (national) or a province code such as VN-HN or VN-SG", a.Jurisdiction))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// AgencyBySlug reads one agency by its slug from the primary; ErrNotFound when there is none.
// Authentication calls it on every authenticated request, so it has a pool of its own: it
// never waits for a connection behind searches or writes.
func (d *DB) AgencyBySlug(ctx context.Context, slug string) (a Agency, err error) {
	defer wrapAgencyErr(&err, "agency by slug %q", slug)
	const q = `SELECT ` + agencyCols + ` FROM agency g WHERE g.slug = $1`
	return d.agencyRow(ctx, d.auth, q, slug)
}

// AddAgency accredits a new agency (status ACTIVE), recorded in the audit trail with the
// operator as actor. A taken slug is ErrAgencyExists.
func (d *DB) AddAgency(ctx context.Context, a NewAgency) (_ Agency, err error) {
	defer wrapAgencyErr(&err, "add agency %q", a.Slug)
	if err := a.Validate(); err != nil {
		return Agency{}, err
	}
	const q = `INSERT INTO agency AS g (slug, name, name_en, kind, jurisdiction)
		VALUES ($1, $2, $3, $4, $5)
		RETURNING ` + agencyCols
	var r Agency
	_, err = d.Write(ctx, Operator, nil, "addAgency", nil, func(ctx context.Context, tx *Tx) (Event, error) {
		var err error
		r, err = scanAgency(tx.QueryRowContext(ctx, q, a.Slug, strings.TrimSpace(a.Name), trimmedPtr(a.NameEn), a.Kind, a.Jurisdiction))
		if err != nil {
			return Event{}, err
		}
		return Event{SubjectType: "Agency", SubjectID: r.ID, Diff: map[string]any{
			"slug": r.Slug, "name": r.Name, "nameEn": r.NameEn, "kind": r.Kind, "jurisdiction": r.Jurisdiction, "status": r.Status,
		}}, nil
	})
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" { // unique_violation: agency.slug
		return Agency{}, ErrAgencyExists
	}
	return r, err
}

// errStatusUnchanged ends SetAgencyStatus's write without an event when there is no change.
var errStatusUnchanged = errors.New("agency status unchanged")

// SetAgencyStatus sets an agency's status (AgencyActive or AgencySuspended), recorded in the
// audit trail with the operator as actor, and returns the row; ErrNotFound when no agency has
// the slug. Setting the status it already has is not an error and records nothing.
func (d *DB) SetAgencyStatus(ctx context.Context, slug, status string) (_ Agency, err error) {
	defer wrapAgencyErr(&err, "set agency %q status %s", slug, status)
	if status != AgencyActive && status != AgencySuspended {
		return Agency{}, fmt.Errorf("unknown agency status %q", status)
	}
	const q = `UPDATE agency AS g SET status = $2, updated_at = now()
		WHERE g.slug = $1
		RETURNING ` + agencyCols
	var r Agency
	action := map[string]string{AgencyActive: "activateAgency", AgencySuspended: "suspendAgency"}[status]
	_, err = d.Write(ctx, Operator, nil, action, nil, func(ctx context.Context, tx *Tx) (Event, error) {
		var before string
		err := tx.QueryRowContext(ctx, `SELECT status FROM agency WHERE slug = $1 FOR UPDATE`, slug).Scan(&before)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return Event{}, ErrNotFound
		case err != nil:
			return Event{}, err
		case before == status:
			return Event{}, errStatusUnchanged
		}
		if r, err = scanAgency(tx.QueryRowContext(ctx, q, slug, status)); err != nil {
			return Event{}, err
		}
		return Event{SubjectType: "Agency", SubjectID: r.ID, Diff: map[string]any{
			"status": map[string]any{"from": before, "to": status},
		}}, nil
	})
	if errors.Is(err, errStatusUnchanged) {
		return d.AgencyBySlug(ctx, slug)
	}
	return r, err
}

// SuspendAgency suspends an agency: from the next request on, its tokens are refused.
func (d *DB) SuspendAgency(ctx context.Context, slug string) (Agency, error) {
	return d.SetAgencyStatus(ctx, slug, AgencySuspended)
}

// ListAgencies returns every agency by slug. There are tens, not thousands: the API pages
// them (Agencies); the operator's table does not need to.
func (d *DB) ListAgencies(ctx context.Context) (_ []Agency, err error) {
	defer wrapAgencyErr(&err, "list agencies")
	if d.OnQuery != nil {
		d.OnQuery(listAgenciesQuery)
	}
	ctx, cancel := context.WithTimeout(ctx, StatementTimeout)
	defer cancel()
	rows, err := d.primary.QueryContext(ctx, listAgenciesQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Agency
	for rows.Next() {
		a, err := scanAgency(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

const listAgenciesQuery = `SELECT ` + agencyCols + ` FROM agency g ORDER BY g.slug`

// agencyRow runs a one-row statement on pool p (the primary's) with the statement timeout.
func (d *DB) agencyRow(ctx context.Context, p *sql.DB, q string, args ...any) (Agency, error) {
	if d.OnQuery != nil {
		d.OnQuery(q)
	}
	ctx, cancel := context.WithTimeout(ctx, StatementTimeout)
	defer cancel()
	r, err := scanAgency(p.QueryRowContext(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return Agency{}, ErrNotFound
	}
	return r, err
}

func trimmedPtr(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	return &t
}

// wrapAgencyErr prefixes *err with where it came from, keeping it comparable with errors.Is.
func wrapAgencyErr(err *error, format string, args ...any) {
	if *err != nil {
		*err = fmt.Errorf(format+": %w", append(args, *err)...)
	}
}

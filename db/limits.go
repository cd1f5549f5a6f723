package db

import (
	"context"
	"fmt"

	"github.com/kolregistry/kolregistry/registry"
)

// The most items one parent can hold in each list that the API returns whole (without paging).
// The API prices such a list at its maximum (server/complexity.go, docs/limits.md), so the
// maxima are enforced twice: a write that would go past one is refused with a user error,
// and every read returns at most that many rows per parent (byParents), whatever is in the
// table. Raising one raises the price of every query that selects the list.
const (
	MaxAccountsPerInfluencer         = 10
	MaxAffiliationsPerInfluencer     = 20
	MaxCredentialsPerInfluencer      = 10
	MaxAliasesPerInfluencer          = 50
	MaxBrandsPerDisclosure           = 10
	MaxSanctionsPerDisclosure        = 10 // Disclosure.relatedSanctions
	MaxViolationsPerSanction         = 10
	MaxRelatedDisclosuresPerSanction = 20
	MaxFilterValues                  = 100 // values of a free-text "any of" filter (SanctionFilter.decisionNumber)
	MaxProvinces                     = 34  // SanctionFacets.province: the provincial units since 1 July 2025
	MaxStatusChangesPerSanction      = 20  // Sanction.statusHistory (and its standingHistory and executionHistory subsets), the recorded status included
)

// Screening's lists (docs/screening.md): the candidates of one screen (more is BAD_USER_INPUT),
// a result's alternatives (the best and these are all the names lookup keeps), and its
// explanation's sentences (at most 11 today: two notes on the input, two on the evidence, one
// on a name that does not agree, the decision, one per alternative; priced with room).
const (
	MaxScreenCandidates   = registry.ScreenMaxCandidates
	MaxScreenAlternatives = registry.ScreenMaxAlternatives
	MaxScreenExplanation  = 20
)

// atMost adds a user error when a list would hold more than max items.
func (c *checks) atMost(n, max int, what registry.Term, field ...string) {
	if n > max {
		c.invalid(registry.Msg("AT_MOST", max, what), field...)
	}
}

// roomFor adds a user error at field when the parent row (parentTable.id = parentID) already
// holds max rows of childTable. It locks the parent first, so that two concurrent writes cannot
// both take its last place.
func roomFor(ctx context.Context, tx *Tx, c *checks, parentTable string, parentID int64, childTable, parentCol string,
	max int, what registry.Term, field ...string) error {
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`SELECT 1 FROM %s WHERE id = $1 FOR UPDATE`, parentTable), parentID); err != nil {
		return fmt.Errorf("lock %s: %w", parentTable, err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM %s WHERE %s = $1`, childTable, parentCol), parentID).Scan(&n); err != nil {
		return fmt.Errorf("count %s: %w", childTable, err)
	}
	c.atMost(n+1, max, what, field...)
	return nil
}

package resolvers

import (
	"strconv"
	"strings"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/model"
)

// The bulk export (server/export.go) takes the GraphQL filters as query parameters; these turn
// them into store filters exactly as the connections do, so an export holds the rows whose
// number the connection reports as totalCount.

// InfluencerFilter converts a GraphQL influencer filter (global IDs decoded, BAD_USER_INPUT on a bad one).
func InfluencerFilter(f *model.InfluencerFilter) (db.InfluencerFilter, error) {
	return influencerFilter(f)
}

// DisclosureFilter converts a GraphQL disclosure filter.
func DisclosureFilter(f *model.DisclosureFilter) (db.DisclosureFilter, error) {
	return disclosureFilter(f)
}

// SanctionFilter converts a GraphQL sanction filter.
func SanctionFilter(f *model.SanctionFilter) (db.SanctionFilter, error) { return sanctionFilter(f) }

// GlobalIDOfRaw encodes a raw "Type:123" (as the store's exports produce it) as the API's opaque global ID.
func GlobalIDOfRaw(raw string) string {
	typ, num, _ := strings.Cut(raw, ":")
	id, _ := strconv.ParseInt(num, 10, 64)
	return globalID(typ, id)
}

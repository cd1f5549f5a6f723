package server

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph"
	"github.com/kolregistry/kolregistry/graph/model"
)

// complexityRoot prices the fields with arguments that bound their rows: a connection costs
// its page size (first or last, 20 when both are absent) times its selection, and nodes(ids:)
// costs len(ids) times its selection. Lists without arguments are priced by listPrices, every
// other field at 1 plus its selection (coster, below). The operation's total is checked
// against Config.ComplexityLimit before anything runs (docs/limits.md).
func complexityRoot() graph.ComplexityRoot {
	var c graph.ComplexityRoot

	c.Query.Nodes = func(child int, ids []string) int { return perItem(max(len(ids), 1), child) }
	c.Query.Influencers = func(child int, _ *model.InfluencerFilter, _ *model.InfluencerOrder, first *int, _ *string, last *int, _ *string) int {
		return page(child, first, last)
	}
	c.Query.Disclosures = func(child int, _ *model.DisclosureFilter, _ *model.DisclosureOrder, first *int, _ *string, last *int, _ *string) int {
		return page(child, first, last)
	}
	c.Query.Sanctions = func(child int, _ *model.SanctionFilter, _ *model.SanctionOrder, first *int, _ *string, last *int, _ *string) int {
		return page(child, first, last)
	}
	c.Query.Mcns = func(child int, _ *model.McnFilter, first *int, _ *string, last *int, _ *string) int {
		return page(child, first, last)
	}
	c.Query.Brands = func(child int, _ *model.BrandFilter, first *int, _ *string, last *int, _ *string) int {
		return page(child, first, last)
	}
	c.Query.Agencies = pageFunc
	// search scores every candidate before it pages, and vettingReport runs a handful of
	// statements: both cost searchCost on top of what they return.
	c.Query.Search = func(child int, _ string, _ []model.SearchKind, first *int, _ *string) int {
		return searchCost + page(child, first, nil)
	}
	c.Query.VettingReport = func(child int, _ string, _ *time.Time, _ *model.Language) int { return searchCost + child }
	// screen runs, per candidate, a search's name and account lookups (batched, but priced as the
	// searches they replace) and, when vetting is selected, a vetting report (ScreenResult.vetting).
	c.Query.Screen = func(child int, candidates []*model.ScreenCandidate, _ *time.Time) int {
		return perItem(min(max(len(candidates), 1), db.MaxScreenCandidates), satAdd(searchCost, child))
	}
	c.ScreenResult.Vetting = func(child int) int { return searchCost + child }

	c.Influencer.Disclosures = pageFunc
	sanctionsFunc := func(child int, first *int, _ *string, last *int, _ *string, _ []model.SanctionStatus, _ *bool,
		_ []model.SanctionStanding, _ []model.SanctionExecution) int {
		return page(child, first, last)
	}
	c.Influencer.Sanctions = sanctionsFunc
	c.Mcn.Members = func(child int, _ *bool, first *int, _ *string, last *int, _ *string) int {
		return page(child, first, last)
	}
	c.Mcn.Disclosures = pageFunc
	c.Mcn.Sanctions = sanctionsFunc
	c.Brand.Disclosures = pageFunc
	c.Brand.Sanctions = sanctionsFunc
	c.Agency.Sanctions = sanctionsFunc
	c.Influencer.Timeline = pageFunc
	c.Mcn.Timeline = pageFunc
	c.Brand.Timeline = pageFunc

	// Forward-only connections (audit events).
	c.Query.AuditLog = func(child int, _ *string, first *int, _ *string) int { return page(child, first, nil) }
	c.Query.Changes = func(child int, _ *int64, first *int, last *int, _ *int64, _ []string, _ []string, _ *string, _ *string, _ *time.Time, _ *time.Time) int {
		return page(child, first, last)
	}
	c.WebhookEndpoint.Deliveries = func(child int, _ *int64, first *int, _ []model.WebhookDeliveryStatus) int {
		return page(child, first, nil)
	}
	c.Agency.Writes = forwardPageFunc
	c.Influencer.History = forwardPageFunc
	c.Mcn.History = forwardPageFunc
	c.Brand.History = forwardPageFunc
	c.Disclosure.History = forwardPageFunc
	c.Sanction.History = forwardPageFunc

	// Facets are one grouped statement over the whole filtered set, priced like a page of
	// facetsCost rows on top of their selection. Like every field of a connection they are
	// multiplied by its page size: a client after counts only asks for first: 1.
	c.SanctionConnection.Facets = func(child int) int { return facetsCost + child }
	c.DisclosureConnection.Facets = func(child int) int { return facetsCost + child }
	c.DisclosureFacets.Brand = func(child int, first *int) int { return facetsCost + page(child, first, nil) }
	return c
}

// facetsCost is the price of computing one set of facets (a GROUP BY over the filtered rows).
const facetsCost = 10

// searchCost is the fixed price of a search or a vetting report (several statements or a
// scored scan of every match, whatever the page size).
const searchCost = 10

// pageFunc prices a connection field whose only arguments are first/after/last/before.
func pageFunc(child int, first *int, _ *string, last *int, _ *string) int {
	return page(child, first, last)
}

// forwardPageFunc prices a connection field that pages forward only (first/after).
func forwardPageFunc(child int, first *int, _ *string) int { return page(child, first, nil) }

func page(child int, first, last *int) int { return perItem(pageSize(first, last), child) }

// pageSize is the most rows a connection may return for these arguments, clamped to the
// allowed 1..MaxPageSize: out-of-range values are refused by the resolver anyway, and
// clamping keeps a huge first: from overflowing the arithmetic.
func pageSize(first, last *int) int {
	n := db.DefaultPageSize
	if first != nil || last != nil {
		n = 0
		if first != nil {
			n = max(n, *first)
		}
		if last != nil {
			n = max(n, *last)
		}
	}
	return min(max(n, 1), db.MaxPageSize)
}

// complexityCap keeps every product far from overflow; anything near it is refused anyway.
const complexityCap = math.MaxInt32

// perItem is 1 for the field itself plus n copies of its selection, saturating at complexityCap
// (gqlgen ignores a custom complexity below 1, so an overflow must never wrap around).
func perItem(n, child int) int {
	child = max(child, 1)
	if child > (complexityCap-1)/n {
		return complexityCap
	}
	return 1 + n*child
}

// Prices of lists that the store does not bound (docs/limits.md): estimates, not maxima.
const (
	// vettingListPrice prices each list of a vetting report (one influencer's sanctions,
	// reasons, factors): a report is a root field, so it is never multiplied by a page.
	vettingListPrice = 100
	// facetYearsPrice prices a year facet: one entry per year with a decision or a post.
	facetYearsPrice = 50
	// catalogueListPrice prices the lists of the legal catalogue (instruments, what each amends,
	// its provisions): reference data shipped in migrations (12 instruments, 6 provisions today).
	catalogueListPrice = 20
	// facetAgenciesPrice prices the agency facet of sanctions: one entry per agency.
	facetAgenciesPrice = 100
	// userErrorsPrice prices a mutation payload's userErrors (one per refused input field).
	userErrorsPrice = 50
	// userErrorPathPrice prices UserError.field, the path of the refused argument.
	userErrorPathPrice = 10
	// scalarItemsPerPoint: a list of scalars or enums costs 1 point per this many items (they
	// come in the parent's row, without a statement of their own).
	scalarItemsPerPoint = 10
	// introspectionFieldsPerPoint: introspection costs 1 point per this many fields it resolves
	// (counted exactly: the schema is fixed), as it is answered from memory.
	introspectionFieldsPerPoint = 10
)

// listPrices is the most items each list field without paging arguments can return. The store
// enforces the db.Max* maxima on write and read; enum lists hold each value at most once.
// TestComplexity_EveryListFieldIsPriced fails on a list field missing here (or in
// complexityRoot, or a connection's edges/nodes, which the connection's page multiplies).
func listPrices(schema *ast.Schema) map[string]int {
	enum := func(name string) int { return len(schema.Types[name].EnumValues) }
	allEnumValues := 0 // Query.enumLabels without an enum: every value of every enum
	for _, t := range schema.Types {
		if t.Kind == ast.Enum && !strings.HasPrefix(t.Name, "__") {
			allEnumValues += len(t.EnumValues)
		}
	}
	return map[string]int{
		"Query.enumLabels": allEnumValues,
		// The legal catalogue is reference data from the migrations (about ten instruments):
		// estimates like the vetting lists, not store-enforced maxima.
		"Query.legalInstruments":       catalogueListPrice,
		"LegalInstrument.amends":       catalogueListPrice,
		"LegalInstrument.provisions":   catalogueListPrice,
		"Sanction.additionalPenalties": enum("AdditionalPenalty"),
		"RiskFactor.evidence":          vettingListPrice,
		"ScreenResult.alternatives":    db.MaxScreenAlternatives,
		"ScreenResult.explanation":     db.MaxScreenExplanation,
		// A Merkle proof holds at most one hash per level of a tree of < 2^64 leaves.
		"InclusionProof.hashes":            64,
		"ConsistencyProof.hashes":          64,
		"Influencer.accounts":              db.MaxAccountsPerInfluencer,
		"Influencer.affiliations":          db.MaxAffiliationsPerInfluencer,
		"Influencer.credentials":           db.MaxCredentialsPerInfluencer,
		"Influencer.aliases":               db.MaxAliasesPerInfluencer,
		"Influencer.categories":            enum("ContentCategory"),
		"Disclosure.brands":                db.MaxBrandsPerDisclosure,
		"Disclosure.relatedSanctions":      db.MaxSanctionsPerDisclosure,
		"Sanction.violations":              db.MaxViolationsPerSanction,
		"Sanction.relatedDisclosures":      db.MaxRelatedDisclosuresPerSanction,
		"Sanction.statusHistory":           db.MaxStatusChangesPerSanction,
		"Sanction.standingHistory":         db.MaxStatusChangesPerSanction,
		"Sanction.executionHistory":        db.MaxStatusChangesPerSanction,
		"Sanction.remedies":                enum("Remedy"),
		"DisclosureFacets.label":           enum("DisclosureLabel"),
		"DisclosureFacets.platform":        enum("Platform"),
		"DisclosureFacets.productCategory": enum("ProductCategory"),
		"DisclosureFacets.year":            facetYearsPrice,
		"SanctionFacets.category":          enum("ViolationCategory"),
		"SanctionFacets.status":            enum("SanctionStatus"),
		"SanctionFacets.standing":          enum("SanctionStanding"),
		"SanctionFacets.execution":         enum("SanctionExecution"),
		"SanctionFacets.province":          db.MaxProvinces,
		"SanctionFacets.agency":            facetAgenciesPrice,
		"SanctionFacets.year":              facetYearsPrice,
		"VettingReport.activeSanctions":    vettingListPrice,
		"VettingReport.sanctions":          vettingListPrice,
		"VettingReport.openAppeals":        vettingListPrice,
		"VettingReport.reasons":            vettingListPrice,
		"VettingReport.factors":            len(schema.Types["RiskFactorCode"].EnumValues),
		"VettingReport.credentials":        db.MaxCredentialsPerInfluencer,
		"VettingReport.promotedCategories": enum("ProductCategory"),
		"Viewer.scopes":                    len(auth.Scopes),
		"UserError.field":                  userErrorPathPrice,
		// A subscriber's own rows (docs/webhooks.md): store-enforced maxima.
		"Subscriber.watchlists":       db.MaxWatchlistsPerSubscriber,
		"Subscriber.webhookEndpoints": db.MaxEndpointsPerSubscriber,
		"Watchlist.items":             db.MaxItemsPerWatchlist,
		// The page's first multiplies its nodes (WebhookEndpoint.deliveries in complexityRoot).
		"WebhookDeliveryPage.nodes": 1,
	}
}

// pricedByPage reports whether a list field is the page of a connection (edges, nodes), whose
// price the connection field multiplies.
func pricedByPage(typeName, field string) bool {
	return strings.HasSuffix(typeName, "Connection") && (field == "edges" || field == "nodes")
}

// coster prices operations: gqlgen's walk, with the list prices and introspection added, and
// each fragment priced once (a fragment's price does not depend on where it is spread).
type coster struct {
	es     graphql.ExecutableSchema
	schema *ast.Schema
	lists  map[string]int
}

func newCoster(es graphql.ExecutableSchema) *coster {
	s := es.Schema()
	lists := listPrices(s)
	for _, t := range s.Types {
		for _, f := range t.Fields {
			if f.Name == "userErrors" && f.Type.Elem != nil {
				lists[t.Name+".userErrors"] = userErrorsPrice
			}
		}
	}
	return &coster{es: es, schema: s, lists: lists}
}

func (c *coster) operation(ctx context.Context, op *ast.OperationDefinition, vars map[string]any) int {
	w := costWalker{c: c, ctx: ctx, vars: vars, frags: map[string]int{}}
	return w.selections(op.SelectionSet)
}

type costWalker struct {
	c     *coster
	ctx   context.Context
	vars  map[string]any
	frags map[string]int
}

func (w costWalker) selections(ss ast.SelectionSet) int {
	total := 0
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			total = satAdd(total, w.field(s))
		case *ast.InlineFragment:
			total = satAdd(total, w.selections(s.SelectionSet))
		case *ast.FragmentSpread:
			n, ok := w.frags[s.Name]
			if !ok {
				n = w.selections(s.Definition.SelectionSet)
				w.frags[s.Name] = n
			}
			total = satAdd(total, n)
		}
	}
	return total
}

func (w costWalker) field(f *ast.Field) int {
	if f.Definition == nil || f.ObjectDefinition == nil {
		return 1
	}
	if f.ObjectDefinition.Name == w.c.schema.Query.Name && (f.Name == "__schema" || f.Name == "__type") {
		return 1 + ceilDiv(w.c.introspection(f, f.ArgumentMap(w.vars)), introspectionFieldsPerPoint)
	}
	child := 0
	if len(f.SelectionSet) > 0 {
		child = w.selections(f.SelectionSet)
	}
	args := f.ArgumentMap(w.vars)
	best := 0
	for _, t := range w.c.implementations(f.ObjectDefinition) {
		best = max(best, w.c.price(w.ctx, t.Name, f, child, args))
	}
	return best
}

func (c *coster) implementations(def *ast.Definition) []*ast.Definition {
	if def.Kind == ast.Interface || def.Kind == ast.Union {
		return c.schema.GetPossibleTypes(def)
	}
	return []*ast.Definition{def}
}

// price is one field's cost on one object type, child being the cost of its selection.
func (c *coster) price(ctx context.Context, typeName string, f *ast.Field, child int, args map[string]any) int {
	if n, ok := c.es.Complexity(ctx, typeName, f.Name, child, args); ok && n >= 1 {
		return n
	}
	t := f.Definition.Type
	if t.Elem == nil || pricedByPage(typeName, f.Name) {
		return satAdd(1, child)
	}
	n, ok := c.lists[typeName+"."+f.Name]
	if !ok {
		n = db.MaxPageSize // a list nobody priced: as dear as a full page (the schema test fails)
	}
	if len(f.SelectionSet) == 0 { // scalars or enums
		return 1 + ceilDiv(n, scalarItemsPerPoint)
	}
	return perItem(n, child)
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

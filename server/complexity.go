package server

import (
	"math"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph"
	"github.com/kolregistry/kolregistry/graph/model"
)

// complexityRoot prices every field that returns many rows at the number of rows it may
// return: a connection costs its page size (first or last, 20 when both are absent) times
// its selection, and nodes(ids:) costs len(ids) times its selection. Other fields keep
// gqlgen's default of 1 plus their selection. The operation's total is checked against
// Config.ComplexityLimit before anything runs.
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
	c.Query.VettingReport = func(child int, _ string, _ *time.Time) int { return searchCost + child }

	c.Influencer.Disclosures = pageFunc
	c.Influencer.Sanctions = pageFunc
	c.Mcn.Members = func(child int, _ *bool, first *int, _ *string, last *int, _ *string) int {
		return page(child, first, last)
	}
	c.Mcn.Disclosures = pageFunc
	c.Mcn.Sanctions = pageFunc
	c.Brand.Disclosures = pageFunc
	c.Brand.Sanctions = pageFunc
	c.Agency.Sanctions = pageFunc
	c.Influencer.Timeline = pageFunc
	c.Mcn.Timeline = pageFunc
	c.Brand.Timeline = pageFunc

	// Forward-only connections (audit events).
	c.Query.AuditLog = func(child int, _ *string, first *int, _ *string) int { return page(child, first, nil) }
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

package model

import "context"

// The entities search finds are members of the SearchResult union.

func (Influencer) IsSearchResult()      {}
func (PlatformAccount) IsSearchResult() {}
func (Mcn) IsSearchResult()             {}
func (Brand) IsSearchResult()           {}

// SearchConnection is one page of search results; totalCount runs only when asked for.
type SearchConnection struct {
	Edges    []*SearchEdge
	Nodes    []SearchResult
	PageInfo *PageInfo
	Count    Counter
}

func (c *SearchConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

// SearchEdge is one result with what matched and its relevance.
type SearchEdge struct {
	Cursor       string
	Node         SearchResult
	Kind         SearchKind
	MatchedField SearchField
	MatchedText  string
	Score        float64
}

package resolvers

// The planned read path (docs/performance.md). A root field that returns rows (a list, a
// connection, an entity by id) looks ahead at the request's selection set and, level by level,
// fetches each nested field for all parents of that level in one statement — the same db
// reads the loaders make — and primes the loaders with the results. The field resolvers then
// find their data in the loaders' caches and never wait for a batching window. Sibling fields of
// one level are fetched concurrently, so a request costs one round trip per level of its shape.
//
// Shapes the planner does not know (history, facets, search results, mutation payloads) are
// left to the loaders, which batch them as before. A failed prefetch primes nothing: the
// resolver then loads through its loader and reports the error the usual way.

import (
	"context"
	"encoding/json"
	"slices"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/kolregistry/kolregistry/db"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"
)

// The types each object satisfies in fragments (as the executor's implementors lists).
var (
	influencerTypes  = []string{"Influencer", "Node", "SanctionSubject", "SearchResult"}
	accountTypes     = []string{"PlatformAccount", "Node", "SearchResult"}
	mcnTypes         = []string{"Mcn", "Node", "SanctionSubject", "SearchResult"}
	brandTypes       = []string{"Brand", "Node", "SanctionSubject", "SearchResult"}
	affiliationTypes = []string{"Affiliation", "Node"}
	disclosureTypes  = []string{"Disclosure", "Node"}
	sanctionTypes    = []string{"Sanction", "Node"}
	agencyTypes      = []string{"Agency", "Node"}
	statusTypes      = []string{"SanctionStatusChange"}
	connectionTypes  = []string{"InfluencerConnection", "McnConnection", "BrandConnection", "AffiliationConnection",
		"DisclosureConnection", "SanctionConnection", "AgencyConnection"}
	edgeTypes = []string{"InfluencerEdge", "McnEdge", "BrandEdge", "AffiliationEdge", "DisclosureEdge", "SanctionEdge", "AgencyEdge"}
)

// reads are the by-id reads of one entity: its loader, the statement behind it, and how to
// plan below its rows.
type reads[R any] struct {
	loader func(*Loaders) *dataloadgen.Loader[int64, *R]
	fetch  func(*db.DB, context.Context, []int64) (map[int64]R, error)
	plan   func(*plan, []R, ast.SelectionSet)
	// byID, when set, is a row with only its id: enough for plan, whose reads below this
	// entity need only its id. An entity by id then plans below itself while it is read.
	byID func(int64) R
}

// The reads of each entity (functions: the planners refer to each other).
func influencerReads() reads[db.Influencer] {
	return reads[db.Influencer]{(*Loaders).influencer, (*db.DB).InfluencersByIDs, (*plan).influencers,
		func(id int64) db.Influencer { return db.Influencer{ID: id} }}
}

func accountReads() reads[db.PlatformAccount] {
	return reads[db.PlatformAccount]{(*Loaders).account, (*db.DB).AccountsByIDs, (*plan).accounts, nil}
}

func mcnReads() reads[db.Mcn] {
	return reads[db.Mcn]{(*Loaders).mcn, (*db.DB).McnsByIDs, (*plan).mcns,
		func(id int64) db.Mcn { return db.Mcn{ID: id} }}
}

func affiliationReads() reads[db.Affiliation] {
	return reads[db.Affiliation]{(*Loaders).affiliation, (*db.DB).AffiliationsByIDs, (*plan).affiliations, nil}
}

func brandReads() reads[db.Brand] {
	return reads[db.Brand]{(*Loaders).brand, (*db.DB).BrandsByIDs, (*plan).brands,
		func(id int64) db.Brand { return db.Brand{ID: id} }}
}

func disclosureReads() reads[db.Disclosure] {
	return reads[db.Disclosure]{(*Loaders).disclosure, (*db.DB).DisclosuresByIDs, (*plan).disclosures, nil}
}

func agencyReads() reads[db.Agency] {
	return reads[db.Agency]{(*Loaders).agency, (*db.DB).AgenciesByIDs, (*plan).agencies,
		func(id int64) db.Agency { return db.Agency{ID: id} }}
}

func sanctionReads() reads[db.Sanction] {
	return reads[db.Sanction]{(*Loaders).sanction, (*db.DB).SanctionsByIDs, (*plan).sanctions, nil}
}

// plan is one root field's look-ahead.
type plan struct {
	ctx context.Context
	op  *graphql.OperationContext
	l   *Loaders
	wg  sync.WaitGroup
}

// planHere returns the plan of the root field being resolved in ctx, or nil when the planned
// path is off (WithUnplannedLoaders), ctx is not inside an operation, or the field is not a
// root query field (a nested field that reads by id, such as AuditEvent.subject, batches
// through its loader with its siblings). nodes(ids:) plans all its ids at once (planNodes),
// then each id finds its row in the loaders.
func planHere(ctx context.Context) (*plan, ast.SelectionSet) {
	p, sel := planRoot(ctx)
	if p != nil && graphql.GetFieldContext(ctx).Field.Name == "nodes" {
		return nil, nil
	}
	return p, sel
}

func planRoot(ctx context.Context) (*plan, ast.SelectionSet) {
	l := loadersFrom(ctx)
	if l.unplanned || !graphql.HasOperationContext(ctx) {
		return nil, nil
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Object != "Query" {
		return nil, nil
	}
	return &plan{ctx: ctx, op: graphql.GetOperationContext(ctx), l: l}, fc.Field.Selections
}

// planNodes reads the entities of nodes(ids:) by type, one statement per type, and plans
// below them. Ids that do not parse are left to node(), which reports them.
func planNodes(ctx context.Context, ids []string) {
	p, sel := planRoot(ctx)
	if p == nil {
		return
	}
	byType := map[string][]int64{}
	for _, id := range ids {
		if typ, dbid, err := parseID("ids", id); err == nil {
			byType[typ] = append(byType[typ], dbid)
		}
	}
	for typ, ids := range byType {
		switch typ {
		case typeInfluencer:
			byIDs(p, influencerReads(), ids, sel)
		case typeAccount:
			byIDs(p, accountReads(), ids, sel)
		case typeMcn:
			byIDs(p, mcnReads(), ids, sel)
		case typeAffiliation:
			byIDs(p, affiliationReads(), ids, sel)
		case typeBrand:
			byIDs(p, brandReads(), ids, sel)
		case typeDisclosure:
			byIDs(p, disclosureReads(), ids, sel)
		case typeAgency:
			byIDs(p, agencyReads(), ids, sel)
		case typeSanction:
			byIDs(p, sanctionReads(), ids, sel)
		}
	}
	p.wg.Wait()
}

// planConnection plans below the nodes of the connection that the root field in ctx returns.
func planConnection[R any](ctx context.Context, rows []R, next func(*plan, []R, ast.SelectionSet)) {
	if p, sel := planHere(ctx); p != nil && len(rows) > 0 {
		if nodes, _ := p.connection(sel); len(nodes) > 0 {
			next(p, rows, nodes)
		}
		p.wg.Wait()
	}
}

// plannedEntity reads one entity by id for a root field: directly (no batching window) when
// planned, then plans below it; through its loader otherwise.
func plannedEntity[R any](ctx context.Context, r reads[R], id int64) (*R, error) {
	p, sel := planHere(ctx)
	ld := r.loader(loadersFrom(ctx))
	if p == nil {
		return ld.Load(ctx, id)
	}
	defer p.wg.Wait()
	if r.byID != nil {
		// The rows below need only the id: read them alongside the entity (for an id that
		// does not exist they are read for nothing, and never asked for).
		r.plan(p, []R{r.byID(id)}, sel)
	}
	rows, err := r.fetch(loadersFrom(ctx).store, ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	row, ok := rows[id]
	if !ok {
		ld.Prime(id, nil)
		return nil, nil
	}
	ld.Prime(id, &row)
	if r.byID == nil {
		r.plan(p, []R{row}, sel)
	}
	return &row, nil
}

// do runs fn concurrently with its siblings; the root waits for all of them.
func (p *plan) do(fn func()) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		fn()
	}()
}

// field is the fields of one name (and arguments) in a selection, merged.
type field struct {
	name string
	args map[string]any
	sel  ast.SelectionSet
}

// fields groups the selection's fields on an object of the given types by name and arguments
// (aliases of one field with the same arguments are one fetch).
func (p *plan) fields(sel ast.SelectionSet, types []string) []field {
	var out []field
	index := map[string]int{}
	for _, f := range graphql.CollectFields(p.op, sel, types) {
		args := f.ArgumentMap(p.op.Variables)
		key := f.Name
		if len(args) > 0 {
			b, _ := json.Marshal(args) // map keys are sorted: one key per argument set
			key += string(b)
		}
		if i, ok := index[key]; ok {
			out[i].sel = append(slices.Clip(out[i].sel), f.Selections...)
			continue
		}
		index[key] = len(out)
		out = append(out, field{name: f.Name, args: args, sel: f.Selections})
	}
	return out
}

// connection splits a connection's selection into its nodes' selection (from nodes and
// edges.node) and whether totalCount is asked.
func (p *plan) connection(sel ast.SelectionSet) (nodes ast.SelectionSet, total bool) {
	for _, f := range graphql.CollectFields(p.op, sel, connectionTypes) {
		switch f.Name {
		case "nodes":
			nodes = append(nodes, f.Selections...)
		case "totalCount":
			total = true
		case "edges":
			for _, e := range graphql.CollectFields(p.op, f.Selections, edgeTypes) {
				if e.Name == "node" {
					nodes = append(nodes, e.Selections...)
				}
			}
		}
	}
	return nodes, total
}

// page is a nested connection's page from its arguments; false when they are invalid (the
// resolver reports that).
func (f field) page() (db.Page, bool) {
	pg, err := db.NewPage(intArg(f.args, "first"), intArg(f.args, "last"), strArg(f.args, "after"), strArg(f.args, "before"))
	return pg, err == nil
}

func intArg(args map[string]any, name string) *int {
	var n int
	switch v := args[name].(type) {
	case int:
		n = v
	case int64:
		n = int(v)
	case int32:
		n = int(v)
	case float64:
		n = int(v)
	case json.Number:
		i, err := v.Int64()
		if err != nil {
			return nil
		}
		n = int(i)
	default:
		return nil
	}
	return &n
}

func strArg(args map[string]any, name string) *string {
	if s, ok := args[name].(string); ok {
		return &s
	}
	return nil
}

// strsArg is a list of strings (enum values) or nil.
func strsArg(args map[string]any, name string) []string {
	var out []string
	switch v := args[name].(type) {
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = v
	case string: // a single value where a list is expected (GraphQL input coercion)
		out = []string{v}
	}
	return out
}

func boolArg(args map[string]any, name string) *bool {
	if b, ok := args[name].(bool); ok {
		return &b
	}
	return nil
}

// byIDs fetches the rows of ids not yet in r's loader, primes it (a missing row as nil, as the
// loader would) and plans below the rows.
func byIDs[R any](p *plan, r reads[R], ids []int64, sel ast.SelectionSet) {
	ids = uniq(ids)
	if len(ids) == 0 {
		return
	}
	p.do(func() {
		got, err := r.fetch(p.l.store, p.ctx, ids)
		if err != nil {
			return
		}
		ld := r.loader(p.l)
		rows := make([]R, 0, len(got))
		for _, id := range ids {
			row, ok := got[id]
			if !ok {
				ld.Prime(id, nil)
				continue
			}
			ld.Prime(id, &row)
			rows = append(rows, row)
		}
		r.plan(p, rows, sel)
	})
}

// children fetches the children of parents, primes ld, and hands the children (in parent
// order) to next, if any.
func children[T any](p *plan, ld *dataloadgen.Loader[int64, []T], parents []int64,
	fetch func(context.Context, []int64) (map[int64][]T, error), next func([]T)) {
	p.do(func() {
		got, err := fetch(p.ctx, parents)
		if err != nil {
			return
		}
		var all []T
		for _, id := range parents {
			ld.Prime(id, got[id])
			all = append(all, got[id]...)
		}
		if next != nil && len(all) > 0 {
			next(all)
		}
	})
}

// nestedPage fetches one page of a nested connection for all parents, primes its loaders
// (page and, when asked, totalCount), and plans below the page's rows.
func nestedPage[T any](p *plan, f field, parents []int64, variant string,
	pageLoader *dataloadgen.Loader[pageKey, db.PageOf[T]], countLoader func() *dataloadgen.Loader[pageKey, int],
	fetch func(context.Context, []int64, db.Page) (map[int64]db.PageOf[T], error),
	count func(context.Context, []int64) (map[int64]int, error),
	next func(*plan, []T, ast.SelectionSet)) {
	pg, ok := f.page()
	if !ok {
		return
	}
	nodes, total := p.connection(f.sel)
	args := argsOf(pg)
	p.do(func() {
		got, err := fetch(p.ctx, parents, pg)
		if err != nil {
			return
		}
		var rows []T
		for _, id := range parents {
			pageLoader.Prime(pageKey{parent: id, variant: variant, args: args}, got[id])
			rows = append(rows, got[id].Rows...)
		}
		if len(nodes) > 0 && len(rows) > 0 {
			next(p, rows, nodes)
		}
	})
	if total {
		p.do(func() {
			got, err := count(p.ctx, parents)
			if err != nil {
				return
			}
			ld := countLoader()
			for _, id := range parents {
				ld.Prime(pageKey{parent: id, variant: variant}, got[id])
			}
		})
	}
}

func (p *plan) disclosuresOf(f field, parent db.DisclosureParent, ids []int64) {
	nestedPage(p, f, ids, "", p.l.disclosuresOf(parent), func() *dataloadgen.Loader[pageKey, int] { return p.l.disclosureCountsOf(parent) },
		func(ctx context.Context, ids []int64, pg db.Page) (map[int64]db.PageOf[db.Disclosure], error) {
			return p.l.store.DisclosuresOf(ctx, parent, ids, pg)
		},
		func(ctx context.Context, ids []int64) (map[int64]int, error) {
			return p.l.store.CountDisclosuresOf(ctx, parent, ids)
		},
		(*plan).disclosures)
}

func (p *plan) sanctionsOf(f field, parent db.SanctionParent, ids []int64) {
	list := sanctionListArgs(f.args)
	nestedPage(p, f, ids, "", p.l.sanctionsOf(parent, list), func() *dataloadgen.Loader[pageKey, int] { return p.l.sanctionCountsOf(parent, list) },
		func(ctx context.Context, ids []int64, pg db.Page) (map[int64]db.PageOf[db.Sanction], error) {
			return p.l.store.SanctionsOf(ctx, parent, list, ids, pg)
		},
		func(ctx context.Context, ids []int64) (map[int64]int, error) {
			return p.l.store.CountSanctionsOf(ctx, parent, list, ids)
		},
		(*plan).sanctions)
}

// sanctionListArgs reads a nested sanction list's arguments as the resolver does (sanctionList).
func sanctionListArgs(args map[string]any) db.SanctionList {
	return db.SanctionList{Status: strsArg(args, "status"), Active: boolArg(args, "active"),
		Standing: strsArg(args, "standing"), Execution: strsArg(args, "execution")}
}

// The per-type planners: for each field of the selection that reads more rows, one fetch
// for every row of the level.

func (p *plan) influencers(rows []db.Influencer, sel ast.SelectionSet) {
	ids := uniq(rowIDs(rows, func(r db.Influencer) int64 { return r.ID }))
	var affs struct {
		once sync.Once
		got  map[int64][]db.Affiliation
		ok   bool
	}
	affiliations := func() (map[int64][]db.Affiliation, bool) {
		affs.once.Do(func() {
			got, err := p.l.store.AffiliationsByInfluencers(p.ctx, ids)
			if err != nil {
				return
			}
			ld := p.l.affiliationsByInfluencer()
			for _, id := range ids {
				ld.Prime(id, got[id])
			}
			affs.got, affs.ok = got, true
		})
		return affs.got, affs.ok
	}
	for _, f := range p.fields(sel, influencerTypes) {
		switch f.name {
		case "credentials":
			children(p, p.l.credentialsByInfluencer(), ids, p.l.store.CredentialsByInfluencers, nil)
		case "accounts":
			children(p, p.l.accountsByInfluencer(), ids, p.l.store.AccountsByInfluencers,
				func(all []db.PlatformAccount) { p.accounts(all, f.sel) })
		case "affiliations":
			p.do(func() {
				if got, ok := affiliations(); ok {
					var all []db.Affiliation
					for _, id := range ids {
						all = append(all, got[id]...)
					}
					p.affiliations(all, f.sel)
				}
			})
		case "currentMcn":
			p.do(func() {
				got, ok := affiliations()
				if !ok {
					return
				}
				var mcns []int64
				for _, id := range ids {
					if a := currentAffiliation(got[id]); a != nil {
						mcns = append(mcns, a.McnID)
					}
				}
				byIDs(p, mcnReads(), mcns, f.sel)
			})
		case "disclosures":
			p.disclosuresOf(f, db.DisclosuresOfInfluencer, ids)
		case "sanctions":
			p.sanctionsOf(f, db.SanctionsOfInfluencer, ids)
		}
	}
}

func (p *plan) accounts(rows []db.PlatformAccount, sel ast.SelectionSet) {
	for _, f := range p.fields(sel, accountTypes) {
		if f.name == "influencer" {
			byIDs(p, influencerReads(), rowIDs(rows, func(r db.PlatformAccount) int64 { return r.InfluencerID }), f.sel)
		}
	}
}

func (p *plan) affiliations(rows []db.Affiliation, sel ast.SelectionSet) {
	for _, f := range p.fields(sel, affiliationTypes) {
		switch f.name {
		case "influencer":
			byIDs(p, influencerReads(), rowIDs(rows, func(r db.Affiliation) int64 { return r.InfluencerID }), f.sel)
		case "mcn":
			byIDs(p, mcnReads(), rowIDs(rows, func(r db.Affiliation) int64 { return r.McnID }), f.sel)
		}
	}
}

func (p *plan) mcns(rows []db.Mcn, sel ast.SelectionSet) {
	ids := uniq(rowIDs(rows, func(r db.Mcn) int64 { return r.ID }))
	for _, f := range p.fields(sel, mcnTypes) {
		switch f.name {
		case "members":
			variant := ""
			if c := boolArg(f.args, "current"); c != nil {
				variant = map[bool]string{true: "current", false: "past"}[*c]
			}
			nestedPage(p, f, ids, variant, p.l.membersOf(), p.l.memberCountsOf,
				func(ctx context.Context, ids []int64, pg db.Page) (map[int64]db.PageOf[db.Affiliation], error) {
					return p.l.store.MembersOfMcns(ctx, ids, currentFromVariant(variant), pg)
				},
				func(ctx context.Context, ids []int64) (map[int64]int, error) {
					return p.l.store.CountMembersOfMcns(ctx, ids, currentFromVariant(variant))
				},
				(*plan).affiliations)
		case "disclosures":
			p.disclosuresOf(f, db.DisclosuresOfMcn, ids)
		case "sanctions":
			p.sanctionsOf(f, db.SanctionsOfMcn, ids)
		}
	}
}

func (p *plan) brands(rows []db.Brand, sel ast.SelectionSet) {
	ids := uniq(rowIDs(rows, func(r db.Brand) int64 { return r.ID }))
	for _, f := range p.fields(sel, brandTypes) {
		switch f.name {
		case "disclosures":
			p.disclosuresOf(f, db.DisclosuresOfBrand, ids)
		case "sanctions":
			p.sanctionsOf(f, db.SanctionsOfBrand, ids)
		}
	}
}

func (p *plan) agencies(rows []db.Agency, sel ast.SelectionSet) {
	ids := uniq(rowIDs(rows, func(r db.Agency) int64 { return r.ID }))
	for _, f := range p.fields(sel, agencyTypes) {
		if f.name == "sanctions" {
			p.sanctionsOf(f, db.SanctionsOfAgency, ids)
		}
	}
}

func (p *plan) disclosures(rows []db.Disclosure, sel ast.SelectionSet) {
	ids := uniq(rowIDs(rows, func(r db.Disclosure) int64 { return r.ID }))
	for _, f := range p.fields(sel, disclosureTypes) {
		switch f.name {
		case "influencer":
			byIDs(p, influencerReads(), rowIDs(rows, func(r db.Disclosure) int64 { return r.InfluencerID }), f.sel)
		case "account":
			byIDs(p, accountReads(), optionalIDs(rows, func(r db.Disclosure) *int64 { return r.AccountID }), f.sel)
		case "mcn":
			byIDs(p, mcnReads(), optionalIDs(rows, func(r db.Disclosure) *int64 { return r.McnID }), f.sel)
		case "filedBy":
			byIDs(p, agencyReads(), rowIDs(rows, func(r db.Disclosure) int64 { return r.FiledBy }), f.sel)
		case "brands":
			children(p, p.l.brandsByDisclosure(), ids, p.l.store.BrandsByDisclosures,
				func(all []db.Brand) { p.brands(all, f.sel) })
		case "relatedSanctions":
			children(p, p.l.sanctionsByDisclosure(), ids, p.l.store.SanctionsByDisclosures,
				func(all []db.Sanction) { p.sanctions(all, f.sel) })
		}
	}
}

func (p *plan) sanctions(rows []db.Sanction, sel ast.SelectionSet) {
	ids := uniq(rowIDs(rows, func(r db.Sanction) int64 { return r.ID }))
	for _, f := range p.fields(sel, sanctionTypes) {
		switch f.name {
		case "subject":
			var inf, mcn, brand []int64
			for _, r := range rows {
				switch {
				case r.InfluencerID != nil:
					inf = append(inf, *r.InfluencerID)
				case r.McnID != nil:
					mcn = append(mcn, *r.McnID)
				case r.BrandID != nil:
					brand = append(brand, *r.BrandID)
				}
			}
			byIDs(p, influencerReads(), inf, f.sel)
			byIDs(p, mcnReads(), mcn, f.sel)
			byIDs(p, brandReads(), brand, f.sel)
		case "agency":
			byIDs(p, agencyReads(), rowIDs(rows, func(r db.Sanction) int64 { return r.AgencyID }), f.sel)
		case "violations":
			children(p, p.l.violationsBySanction(), ids, p.l.store.ViolationsBySanctions, nil)
		case "statusHistory", "standingHistory", "executionHistory":
			children(p, p.l.historyBySanction(), ids, p.l.store.StatusHistoryBySanctions, func(all []db.StatusChange) {
				for _, g := range p.fields(f.sel, statusTypes) {
					if g.name == "agency" {
						byIDs(p, agencyReads(), rowIDs(all, func(r db.StatusChange) int64 { return r.AgencyID }), g.sel)
					}
				}
			})
		case "relatedDisclosures":
			children(p, p.l.disclosuresBySanction(), ids, p.l.store.DisclosuresBySanctions,
				func(all []db.Disclosure) { p.disclosures(all, f.sel) })
		}
	}
}

func rowIDs[T any](rows []T, id func(T) int64) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = id(r)
	}
	return out
}

func optionalIDs[T any](rows []T, id func(T) *int64) []int64 {
	var out []int64
	for _, r := range rows {
		if p := id(r); p != nil {
			out = append(out, *p)
		}
	}
	return out
}

// uniq keeps the first of each id, in order.
func uniq(ids []int64) []int64 {
	seen := make(map[int64]struct{}, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if _, ok := seen[id]; !ok {
			seen[id] = struct{}{}
			out = append(out, id)
		}
	}
	return out
}

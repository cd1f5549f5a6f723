package resolvers

// The compiled read path (docs/performance.md): a query whose every field the JSON read covers
// (db/jsonread.go) is answered by one statement that writes the whole data object in Postgres;
// gqlgen's executor does not run. Anything else (a field not covered, backward pages, edges and
// pageInfo, arguments that do not convert, an error of any kind) falls back to the planned path,
// which then reports errors the usual way. The arguments go through the same conversions as
// the root resolvers (db.NewPage, the filters of filters.go, the orderings of registry/).

import (
	"context"
	"encoding/json"
	"slices"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/model"
)

// CompiledReadMaxCost is the highest operation cost (docs/limits.md) the compiled path answers.
// Postgres writes a compiled response as one value and heeds a cancel only between rows, so a
// response of many megabytes (priced far above the default limit of 5,000) would outlive its
// deadline; above this cost the planned path, which stops at the deadline, answers.
const CompiledReadMaxCost = 10000

// compiledReads counts the operations answered by the compiled path (CompiledReadCount).
var compiledReads atomic.Int64

// CompiledReadCount is how many operations this process answered with one compiled statement.
func CompiledReadCount() int64 { return compiledReads.Load() }

// CompiledReads answers a query with one compiled statement when it can, and hands every other
// operation to next. schema is the executable schema's: it types the arguments.
func CompiledReads(schema *ast.Schema) graphql.OperationMiddleware {
	statements, _ := lru.New[compileKey, *db.JSONStatement](compiledStatementsKept)
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		data, ok := compiledRead(ctx, schema, statements)
		if !ok {
			return next(ctx)
		}
		compiledReads.Add(1)
		if m, ok := ctx.Value(compiledMarkKey{}).(*bool); ok {
			*m = true
		}
		sent := false
		return func(context.Context) *graphql.Response {
			if sent {
				return nil
			}
			sent = true
			return &graphql.Response{Data: data}
		}
	}
}

type compiledMarkKey struct{}

// MarkCompiled returns a context under which CompiledReads sets *answered when it answers the
// operation. The compiled data is compact JSON with encoding/json's escapes (db.compactJSON),
// so the transport can copy it into the response instead of json.Marshal re-checking and
// re-compacting it (server.marshalResponse).
func MarkCompiled(ctx context.Context) (_ context.Context, answered *bool) {
	answered = new(bool)
	return context.WithValue(ctx, compiledMarkKey{}, answered), answered
}

// compiledStatementsKept is how many compiled statements (and operations found not to
// compile) CompiledReads keeps, the least recently used dropped first.
const compiledStatementsKept = 1024

// compileKey is what a compiled statement depends on: the parsed operation (gqlgen's query
// cache hands the same *ast.OperationDefinition to every request of one document), its
// variables and the day currentMcn is chosen for. An entry holds its document until evicted.
type compileKey struct {
	op   *ast.OperationDefinition
	vars string
	day  string
}

// compile returns op's statement, or nil when the compiled path does not answer it, from
// statements when op was compiled with the same variables today. Compiling (walking the
// selection, converting the arguments, writing the SQL) was 11 % of the server's CPU per
// request of query D.
func compile(op *graphql.OperationContext, schema *ast.Schema, statements *lru.Cache[compileKey, *db.JSONStatement]) *db.JSONStatement {
	vars, err := json.Marshal(op.Variables) // maps marshal with sorted keys
	if err != nil {
		return nil
	}
	key := compileKey{op: op.Operation, vars: string(vars), day: currentDay().Format(time.DateOnly)}
	if st, ok := statements.Get(key); ok {
		return st
	}
	var st *db.JSONStatement
	c := compiler{op: op, schema: schema}
	if roots, ok := c.roots(); ok && slices.ContainsFunc(roots, func(r db.JSONRoot) bool { return r.Field != "__typename" }) {
		st, _ = db.CompileJSON(roots) // a query of __typename alone has nothing to read: the executor answers it
	}
	statements.Add(key, st)
	return st
}

func compiledRead(ctx context.Context, schema *ast.Schema, statements *lru.Cache[compileKey, *db.JSONStatement]) (json.RawMessage, bool) {
	if !graphql.HasOperationContext(ctx) {
		return nil, false
	}
	op := graphql.GetOperationContext(ctx)
	if op.Operation == nil || op.Operation.Operation != ast.Query || len(op.Operation.Directives) > 0 {
		return nil, false
	}
	if s := extension.GetComplexityStats(ctx); s == nil || s.Complexity > CompiledReadMaxCost {
		return nil, false
	}
	l, _ := ctx.Value(loadersKey{}).(*Loaders)
	if l == nil || l.unplanned || l.store == nil {
		return nil, false
	}
	st := compile(op, schema, statements)
	if st == nil {
		return nil, false
	}
	data, err := l.store.ReadJSON(ctx, st)
	if err != nil {
		return nil, false
	}
	return data, true
}

type compiler struct {
	op     *graphql.OperationContext
	schema *ast.Schema
}

// args returns a field's arguments (variables substituted, defaults applied) once every
// custom scalar in them unmarshals as the executor would unmarshal it; false otherwise (the
// executor then reports the error).
func (c compiler) args(f graphql.CollectedField) (map[string]any, bool) {
	args := f.ArgumentMap(c.op.Variables)
	if f.Definition == nil {
		return nil, false
	}
	for _, a := range f.Definition.Arguments {
		if v, ok := args[a.Name]; ok {
			if !c.valid(a.Type, v) {
				return nil, false
			}
			args[a.Name] = c.defaults(a.Type, v)
		}
	}
	return args, true
}

// defaults fills in the default values of an input object's absent fields, at every depth, as
// the executor's unmarshalling does (orderBy: {field: DECIDED_ON} is descending by default).
func (c compiler) defaults(t *ast.Type, v any) any {
	if t.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			return c.defaults(t.Elem, v)
		}
		out := make([]any, len(list))
		for i, x := range list {
			out[i] = c.defaults(t.Elem, x)
		}
		return out
	}
	def := c.schema.Types[t.NamedType]
	m, ok := v.(map[string]any)
	if !ok || def == nil || def.Kind != ast.InputObject {
		return v
	}
	out := make(map[string]any, len(def.Fields))
	for k, x := range m {
		out[k] = x
	}
	for _, f := range def.Fields {
		if x, ok := out[f.Name]; ok {
			out[f.Name] = c.defaults(f.Type, x)
		} else if f.DefaultValue != nil {
			if d, err := f.DefaultValue.Value(nil); err == nil {
				out[f.Name] = d
			}
		}
	}
	return out
}

func (c compiler) valid(t *ast.Type, v any) bool {
	if v == nil {
		return true
	}
	if t.Elem != nil {
		list, ok := v.([]any)
		if !ok {
			return c.valid(t.Elem, v)
		}
		for _, x := range list {
			if !c.valid(t.Elem, x) {
				return false
			}
		}
		return true
	}
	var err error
	switch t.NamedType {
	case "Int64":
		_, err = model.UnmarshalInt64(v)
	case "Date":
		_, err = model.UnmarshalDate(v)
	case "DateTime":
		_, err = graphql.UnmarshalTime(v)
	case "ID", "String", "Int", "Boolean":
	default:
		def := c.schema.Types[t.NamedType]
		switch {
		case def == nil:
			return false
		case def.Kind == ast.Enum:
		case def.Kind == ast.InputObject:
			m, ok := v.(map[string]any)
			if !ok {
				return false
			}
			for _, f := range def.Fields {
				if x, ok := m[f.Name]; ok && !c.valid(f.Type, x) {
					return false
				}
			}
		default:
			return false
		}
	}
	return err == nil
}

// fields collects a selection on an object of type typ, as the executor does (fragments,
// aliases, @skip and @include), refusing any other directive.
func (c compiler) fields(sel ast.SelectionSet, typ string) ([]graphql.CollectedField, bool) {
	fs := graphql.CollectFields(c.op, sel, satisfies(typ))
	for _, f := range fs {
		for _, d := range f.Directives {
			if d.Name != "skip" && d.Name != "include" {
				return nil, false
			}
		}
		if f.Definition != nil {
			for _, d := range f.Definition.Directives {
				if d.Name != "deprecated" {
					return nil, false
				}
			}
		}
	}
	return fs, true
}

// satisfies is the types an object of type typ matches in fragments (the executor's lists).
func satisfies(typ string) []string {
	switch typ {
	case "Influencer":
		return influencerTypes
	case "PlatformAccount":
		return accountTypes
	case "Mcn":
		return mcnTypes
	case "Brand":
		return brandTypes
	case "Affiliation":
		return affiliationTypes
	case "Disclosure":
		return disclosureTypes
	case "Sanction":
		return sanctionTypes
	case "Agency":
		return agencyTypes
	}
	return []string{typ}
}

// byIDRoots are the root fields that read one entity by its global ID.
var byIDRoots = map[string]string{"influencer": typeInfluencer, "mcn": typeMcn, "brand": typeBrand, "agency": typeAgency}

func (c compiler) roots() ([]db.JSONRoot, bool) {
	fs, ok := c.fields(c.op.Operation.SelectionSet, "Query")
	if !ok {
		return nil, false
	}
	roots := make([]db.JSONRoot, 0, len(fs))
	for _, f := range fs {
		r := db.JSONRoot{Key: f.Alias, Field: f.Name}
		if f.Name == "__typename" {
			r.Typename = "Query"
			roots = append(roots, r)
			continue
		}
		args, ok := c.args(f)
		if !ok {
			return nil, false
		}
		var typ string
		switch f.Name {
		case "influencer", "mcn", "brand", "agency":
			typ = byIDRoots[f.Name]
			id, _ := args["id"].(string)
			dbid, found, err := idOf("id", id, typ)
			if err != nil || !found {
				return nil, false
			}
			r.ID = dbid
			if r.Sel, ok = c.object(f.Selections, typ); !ok {
				return nil, false
			}
			roots = append(roots, r)
			continue
		case "influencers":
			var in *model.InfluencerFilter
			var o *model.InfluencerOrder
			if !convert(args, "filter", &in) || !convert(args, "orderBy", &o) {
				return nil, false
			}
			f, err := influencerFilter(in)
			if err != nil {
				return nil, false
			}
			r.Filter = f
			r.Order, r.Desc = influencerOrderOf(o)
		case "disclosures":
			var in *model.DisclosureFilter
			var o *model.DisclosureOrder
			if !convert(args, "filter", &in) || !convert(args, "orderBy", &o) {
				return nil, false
			}
			f, err := disclosureFilter(in)
			if err != nil {
				return nil, false
			}
			r.Filter = f
			r.Order, r.Desc = disclosureOrderOf(o)
		case "sanctions":
			var in *model.SanctionFilter
			var o *model.SanctionOrder
			if !convert(args, "filter", &in) || !convert(args, "orderBy", &o) {
				return nil, false
			}
			f, err := sanctionFilter(in)
			if err != nil {
				return nil, false
			}
			r.Filter = f
			r.Order, r.Desc = sanctionOrderOf(o)
		case "mcns":
			var in *model.McnFilter
			if !convert(args, "filter", &in) {
				return nil, false
			}
			f, err := mcnFilter(in)
			if err != nil {
				return nil, false
			}
			r.Filter = f
		case "brands":
			var in *model.BrandFilter
			if !convert(args, "filter", &in) {
				return nil, false
			}
			r.Filter = brandFilter(in)
		case "agencies":
		default:
			return nil, false
		}
		pg, err := db.NewPage(intArg(args, "first"), intArg(args, "last"), strArg(args, "after"), strArg(args, "before"))
		if err != nil {
			return nil, false
		}
		r.Page = pg
		if r.Sel, ok = c.connection(f.Selections, f.Definition.Type.Name()); !ok {
			return nil, false
		}
		roots = append(roots, r)
	}
	return roots, true
}

// convert reads an input-object argument into its model type (through JSON: the generated
// inputs and enums unmarshal themselves); false when it does not convert.
func convert[T any](args map[string]any, name string, dst *T) bool {
	v, ok := args[name]
	if !ok || v == nil {
		return true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	return json.Unmarshal(b, dst) == nil
}

// connection compiles a connection's selection: nodes, edges, pageInfo, totalCount, __typename.
func (c compiler) connection(sel ast.SelectionSet, connType string) ([]db.JSONSel, bool) {
	fs, ok := c.fields(sel, connType)
	if !ok {
		return nil, false
	}
	out := make([]db.JSONSel, 0, len(fs))
	for _, f := range fs {
		s := db.JSONSel{Key: f.Alias, Field: f.Name}
		switch f.Name {
		case "__typename":
			s.Typename = connType
		case "totalCount":
		case "nodes":
			if s.Sel, ok = c.object(f.Selections, f.Definition.Type.Name()); !ok {
				return nil, false
			}
		case "edges":
			if s.Sel, ok = c.members(f.Selections, f.Definition.Type.Name(), "cursor", "node"); !ok {
				return nil, false
			}
		case "pageInfo":
			if s.Sel, ok = c.members(f.Selections, "PageInfo", "hasNextPage", "hasPreviousPage", "startCursor", "endCursor"); !ok {
				return nil, false
			}
		default:
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// members compiles the selection on an edge or a PageInfo: the fields named, __typename, and
// an edge's node (an object of the node's type).
func (c compiler) members(sel ast.SelectionSet, typ string, names ...string) ([]db.JSONSel, bool) {
	fs, ok := c.fields(sel, typ)
	if !ok {
		return nil, false
	}
	out := make([]db.JSONSel, 0, len(fs))
	for _, f := range fs {
		s := db.JSONSel{Key: f.Alias, Field: f.Name}
		switch {
		case f.Name == "__typename":
			s.Typename = typ
		case !slices.Contains(names, f.Name) || f.Definition == nil:
			return nil, false
		case f.Name == "node":
			if s.Sel, ok = c.object(f.Selections, f.Definition.Type.Name()); !ok {
				return nil, false
			}
		}
		out = append(out, s)
	}
	return out, true
}

// object compiles the selection on an object of type typ.
func (c compiler) object(sel ast.SelectionSet, typ string) ([]db.JSONSel, bool) {
	fs, ok := c.fields(sel, typ)
	if !ok {
		return nil, false
	}
	out := make([]db.JSONSel, 0, len(fs))
	for _, f := range fs {
		s := db.JSONSel{Key: f.Alias, Field: f.Name}
		if f.Name == "__typename" {
			s.Typename = typ
			out = append(out, s)
			continue
		}
		covered, connection := db.JSONCovers(typ, f.Name)
		if !covered || f.Definition == nil {
			return nil, false
		}
		target := f.Definition.Type.Name()
		switch {
		case connection:
			args, ok := c.args(f)
			if !ok || !pageArgsOnly(args) {
				return nil, false
			}
			pg, err := db.NewPage(intArg(args, "first"), intArg(args, "last"), strArg(args, "after"), strArg(args, "before"))
			if err != nil {
				return nil, false
			}
			s.Page, s.Current = pg, boolArg(args, "current")
			if s.Sel, ok = c.connection(f.Selections, target); !ok {
				return nil, false
			}
		case len(f.Selections) > 0:
			if len(f.Arguments) > 0 {
				return nil, false
			}
			if s.Sel, ok = c.object(f.Selections, target); !ok {
				return nil, false
			}
			if f.Name == "currentMcn" {
				s.Day = currentDay()
			}
		case len(f.Arguments) > 0:
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// pageArgsOnly reports whether a nested connection's arguments are only those the JSON read
// compiles (the page, Mcn.members(current:)); a list filtered otherwise (the status of
// Influencer.sanctions, …) is left to the planned path.
func pageArgsOnly(args map[string]any) bool {
	for name, v := range args {
		switch name {
		case "first", "last", "after", "before", "current":
		default:
			if v != nil {
				return false
			}
		}
	}
	return true
}

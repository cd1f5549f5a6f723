package server

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/kolregistry/kolregistry/graph/errcode"
)

// Limits on the shape of one operation (docs/limits.md), checked on the parsed document before
// it is validated, so that no validation rule ever walks a document above them.
const (
	// MaxDepth is the deepest nesting of selections (a root field is at depth 1; __schema
	// and __type count as one level whatever they select).
	MaxDepth = 12
	// MaxFields is the most field selections of one document, aliases included and each
	// fragment counted every time it is spread.
	MaxFields = 500
	// MaxDirectives is the most directives one document may carry.
	MaxDirectives = 50
	// MaxSchemaFields is the most __schema selections of one operation.
	MaxSchemaFields = 1
	// MaxErrors is the most errors one response lists; the rest are summarised in one more.
	MaxErrors = 100
)

// operationLimits is the gqlgen extension that enforces the shape limits before validation
// and the cost limit after it. The cost is stored as gqlgen's ComplexityStats, so that
// extension.GetComplexityStats reads it for the rate limiter and extensions.cost.
type operationLimits struct {
	limit int
	es    graphql.ExecutableSchema
	cost  *coster
	// shapes remembers the verdict on documents already seen (nil: within the limits).
	shapes *lru.Cache[string, *gqlerror.Error]
	// costs remembers the cost of operations already priced with the same variables: the
	// price is a function of the operation and its arguments alone (complexity.go), and
	// walking it was 4 % of the server's CPU per request of a page of 20 sanctions.
	costs  *lru.Cache[costKey, int]
	tokens int
}

// costKey is an operation as gqlgen's query cache hands it to every request of one document,
// and its variables as JSON (maps marshal with sorted keys).
type costKey struct {
	op   *ast.OperationDefinition
	vars string
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = (*operationLimits)(nil)

func newOperationLimits(limit, cacheSize, tokenLimit int) *operationLimits {
	shapes, _ := lru.New[string, *gqlerror.Error](max(cacheSize, 1))
	costs, _ := lru.New[costKey, int](max(cacheSize, 1))
	return &operationLimits{limit: limit, shapes: shapes, costs: costs, tokens: tokenLimit}
}

func (*operationLimits) ExtensionName() string { return "OperationLimits" }

func (l *operationLimits) Validate(es graphql.ExecutableSchema) error {
	l.es = es
	l.cost = newCoster(es)
	return nil
}

// MutateOperationParameters checks the document's shape. A document that does not parse is
// left to gqlgen, which reports the parse error.
func (l *operationLimits) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Query == "" {
		return nil
	}
	if verdict, ok := l.shapes.Get(p.Query); ok {
		return verdict
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, l.tokens)
	if err != nil {
		return nil
	}
	verdict := checkShape(doc)
	l.shapes.Add(p.Query, verdict)
	return verdict
}

// MutateOperationContext prices the validated operation and refuses it above the limit.
func (l *operationLimits) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	cost := l.price(ctx, opCtx)
	opCtx.Stats.SetExtension("ComplexityLimit", &extension.ComplexityStats{Complexity: cost, ComplexityLimit: l.limit})
	if cost > l.limit {
		return limitError("operation has complexity %d, which exceeds the limit of %d (docs/limits.md)", cost, l.limit)
	}
	return nil
}

// price is the operation's cost, from costs when it was priced with the same variables.
func (l *operationLimits) price(ctx context.Context, opCtx *graphql.OperationContext) int {
	vars, err := json.Marshal(opCtx.Variables)
	if err != nil {
		return l.cost.operation(ctx, opCtx.Operation, opCtx.Variables)
	}
	key := costKey{op: opCtx.Operation, vars: string(vars)}
	if cost, ok := l.costs.Get(key); ok {
		return cost
	}
	cost := l.cost.operation(ctx, opCtx.Operation, opCtx.Variables)
	l.costs.Add(key, cost)
	return cost
}

func limitError(format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{Message: fmt.Sprintf(format, args...),
		Extensions: map[string]any{"code": string(errcode.ComplexityLimitExceeded)}}
}

// shape is what checkShape counts in a selection set.
type shape struct {
	depth, fields, directives, schemas int
	cycle                              bool
}

func (s *shape) add(o shape) {
	s.depth = max(s.depth, o.depth)
	s.fields = satAdd(s.fields, o.fields)
	s.directives = satAdd(s.directives, o.directives)
	s.schemas = satAdd(s.schemas, o.schemas)
	s.cycle = s.cycle || o.cycle
}

// checkShape refuses a document above MaxDepth, MaxFields, MaxDirectives or MaxSchemaFields
// (per operation). Fragments are measured once and reused, so a document whose fragments
// spread each other many times (a "fragment bomb") costs its size to check, not its expansion.
func checkShape(doc *ast.QueryDocument) *gqlerror.Error {
	w := shapeWalker{doc: doc, frags: map[string]*shape{}}
	for _, op := range doc.Operations {
		s := w.selections(op.SelectionSet)
		s.directives = satAdd(s.directives, len(op.Directives))
		switch {
		case s.cycle:
			return nil // fragments that spread themselves: validation refuses them
		case s.depth > MaxDepth:
			return limitError("the operation is %d levels deep; the limit is %d (docs/limits.md)", s.depth, MaxDepth)
		case s.fields > MaxFields:
			return limitError("the operation selects %d fields (aliases and fragment spreads included); the limit is %d (docs/limits.md)", s.fields, MaxFields)
		case s.directives > MaxDirectives:
			return limitError("the operation carries %d directives; the limit is %d (docs/limits.md)", s.directives, MaxDirectives)
		case s.schemas > MaxSchemaFields:
			return limitError("the operation selects __schema %d times; the limit is %d (docs/limits.md)", s.schemas, MaxSchemaFields)
		}
	}
	for _, f := range doc.Fragments {
		if len(f.Directives) > MaxDirectives {
			return limitError("a fragment carries %d directives; the limit is %d (docs/limits.md)", len(f.Directives), MaxDirectives)
		}
	}
	return nil
}

type shapeWalker struct {
	doc   *ast.QueryDocument
	frags map[string]*shape // nil value: being measured (a cycle if met again)
}

func (w shapeWalker) selections(ss ast.SelectionSet) shape {
	var out shape
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			child := w.selections(s.SelectionSet)
			child.depth++
			child.fields = satAdd(child.fields, 1)
			child.directives = satAdd(child.directives, len(s.Directives))
			if s.Name == "__schema" {
				child.schemas = satAdd(child.schemas, 1)
			}
			if s.Name == "__schema" || s.Name == "__type" {
				// Introspection is priced by the exact count of what it resolves, and
				// validation bounds its nesting of lists; the standard introspection
				// query nests ofType deeper than MaxDepth.
				child.depth = 1
			}
			out.add(child)
		case *ast.InlineFragment:
			child := w.selections(s.SelectionSet)
			child.directives = satAdd(child.directives, len(s.Directives))
			out.add(child)
		case *ast.FragmentSpread:
			out.add(w.fragment(s.Name))
			out.directives = satAdd(out.directives, len(s.Directives))
		}
	}
	return out
}

func (w shapeWalker) fragment(name string) shape {
	if s, seen := w.frags[name]; seen {
		if s == nil {
			return shape{cycle: true}
		}
		return *s
	}
	def := w.doc.Fragments.ForName(name)
	if def == nil {
		return shape{} // unknown fragment: validation refuses it
	}
	w.frags[name] = nil
	s := w.selections(def.SelectionSet)
	w.frags[name] = &s
	return s
}

// satAdd adds non-negative counts, saturating at complexityCap.
func satAdd(a, b int) int {
	if a > complexityCap-b {
		return complexityCap
	}
	return a + b
}

// capErrors keeps at most MaxErrors errors and says how many more there were.
func capErrors(errs gqlerror.List) gqlerror.List {
	if len(errs) <= MaxErrors {
		return errs
	}
	out := append(gqlerror.List{}, errs[:MaxErrors]...)
	code := errcode.BadUserInput
	if c, ok := errs[0].Extensions["code"].(string); ok {
		code = errcode.Code(c)
	}
	return append(out, &gqlerror.Error{
		Message:    fmt.Sprintf("%d more errors not shown: a response lists at most %d", len(errs)-MaxErrors, MaxErrors),
		Extensions: map[string]any{"code": string(code)},
	})
}

package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/kolregistry/kolregistry/graph/errcode"
)

// DefaultMaxResponseBytes is Config.MaxResponseBytes's default (MAX_RESPONSE_BYTES).
const DefaultMaxResponseBytes = 8 << 20

// errResponseTooLarge stops an operation whose response would pass Config.MaxResponseBytes.
var errResponseTooLarge = errcode.New(errcode.ResponseTooLarge,
	"the response would be larger than the limit; ask for fewer rows or fields (docs/limits.md)")

// responseMeter follows one operation as it runs: the bytes its resolved values will take,
// estimated as they are resolved, against the cap, and the cancellation that stops it.
type responseMeter struct {
	limit  int64
	used   atomic.Int64
	errors atomic.Int64
	cancel context.CancelCauseFunc
}

type responseMeterKey struct{}

// withResponseMeter returns a context that ends when ctx ends or the operation's values pass
// limit bytes; tooLarge reports whether the second happened.
func withResponseMeter(ctx context.Context, limit int64) (context.Context, func() (tooLarge bool)) {
	ctx, cancel := context.WithCancelCause(ctx)
	m := &responseMeter{limit: limit, cancel: cancel}
	ctx = context.WithValue(ctx, responseMeterKey{}, m)
	return ctx, func() bool {
		tooLarge := errors.Is(context.Cause(ctx), errResponseTooLarge)
		cancel(nil)
		return tooLarge
	}
}

// boundedFields is the field middleware that makes the deadline and the response cap stop
// the work: a resolver does not start once the request's context has ended (its deadline,
// REQUEST_TIMEOUT; the client hanging up; the size cap), so that neither the loaders nor the
// statements behind the remaining fields run, and the values each resolver returns are
// counted against the cap. Fields read from a parent's row have no resolver and cost nothing.
func boundedFields(ctx context.Context, next graphql.Resolver) (any, error) {
	m, _ := ctx.Value(responseMeterKey{}).(*responseMeter)
	if m == nil {
		return next(ctx)
	}
	if ctx.Err() != nil {
		if errors.Is(context.Cause(ctx), errResponseTooLarge) {
			return nil, errResponseTooLarge
		}
		return nil, ctx.Err()
	}
	res, err := next(ctx)
	if fc := graphql.GetFieldContext(ctx); fc != nil && !strings.HasPrefix(fc.Object, "__") && !strings.HasPrefix(fc.Field.Name, "__") {
		n := int64(len(fc.Field.Alias)) + 4 + jsonSize(reflect.ValueOf(res), fc.Field.Selections, 0)
		if m.used.Add(n) > m.limit {
			m.cancel(errResponseTooLarge)
			return nil, errResponseTooLarge
		}
	}
	return res, err
}

var timeType = reflect.TypeFor[time.Time]()

// jsonSize estimates the bytes of v marshalled as JSON with the selection sel: the selected
// fields that v holds itself. A field that has its own resolver is left out here and counted
// when that resolver returns; a Go type without a json tag for a field is counted whole.
func jsonSize(v reflect.Value, sel ast.SelectionSet, depth int) int64 {
	if !v.IsValid() || depth > 12 {
		return 4
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return 4
		}
		return jsonSize(v.Elem(), sel, depth+1)
	case reflect.String:
		return int64(v.Len()) + 2
	case reflect.Slice, reflect.Array:
		n := int64(2)
		for i := range v.Len() {
			n += jsonSize(v.Index(i), sel, depth+1) + 1
		}
		return n
	case reflect.Map:
		return int64(v.Len())*16 + 2
	case reflect.Struct:
		if v.Type() == timeType {
			return 32
		}
		n := int64(2)
		forEachField(sel, func(f *ast.Field) {
			if i, ok := jsonField(v.Type(), f.Name); ok {
				n += int64(len(f.Alias)) + 4 + jsonSize(v.Field(i), f.SelectionSet, depth+1)
			}
		})
		return n
	default:
		return 8
	}
}

// forEachField calls fn for each field of sel, inside fragments too.
func forEachField(sel ast.SelectionSet, fn func(*ast.Field)) {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			fn(s)
		case *ast.InlineFragment:
			forEachField(s.SelectionSet, fn)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				forEachField(s.Definition.SelectionSet, fn)
			}
		}
	}
}

var jsonFields sync.Map // reflect.Type → map[string]int (json name → field index)

// jsonField finds the struct field that gqlgen marshals as the GraphQL field name.
func jsonField(t reflect.Type, name string) (int, bool) {
	m, ok := jsonFields.Load(t)
	if !ok {
		idx := map[string]int{}
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if tag == "" {
				tag = f.Name
			}
			idx[tag] = i
		}
		m, _ = jsonFields.LoadOrStore(t, idx)
	}
	i, ok := m.(map[string]int)[name]
	return i, ok
}

// writeTooLarge answers an operation stopped by the response cap: one error, no data.
func writeTooLarge(w http.ResponseWriter, r *http.Request, limit int64, cost int) {
	writeJSON(w, r, http.StatusOK, errorBody{
		Errors: gqlerror.List{{Message: fmt.Sprintf("the response would be larger than the limit of %d bytes; "+
			"ask for fewer rows or fields (docs/limits.md)", limit),
			Extensions: map[string]any{"code": string(errcode.ResponseTooLarge)}}},
		Extensions: map[string]any{"cost": cost},
	})
}

// cappedPresenter presents the first MaxErrors errors of an operation; the rest, which
// capErrors drops from the response, get a placeholder without being classified or logged.
// An operation stopped by its deadline or its client fails every field still to resolve: this
// keeps that from costing a log line each.
func cappedPresenter(present graphql.ErrorPresenterFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		if m, _ := ctx.Value(responseMeterKey{}).(*responseMeter); m != nil && m.errors.Add(1) > MaxErrors {
			return &gqlerror.Error{Message: "not shown", Extensions: map[string]any{"code": string(errcode.Internal)}}
		}
		return present(ctx, err)
	}
}

package server

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
)

// Text Postgres cannot store (db.ValidText) is refused where it enters, once for every path,
// as BAD_USER_INPUT naming where it was (docs/input.md):
//   - textGuard checks a GraphQL operation's variables and literal arguments after validation,
//     before anything runs (queries, mutations, subscriptions, over HTTP and WebSocket);
//   - validQueryString checks every query-string parameter (export filters, GET /graphql);
//   - the presenter maps Postgres's own refusal (db.IsBadText) to BAD_USER_INPUT as a backstop.

// textGuard is the gqlgen extension that refuses bad text in an operation's inputs.
type textGuard struct{}

var (
	_ graphql.HandlerExtension        = textGuard{}
	_ graphql.OperationContextMutator = textGuard{}
)

func (textGuard) ExtensionName() string                          { return "TextGuard" }
func (textGuard) Validate(schema graphql.ExecutableSchema) error { return nil }

// MutateOperationContext names the first variable path ($input.aliases.2) or literal argument
// path (alias.field.argument.key) holding bad text.
func (textGuard) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	for name, v := range oc.Variables {
		if at := badVariable(v, "$"+name); at != "" {
			return badTextError(at)
		}
	}
	if oc.Operation == nil {
		return nil
	}
	if at := badSelections(oc.Doc, oc.Operation.SelectionSet, "", map[string]bool{}); at != "" {
		return badTextError(at)
	}
	return nil
}

func badTextError(field string) *gqlerror.Error {
	return &gqlerror.Error{Message: field + " " + db.BadTextMessage, Err: errcode.BadInput(field, "%s %s", field, db.BadTextMessage)}
}

// badVariable walks a coerced variable value (strings, lists, input objects).
func badVariable(v any, path string) string {
	switch x := v.(type) {
	case string:
		if !db.ValidText(x) {
			return path
		}
	case []any:
		for i, e := range x {
			if at := badVariable(e, path+"."+strconv.Itoa(i)); at != "" {
				return at
			}
		}
	case map[string]any:
		for k, e := range x {
			if at := badVariable(e, path+"."+k); at != "" {
				return at
			}
		}
	}
	return ""
}

// badSelections walks the literal arguments of a selection set and of the fragments it spreads
// (each once), the path of a field being its response key.
func badSelections(doc *ast.QueryDocument, set ast.SelectionSet, path string, seen map[string]bool) string {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			at := s.Alias
			if at == "" {
				at = s.Name
			}
			if path != "" {
				at = path + "." + at
			}
			for _, a := range s.Arguments {
				if bad := badLiteral(a.Value, at+"."+a.Name); bad != "" {
					return bad
				}
			}
			if bad := badDirectives(s.Directives, at); bad != "" {
				return bad
			}
			if bad := badSelections(doc, s.SelectionSet, at, seen); bad != "" {
				return bad
			}
		case *ast.InlineFragment:
			if bad := badDirectives(s.Directives, path); bad != "" {
				return bad
			}
			if bad := badSelections(doc, s.SelectionSet, path, seen); bad != "" {
				return bad
			}
		case *ast.FragmentSpread:
			if bad := badDirectives(s.Directives, path); bad != "" {
				return bad
			}
			if seen[s.Name] || doc == nil {
				continue
			}
			seen[s.Name] = true
			if f := doc.Fragments.ForName(s.Name); f != nil {
				if bad := badSelections(doc, f.SelectionSet, path, seen); bad != "" {
					return bad
				}
			}
		}
	}
	return ""
}

func badDirectives(ds ast.DirectiveList, path string) string {
	for _, d := range ds {
		for _, a := range d.Arguments {
			if bad := badLiteral(a.Value, strings.TrimPrefix(path+".@"+d.Name+"."+a.Name, ".")); bad != "" {
				return bad
			}
		}
	}
	return ""
}

// badLiteral walks a literal value; variables in it were checked as variables.
func badLiteral(v *ast.Value, path string) string {
	if v == nil {
		return ""
	}
	switch v.Kind {
	case ast.StringValue, ast.BlockValue:
		if !db.ValidText(v.Raw) {
			return path
		}
	case ast.ListValue:
		for i, c := range v.Children {
			if bad := badLiteral(c.Value, path+"."+strconv.Itoa(i)); bad != "" {
				return bad
			}
		}
	case ast.ObjectValue:
		for _, c := range v.Children {
			if bad := badLiteral(c.Value, path+"."+c.Name); bad != "" {
				return bad
			}
		}
	}
	return ""
}

// validQueryString answers HTTP 400 BAD_USER_INPUT, naming the parameter, when a query-string
// parameter's name or value is text the registry cannot store. A query string that does not
// parse is left to the handler (it reports it its own way).
func validQueryString(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err == nil {
			for name, vals := range q {
				bad := !db.ValidText(name)
				for _, v := range vals {
					bad = bad || !db.ValidText(v)
				}
				if bad {
					// The name goes back as JSON: make it text JSON can carry, NUL shown as U+FFFD.
					shown := strings.ReplaceAll(strings.ToValidUTF8(name, "\ufffd"), "\x00", "\ufffd")
					writeJSON(w, r, http.StatusBadRequest, errorBody{Errors: gqlerror.List{{
						Message:    "query parameter " + strconv.Quote(shown) + " " + db.BadTextMessage,
						Extensions: map[string]any{"code": string(errcode.BadUserInput), "field": shown},
					}}})
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

package server

import (
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// introspection counts the fields that an introspection root field (__schema or __type)
// resolves: the schema is fixed, so the count is exact, and it is what the field is priced
// by. gqlparser's MaxIntrospectionDepth rule and MaxFields bound the walk.
func (c *coster) introspection(f *ast.Field, args map[string]any) int {
	switch f.Name {
	case "__schema":
		return c.introFields(f.SelectionSet, c.schema)
	case "__type":
		name, _ := args["name"].(string)
		def := c.schema.Types[name]
		if def == nil {
			return 1
		}
		return c.introFields(f.SelectionSet, introType{def: def})
	}
	return 1
}

// introType is a __Type: a named type, or a NON_NULL/LIST wrapper of ofType.
type introType struct {
	def  *ast.Definition
	wrap *ast.Type
}

func (c *coster) typeRef(t *ast.Type) introType {
	if t.NonNull || t.Elem != nil {
		return introType{wrap: t}
	}
	return introType{def: c.schema.Types[t.NamedType]}
}

// inputValue is an __InputValue: an argument or an input object's field.
type inputValue struct{ t *ast.Type }

func (c *coster) introFields(ss ast.SelectionSet, obj any) int {
	total := 0
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			total = satAdd(total, 1)
			for _, item := range c.introChildren(obj, s.Name) {
				total = satAdd(total, c.introFields(s.SelectionSet, item))
			}
		case *ast.InlineFragment:
			total = satAdd(total, c.introFields(s.SelectionSet, obj))
		case *ast.FragmentSpread:
			if s.Definition != nil {
				total = satAdd(total, c.introFields(s.Definition.SelectionSet, obj))
			}
		}
	}
	return total
}

// introChildren are the objects a composite introspection field returns on obj (none for a
// scalar field or a null).
func (c *coster) introChildren(obj any, field string) []any {
	var out []any
	switch o := obj.(type) {
	case *ast.Schema:
		switch field {
		case "types":
			names := make([]string, 0, len(o.Types))
			for n := range o.Types {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				out = append(out, introType{def: o.Types[n]})
			}
		case "queryType":
			out = appendDef(out, o.Query)
		case "mutationType":
			out = appendDef(out, o.Mutation)
		case "subscriptionType":
			out = appendDef(out, o.Subscription)
		case "directives":
			for _, d := range o.Directives {
				out = append(out, d)
			}
		}
	case introType:
		if o.wrap != nil {
			if field == "ofType" {
				inner := *o.wrap
				if inner.NonNull {
					inner.NonNull = false
					out = append(out, c.typeRef(&inner))
				} else {
					out = append(out, c.typeRef(inner.Elem))
				}
			}
			return out
		}
		d := o.def
		switch field {
		case "fields":
			if d.Kind == ast.Object || d.Kind == ast.Interface {
				for _, f := range d.Fields {
					if !strings.HasPrefix(f.Name, "__") {
						out = append(out, f)
					}
				}
			}
		case "inputFields":
			if d.Kind == ast.InputObject {
				for _, f := range d.Fields {
					out = append(out, inputValue{f.Type})
				}
			}
		case "interfaces":
			for _, n := range d.Interfaces {
				out = append(out, introType{def: c.schema.Types[n]})
			}
		case "possibleTypes":
			if d.Kind == ast.Interface || d.Kind == ast.Union {
				for _, p := range c.schema.GetPossibleTypes(d) {
					out = append(out, introType{def: p})
				}
			}
		case "enumValues":
			for range d.EnumValues {
				out = append(out, nil) // __EnumValue has only scalar fields
			}
		}
	case *ast.FieldDefinition:
		switch field {
		case "args":
			for _, a := range o.Arguments {
				out = append(out, inputValue{a.Type})
			}
		case "type":
			out = append(out, c.typeRef(o.Type))
		}
	case inputValue:
		if field == "type" {
			out = append(out, c.typeRef(o.t))
		}
	case *ast.DirectiveDefinition:
		if field == "args" {
			for _, a := range o.Arguments {
				out = append(out, inputValue{a.Type})
			}
		}
	}
	return out
}

func appendDef(out []any, d *ast.Definition) []any {
	if d != nil {
		out = append(out, introType{def: d})
	}
	return out
}

package server

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kolregistry/kolregistry/graph"

	"github.com/kolregistry/kolregistry/registry"
)

// The served schema (docs/schema.md): what introspection and /schema.graphql show is the parsed
// schema with
//   - gqlgen's internal directives (@goField, @goModel, @goTag, …) removed: they steer code
//     generation and mean nothing to a client;
//   - @defer removed: gqlgen's executor does not implement incremental delivery, and a deferred
//     fragment gave null for non-null fields and never completed; without the directive a query
//     that uses it fails validation (BAD_USER_INPUT) instead;
//   - the descriptions that follow from a rule filled in where the SDL has none: each enum
//     value's from the label catalogue (registry/labels.go, English), Relay's connection and edge
//     fields and pagination arguments, and the fields every record or payload has (id, version,
//     createdAt, userErrors, idempotencyKey…); every mutation's description ends with the scope
//     its @hasScope names and the idempotency rule.
// Everything else is described in graph/*.graphqls; a test fails on any element left without.

// The generated package parses its schema once and every executable schema shares it, so it is
// prepared once, before any handler exists.
func init() { documentSchema(graph.NewExecutableSchema(graph.Config{}).Schema()) }

func documentSchema(s *ast.Schema) {
	for name := range s.Directives {
		if strings.HasPrefix(name, "go") || name == "defer" {
			delete(s.Directives, name)
		}
	}
	for name, d := range s.Types {
		if d.BuiltIn || strings.HasPrefix(name, "__") {
			continue
		}
		if d.Description == "" {
			d.Description = typeRule(d)
		}
		for _, v := range d.EnumValues {
			if v.Description == "" {
				if l, ok := registry.LabelOf(name, v.Name); ok {
					v.Description = l.EN + ": " + l.DescEN + " (vi: " + l.VI + ")"
				}
			}
		}
		for _, f := range d.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if f.Description == "" {
				f.Description = fieldRule(d, f)
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					a.Description = argumentRule(a)
				}
			}
			if name == "Mutation" {
				f.Description = mutationFooter(f)
			}
		}
	}
}

// typeRule describes the types whose role their name says: connections, edges, payloads.
func typeRule(d *ast.Definition) string {
	switch {
	case strings.HasSuffix(d.Name, "Connection"):
		return "A page of " + strings.TrimSuffix(d.Name, "Connection") + " records (Relay connection): edges or nodes, pageInfo, totalCount."
	case strings.HasSuffix(d.Name, "Edge"):
		return "One " + strings.TrimSuffix(d.Name, "Edge") + " record of a page, with its cursor."
	case strings.HasSuffix(d.Name, "Payload"):
		return "The result of " + lowerFirst(strings.TrimSuffix(d.Name, "Payload")) + ": the record written (null when userErrors is not empty), the user errors, and whether it replayed an earlier call."
	}
	return ""
}

// fieldRule describes the fields every connection, edge, record and payload shares.
func fieldRule(d *ast.Definition, f *ast.FieldDefinition) string {
	conn := strings.HasSuffix(d.Name, "Connection")
	switch {
	case conn && f.Name == "edges":
		return "The page's records with their cursors, in the list's order."
	case conn && f.Name == "nodes":
		return "The page's records without cursors, in the list's order."
	case conn && f.Name == "pageInfo":
		return "Whether there are pages before and after this one, and the cursors to reach them."
	case conn && f.Name == "totalCount":
		return "How many records the whole list holds (not only this page); computed only when selected."
	case strings.HasSuffix(d.Name, "Edge") && f.Name == "cursor":
		return "Opaque position of this record: pass it as after or before to page from here."
	case strings.HasSuffix(d.Name, "Edge") && f.Name == "node":
		return "The record."
	case strings.HasSuffix(d.Name, "Payload") && f.Name == "userErrors":
		return "Why nothing was written: empty on success (see UserErrorCode)."
	case strings.HasSuffix(d.Name, "Payload") && f.Name == "replayed":
		return "True when an earlier call with the same idempotencyKey answered: nothing new was written."
	case strings.HasSuffix(d.Name, "Payload"):
		return "The " + f.Type.Name() + " as written; null when userErrors is not empty."
	case strings.HasSuffix(d.Name, "Count") && f.Name == "count":
		return "How many of the filtered records have this value."
	case strings.HasSuffix(d.Name, "Count") && f.Name == "value":
		return "The value counted."
	case strings.HasSuffix(d.Name, "Order") && f.Name == "direction":
		return "ASC or DESC; ties are broken by the record's ID, in the same direction."
	case strings.HasSuffix(d.Name, "Order") && f.Name == "field":
		return "What to sort by."
	case f.Name == "id" && d.Kind != ast.InputObject:
		return "Permanent, opaque global ID; node(id:) refetches the record by it."
	case f.Name == "version":
		return "Incremented by every change; pass it as expectedVersion to update the record."
	case f.Name == "createdAt":
		return "When the record was entered in the registry."
	case f.Name == "updatedAt":
		return "When the record last changed."
	case f.Name == "recordedAt":
		return "When the registry recorded it."
	case f.Name == "idempotencyKey":
		return "A key of your choice: a retry with the same key returns the first result (replayed: true) and writes nothing new; reusing it with another input is the user error IDEMPOTENCY_KEY_REUSED."
	case f.Name == "expectedVersion":
		return "The version you read: when the record has changed since, nothing is written and the user error is VERSION_CONFLICT."
	}
	return ""
}

// argumentRule describes Relay's pagination arguments and the arguments every list or
// mutation shares.
func argumentRule(a *ast.ArgumentDefinition) string {
	switch a.Name {
	case "input":
		return "What to write (see the input type)."
	case "id":
		return "A global ID."
	case "filter":
		return "Narrows the list: each field is \"any of\" its values, and the fields combine with AND; null: everything."
	case "orderBy":
		return "The order of the list (see the input type for the default)."
	case "first":
		return "Page size from the start or from after (1–100, default 20)."
	case "last":
		return "Page size from the end or from before (1–100); not with first."
	case "after":
		return "A cursor: the page starts after this record."
	case "before":
		return "A cursor: the page ends before this record."
	}
	return ""
}

// mutationFooter appends to a mutation's description the scope its @hasScope requires and the
// idempotency rule every mutation follows.
func mutationFooter(f *ast.FieldDefinition) string {
	desc := strings.TrimSpace(f.Description)
	if dir := f.Directives.ForName("hasScope"); dir != nil {
		if arg := dir.Arguments.ForName("scope"); arg != nil && !strings.Contains(desc, "Scope:") {
			desc += "\n\nScope: " + arg.Value.Raw + " (a token without it: FORBIDDEN)."
		}
	}
	if !strings.Contains(desc, "Idempotency:") {
		desc += "\n\nIdempotency: a retry with the same input.idempotencyKey returns the first result with replayed: true and writes nothing; the same key with another input is the user error IDEMPOTENCY_KEY_REUSED."
	}
	return strings.TrimSpace(desc)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

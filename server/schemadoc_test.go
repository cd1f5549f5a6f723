package server

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// introspectionQuery reads every element a description can sit on.
const introspectionQuery = `{ __schema {
  directives { name }
  types { kind name description specifiedByURL
    fields(includeDeprecated: true) { name description args { name description } }
    inputFields { name description }
    enumValues(includeDeprecated: true) { name description } } } }`

type introspected struct {
	Schema struct {
		Directives []struct{ Name string }
		Types      []struct {
			Kind, Name, Description string
			SpecifiedByURL          *string
			Fields                  []struct {
				Name, Description string
				Args              []struct{ Name, Description string }
			}
			InputFields []struct{ Name, Description string }
			EnumValues  []struct{ Name, Description string }
		}
	} `json:"__schema"`
}

// TestSchema_EveryElementIsDocumented walks the served schema (introspection, as a client sees
// it): every type, field, argument, input field and enum value has a description; every
// mutation names its scope, its user errors and its idempotency; every custom scalar has
// @specifiedBy; gqlgen's internal directives and @defer are not offered. The failure lists each
// element by its path, e.g. Query.sanctions(filter:) or SanctionStatus.IN_FORCE.
func TestSchema_EveryElementIsDocumented(t *testing.T) {
	s := newTestServer(t, DefaultConfig())
	r := s.query(t, introspectionQuery, nil)
	if len(r.gql.Errors) > 0 {
		t.Fatalf("introspection: %+v", r.gql.Errors)
	}
	var got introspected
	if err := json.Unmarshal(r.gql.Data, &got); err != nil {
		t.Fatal(err)
	}
	builtin := map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true}
	var missing, mutations, scalars []string
	total := 0
	need := func(path, desc string) {
		total++
		if strings.TrimSpace(desc) == "" {
			missing = append(missing, path)
		}
	}
	for _, ty := range got.Schema.Types {
		if strings.HasPrefix(ty.Name, "__") || builtin[ty.Name] {
			continue
		}
		need(ty.Name, ty.Description)
		if ty.Kind == "SCALAR" && (ty.SpecifiedByURL == nil || *ty.SpecifiedByURL == "") {
			scalars = append(scalars, ty.Name)
		}
		for _, f := range ty.Fields {
			need(ty.Name+"."+f.Name, f.Description)
			for _, a := range f.Args {
				need(fmt.Sprintf("%s.%s(%s:)", ty.Name, f.Name, a.Name), a.Description)
			}
			if ty.Name == "Mutation" {
				for _, part := range []string{"Scope:", "User errors", "Idempotency:"} {
					if !strings.Contains(f.Description, part) {
						mutations = append(mutations, fmt.Sprintf("Mutation.%s lacks %q", f.Name, part))
					}
				}
			}
		}
		for _, f := range ty.InputFields {
			need(ty.Name+"."+f.Name, f.Description)
		}
		for _, v := range ty.EnumValues {
			need(ty.Name+"."+v.Name, v.Description)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("%d of %d schema elements have no description (write one in graph/*.graphqls; enum values take theirs from registry/labels.go):\n  %s",
			len(missing), total, strings.Join(missing, "\n  "))
	}
	if len(mutations) > 0 {
		t.Errorf("mutation descriptions must say their scope, user errors and idempotency (graph/*.graphqls, server/schemadoc.go):\n  %s", strings.Join(mutations, "\n  "))
	}
	if len(scalars) > 0 {
		t.Errorf("custom scalars without @specifiedBy: %s", strings.Join(scalars, ", "))
	}
	for _, d := range got.Schema.Directives {
		if strings.HasPrefix(d.Name, "go") || d.Name == "defer" {
			t.Errorf("introspection offers the directive @%s", d.Name)
		}
	}
	t.Logf("%d schema elements, all documented", total)
}

// TestSchema_DeferIsRefused: @defer is not in the schema, so a query using it fails validation
// instead of answering null for a non-null field and never completing.
func TestSchema_DeferIsRefused(t *testing.T) {
	s := newTestServer(t, DefaultConfig())
	r := s.query(t, `{ registryHead { seq ... @defer { hash } } }`, nil)
	if len(r.gql.Errors) == 0 || !strings.Contains(r.gql.Errors[0].Message, "defer") {
		t.Fatalf("a query with @defer: %s", r.body)
	}
}

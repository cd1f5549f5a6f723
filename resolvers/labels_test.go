package resolvers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kolregistry/kolregistry/graph"
	"github.com/kolregistry/kolregistry/registry"
)

// TestLabels_EveryEnumValueHasBothLanguages walks the schema: every value of every enum has a
// Vietnamese and an English label and description in registry/labels.go.
func TestLabels_EveryEnumValueHasBothLanguages(t *testing.T) {
	s := graph.NewExecutableSchema(graph.Config{}).Schema()
	var missing []string
	n := 0
	for name, d := range s.Types {
		if d.Kind != ast.Enum || strings.HasPrefix(name, "__") {
			continue
		}
		for _, v := range d.EnumValues {
			n++
			l, ok := registry.LabelOf(name, v.Name)
			if !ok || l.VI == "" || l.EN == "" || l.DescVI == "" || l.DescEN == "" {
				missing = append(missing, fmt.Sprintf("%s.%s", name, v.Name))
			}
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%d of %d enum values lack a VI/EN label or description; add them to registry/labels.go: %s",
			len(missing), n, strings.Join(missing, ", "))
	}
}

// TestEnumLabels_ServesTheCatalogueInEachLanguage asks the API for labels in both languages.
func TestEnumLabels_ServesTheCatalogueInEachLanguage(t *testing.T) {
	a := newAPI(t, openStore(t))
	vi := a.ok(`{ enumLabels(enum: "SanctionStatus") { enum value label description } }`, nil)
	en := a.ok(`{ enumLabels(enum: "SanctionStatus", lang: EN) { value label } }`, nil)
	if got := get(vi, "enumLabels.0.value"); got != "IN_FORCE" {
		t.Fatalf("first SanctionStatus value is %v, want IN_FORCE (schema order)", got)
	}
	if get(vi, "enumLabels.0.label") != "Đang có hiệu lực" || get(en, "enumLabels.0.label") != "In force" {
		t.Fatalf("IN_FORCE labels: vi %v, en %v", get(vi, "enumLabels.0.label"), get(en, "enumLabels.0.label"))
	}
	all := a.ok(`{ enumLabels(lang: EN) { enum value label } }`, nil)
	if n := len(list(all, "enumLabels")); n < 150 {
		t.Fatalf("enumLabels without enum lists %d values; the schema has more", n)
	}
	if r := a.do(`{ enumLabels(enum: "Influencer") { value } }`, nil); r.code() != "BAD_USER_INPUT" {
		t.Fatalf("enumLabels of a non-enum: code %q, want BAD_USER_INPUT", r.code())
	}
}

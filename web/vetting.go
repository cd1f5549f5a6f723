package web

import (
	"net/http"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kolregistry/kolregistry/registry"
)

// The influencer page shows the vetting report of today (Query.vettingReport, the same
// resolver and store as the API, in the page's language): its level, and each factor with its
// level, reason, legal basis and the records that raised it (docs/pages.md, "Vetting").

// maxEvidenceShown bounds the records listed under the factors (Query.nodes takes at most 100).
const maxEvidenceShown = 100

// vettingEvidence replaces each factor's evidence IDs by the records (a Ref each), loaded with
// one Query.nodes; an ID beyond the first maxEvidenceShown is counted in "more".
func (h *Handler) vettingEvidence(r *http.Request, vet map[string]any) error {
	factors, _ := vet["factors"].([]any)
	var ids []any
	seen := map[string]bool{}
	for _, f := range factors {
		fm, _ := f.(map[string]any)
		ev, _ := fm["evidence"].([]any)
		for _, id := range ev {
			if s := str(id); !seen[s] && len(ids) < maxEvidenceShown {
				seen[s] = true
				ids = append(ids, s)
			}
		}
	}
	records := map[string]any{}
	if len(ids) > 0 {
		d, err := h.query(r, `query($ids: [ID!]!) { nodes(ids: $ids) { ...Ref } }`+ref, map[string]any{"ids": ids})
		if err != nil {
			return err
		}
		list, _ := d["nodes"].([]any)
		for _, n := range list {
			if m, ok := n.(map[string]any); ok {
				records[str(m["id"])] = m
			}
		}
	}
	for _, f := range factors {
		fm, _ := f.(map[string]any)
		ev, _ := fm["evidence"].([]any)
		var shown []any
		for _, id := range ev {
			if rec, ok := records[str(id)]; ok {
				shown = append(shown, rec)
			}
		}
		fm["records"], fm["more"] = shown, len(ev)-len(shown)
	}
	return nil
}

// vettingBasisRe reads the legal basis of a vetting factor (registry/vetting.go), e.g.
// "15/2012/QH13 (as amended by 67/2020/QH14) Art. 73(1)", "16/2012/QH13 as amended by
// 75/2025/QH15", "147/2024/NĐ-CP".
var vettingBasisRe = regexp.MustCompile(`^(\S+)(?: \(?as amended by (\S+?)\)?)?(?: Art\. (\d+)(?:\((\d+)\))?)?$`)

// vettingBasis writes a vetting factor's legal basis out in lang, instruments named by kind
// ("Khoản 1 Điều 73 Luật 15/2012/QH13 (sửa đổi bởi Luật 67/2020/QH14)"); a basis of another
// shape is shown as it is.
func vettingBasis(lang registry.Lang, v any) string {
	s := str(v)
	m := vettingBasisRe.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	inst, amended, art, clause := m[1], m[2], m[3], m[4]
	if lang == registry.EN {
		out := instrumentName(registry.EN, inst)
		if amended != "" {
			out += " (as amended by " + instrumentName(registry.EN, amended) + ")"
		}
		if art != "" {
			out += ", Article " + art
		}
		if clause != "" {
			out += ", clause " + clause
		}
		return out
	}
	var parts []string
	if clause != "" {
		parts = append(parts, "khoản "+clause)
	}
	if art != "" {
		parts = append(parts, "Điều "+art)
	}
	parts = append(parts, instrumentName(registry.VI, inst))
	out := strings.Join(parts, " ")
	if amended != "" {
		out += " (sửa đổi bởi " + instrumentName(registry.VI, amended) + ")"
	}
	return capitalize(out)
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// instrumentName is an instrument's kind and number, e.g. "Decree 38/2021/NĐ-CP" ("Instrument"
// when the number does not tell the kind).
func instrumentName(lang registry.Lang, number string) string {
	vi, en := "Văn bản", "Instrument"
	for _, k := range instrumentKinds {
		if k.re.MatchString(number) {
			vi, en = k.vi, k.en
			break
		}
	}
	if lang == registry.EN {
		return en + " " + number
	}
	return vi + " " + number
}

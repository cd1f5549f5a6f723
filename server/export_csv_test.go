package server

import (
	"testing"

	"github.com/kolregistry/kolregistry/db"
)

// csvInjectionFixture holds influencers whose text a spreadsheet would run as a formula, and
// one whose text only contains such characters further on.
const csvInjectionFixture = `
INSERT INTO influencer (display_name, legal_name, aliases) VALUES
  ('=HYPERLINK("https://evil.example","Bấm vào")', '@SUM(1+1)*cmd|'' /C calc''!A0', ARRAY['+84 là mã Việt Nam', '-2+3']),
  (E'\tTab đầu', E'\rCR đầu', ARRAY['=1+1']),
  ('Bình thường = an toàn', 'Nguyễn - Văn', ARRAY['a+b', 'c@d']);
`

// A CSV cell that a spreadsheet would read as a formula (starting with =, +, -, @, tab or CR)
// is written with a leading apostrophe (OWASP CSV injection guidance); the NDJSON keeps the
// text as recorded.
func TestExport_CSVNeutralisesFormulaCells(t *testing.T) {
	s := newFixtureServer(t, "server_export_csv_injection", csvInjectionFixture)
	header, rows := parseCSV(t, s.must(t, "/export/influencers.csv", nil))
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	got := map[string][2]string{} // legalName → displayName, aliases
	for _, r := range rows {
		got[r[col["legalName"]]] = [2]string{r[col["displayName"]], r[col["aliases"]]}
	}
	want := map[string][2]string{
		`'@SUM(1+1)*cmd|' /C calc'!A0`: {`'=HYPERLINK("https://evil.example","Bấm vào")`, `'+84 là mã Việt Nam; -2+3`},
		"'\rCR đầu":                    {"'\tTab đầu", "'=1+1"},
		"Nguyễn - Văn":                 {"Bình thường = an toàn", "a+b; c@d"},
	}
	for legal, w := range want {
		if g, ok := got[legal]; !ok || g != w {
			t.Errorf("legalName %q: got %q (present %v), want %q", legal, g, ok, w)
		}
	}

	objs := parseNDJSON(t, s.must(t, "/export/influencers.ndjson", nil))
	raw := map[string]bool{}
	for _, o := range objs {
		raw[o["displayName"].(string)] = true
		raw[o["legalName"].(string)] = true
	}
	for _, text := range []string{`=HYPERLINK("https://evil.example","Bấm vào")`, `@SUM(1+1)*cmd|' /C calc'!A0`, "\tTab đầu", "\rCR đầu"} {
		if !raw[text] {
			t.Errorf("NDJSON lacks %q as recorded", text)
		}
	}
}

func TestCSVCell_NeutralisesEveryFormulaPrefix(t *testing.T) {
	cases := []struct {
		kind db.ColumnKind
		in   any
		want string
	}{
		{db.KindText, "=1+1", "'=1+1"},
		{db.KindText, "+1", "'+1"},
		{db.KindText, "-1", "'-1"},
		{db.KindText, "@A1", "'@A1"},
		{db.KindText, "\tx", "'\tx"},
		{db.KindText, "\rx", "'\rx"},
		{db.KindText, "'=already quoted", "'=already quoted"},
		{db.KindText, "a=1", "a=1"},
		{db.KindText, "", ""},
		{db.KindTextList, []string{"=x", "y"}, "'=x; y"},
		{db.KindTextList, []string{"y", "=x"}, "y; =x"},
		{db.KindInt, int64(-5), "-5"},
	}
	for _, c := range cases {
		if got := csvCell(c.kind, c.in); got != c.want {
			t.Errorf("csvCell(%v, %q) = %q, want %q", c.kind, c.in, got, c.want)
		}
	}
}

package web

import (
	"testing"

	"github.com/kolregistry/kolregistry/registry"
)

func TestVettingBasis_WrittenOutInBothLanguages(t *testing.T) {
	for _, c := range []struct{ in, vi, en string }{
		{"15/2012/QH13 (as amended by 67/2020/QH14) Art. 73(1)",
			"Khoản 1 Điều 73 Luật 15/2012/QH13 (sửa đổi bởi Luật 67/2020/QH14)",
			"Law 15/2012/QH13 (as amended by Law 67/2020/QH14), Article 73, clause 1"},
		{"15/2018/NĐ-CP Art. 27(2)", "Khoản 2 Điều 27 Nghị định 15/2018/NĐ-CP", "Decree 15/2018/NĐ-CP, Article 27, clause 2"},
		{"16/2012/QH13 Art. 7", "Điều 7 Luật 16/2012/QH13", "Law 16/2012/QH13, Article 7"},
		{"16/2012/QH13 as amended by 75/2025/QH15", "Luật 16/2012/QH13 (sửa đổi bởi Luật 75/2025/QH15)",
			"Law 16/2012/QH13 (as amended by Law 75/2025/QH15)"},
		{"147/2024/NĐ-CP", "Nghị định 147/2024/NĐ-CP", "Decree 147/2024/NĐ-CP"},
		{"LHAV, see docs", "LHAV, see docs", "LHAV, see docs"},
	} {
		if got := vettingBasis(registry.VI, c.in); got != c.vi {
			t.Errorf("%q in VI: %q, want %q", c.in, got, c.vi)
		}
		if got := vettingBasis(registry.EN, c.in); got != c.en {
			t.Errorf("%q in EN: %q, want %q", c.in, got, c.en)
		}
	}
	// A legal basis of a sanction that starts with the article (no point, no clause) keeps its Đ.
	if got := legalText(registry.VI, map[string]any{"instrument": "38/2021/NĐ-CP", "article": "34"}); got != "Điều 34 Nghị định 38/2021/NĐ-CP" {
		t.Errorf("legalText: %q", got)
	}
}

package registry

import "testing"

// TestMayReview: a court reviews anyone's decision; a ministry the agencies below the
// ministries; a provincial People's Committee its own province's agencies; nobody else, and
// nobody its own decision.
func TestMayReview(t *testing.T) {
	court := Body{1, KindCourt, "VN-HN"}
	ministry := Body{2, KindMinistry, National}
	otherMinistry := Body{3, KindMinistry, National}
	hanoiPC := Body{4, KindPeoplesCommittee, "VN-HN"}
	saigonPC := Body{5, KindPeoplesCommittee, "VN-SG"}
	authority := Body{6, "BROADCASTING_AUTHORITY", National}
	hanoiDept := Body{7, "PROVINCIAL_DEPARTMENT", "VN-HN"}
	binhDuongDept := Body{8, "PROVINCIAL_DEPARTMENT", "VN-57"} // merged into VN-SG on 1 July 2025
	for _, c := range []struct {
		name             string
		reviewer, issuer Body
		want             string // "" = may; else the message code
	}{
		{"a court, a national authority's decision", court, authority, ""},
		{"a court, a ministry's decision", court, ministry, ""},
		{"a court, a department of another province", court, binhDuongDept, ""},
		{"a ministry, a national authority", ministry, authority, ""},
		{"a ministry, a provincial department", ministry, hanoiDept, ""},
		{"a ministry, another ministry", ministry, otherMinistry, "REVIEW_NOT_SUPERIOR"},
		{"a ministry, a court", ministry, court, "REVIEW_NOT_SUPERIOR"},
		{"a People's Committee, its own department", hanoiPC, hanoiDept, ""},
		{"a People's Committee, a department now in its province", saigonPC, binhDuongDept, ""},
		{"a People's Committee, another province's department", hanoiPC, binhDuongDept, "REVIEW_NOT_SUPERIOR"},
		{"a People's Committee, a national authority", hanoiPC, authority, "REVIEW_NOT_SUPERIOR"},
		{"a People's Committee, another People's Committee", hanoiPC, saigonPC, "REVIEW_NOT_SUPERIOR"},
		{"a national authority is no reviewer", authority, hanoiDept, "REVIEW_NOT_A_REVIEWER"},
		{"a department is no reviewer", hanoiDept, binhDuongDept, "REVIEW_NOT_A_REVIEWER"},
		{"a court does not review its own", court, court, "REVIEW_OWN_DECISION"},
		{"a ministry does not review its own", ministry, ministry, "REVIEW_OWN_DECISION"},
	} {
		code, why := MayReview(c.reviewer, c.issuer)
		switch {
		case c.want == "" && code != "":
			t.Errorf("%s: refused %s %s", c.name, code, why)
		case c.want != "" && (code != "OUTSIDE_JURISDICTION" || why.Code != c.want):
			t.Errorf("%s: %q %s; want OUTSIDE_JURISDICTION %s", c.name, code, why.Code, c.want)
		}
	}
}

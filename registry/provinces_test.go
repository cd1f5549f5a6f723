package registry

import (
	"strings"
	"testing"
)

func TestProvinces_63Before34From(t *testing.T) {
	if len(ProvincesBefore) != 63 || len(ProvincesFrom) != 34 {
		t.Fatalf("%d provinces before 1 July 2025, %d from; want 63 and 34", len(ProvincesBefore), len(ProvincesFrom))
	}
	for _, code := range ProvincesBefore {
		if s := SuccessorProvince(code); SuccessorProvince(s) != s {
			t.Errorf("%s → %s is not one of the 34", code, s)
		}
	}
}

func TestProvinceProblem(t *testing.T) {
	cases := []struct {
		code string
		on   string // "" = no date
		want string // substring; "" = accepted
	}{
		{"VN-SG", "", ""},
		{"VN-SG", "2020-01-01", ""},
		{"VN-57", "2025-06-30", ""},                      // last day of Bình Dương
		{"VN-57", "2025-07-01", "merged into VN-SG"},     // first day of the 34
		{"VN-57", "", "merged into VN-SG (Hồ Chí Minh)"}, // undated: today's list
		{"VN-XX", "", "ISO 3166-2:VN province code"},
		{"Hà Nội", "", "not a name: Hà Nội is VN-HN"},
		{"ha noi", "", "is VN-HN"},
		{"Thành phố Hồ Chí Minh", "", "is VN-SG"},
		{"Bình Dương", "", "is VN-57"},
	}
	for _, c := range cases {
		var on = dayPtr("2000-01-01")
		if c.on == "" {
			on = nil
		} else {
			on = dayPtr(c.on)
		}
		got := ProvinceProblem(c.code, on).String()
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("ProvinceProblem(%q, %s) = %q; want %q", c.code, c.on, got, c.want)
		}
	}
}

func TestProvinceGroup_FiltersBySuccessor(t *testing.T) {
	got := strings.Join(ProvinceGroup("VN-SG"), ",")
	if got != "VN-43,VN-57,VN-SG" {
		t.Errorf("VN-SG matches %s", got)
	}
	if got := strings.Join(ProvinceGroup("VN-57"), ","); got != "VN-43,VN-57,VN-SG" {
		t.Errorf("VN-57 matches %s", got)
	}
	if got := strings.Join(ProvinceGroup("VN-PG"), ","); got != "VN-PG" {
		t.Errorf("an unknown code matches %s", got)
	}
	if ProvinceFilterProblem("Hà Nội") == "" || ProvinceFilterProblem("VN-HN") != "" || ProvinceFilterProblem("VN-PG") != "" {
		t.Error("province filter values misjudged")
	}
}

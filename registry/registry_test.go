package registry

import (
	"database/sql/driver"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func dayPtr(s string) *time.Time { t := day(s); return &t }

func TestSanctionStatus_ActiveOpenAppealStands(t *testing.T) {
	cases := []struct {
		s                           SanctionStatus
		active, appeal, stands, fin bool
		initial                     bool
	}{
		{InForce, true, false, true, false, true},
		{Complied, false, false, true, false, true},
		{UnderComplaint, true, true, true, false, true},
		{UnderLitigation, true, true, true, false, true},
		{Amended, false, false, true, false, false},
		{Annulled, false, false, false, true, false},
		{WithdrawnDataError, false, false, false, true, false},
	}
	for _, c := range cases {
		if c.s.Active() != c.active || c.s.OpenAppeal() != c.appeal || c.s.Stands() != c.stands || c.s.Final() != c.fin || c.s.Initial() != c.initial {
			t.Errorf("%s: active %v appeal %v stands %v final %v initial %v; want %v %v %v %v %v", c.s,
				c.s.Active(), c.s.OpenAppeal(), c.s.Stands(), c.s.Final(), c.s.Initial(), c.active, c.appeal, c.stands, c.fin, c.initial)
		}
	}
	if len(cases) != len(SanctionStatuses) {
		t.Errorf("the table covers %d statuses of %d", len(cases), len(SanctionStatuses))
	}
	if got := Strings(ActiveStatuses); len(got) != 3 || got[0] != "IN_FORCE" || got[1] != "UNDER_COMPLAINT" || got[2] != "UNDER_LITIGATION" {
		t.Errorf("ActiveStatuses = %v", got)
	}
}

func TestSanctionStatus_ChangeProblem(t *testing.T) {
	cases := []struct {
		from, to SanctionStatus
		want     string
	}{
		{InForce, Complied, ""},
		{Complied, UnderComplaint, ""},
		{UnderComplaint, InForce, ""},
		{UnderLitigation, UnderComplaint, "cannot go from UNDER_LITIGATION to UNDER_COMPLAINT"},
		{Complied, InForce, "cannot go from COMPLIED to IN_FORCE"},
		{InForce, InForce, "the sanction is already IN_FORCE"},
		{Annulled, InForce, "ANNULLED is final; the status cannot change"},
		{WithdrawnDataError, Complied, "WITHDRAWN_DATA_ERROR is final; the status cannot change"},
	}
	for _, c := range cases {
		if got := c.from.ChangeProblem(c.to).String(); got != c.want {
			t.Errorf("%s → %s: %q; want %q", c.from, c.to, got, c.want)
		}
	}
}

func TestSanctionStatus_ScanValue(t *testing.T) {
	var s SanctionStatus
	if err := s.Scan([]byte("UNDER_COMPLAINT")); err != nil || s != UnderComplaint {
		t.Fatalf("scan bytes: %v %q", err, s)
	}
	if err := s.Scan("PAID"); err == nil {
		t.Fatal("scan of an unknown status succeeded")
	}
	if err := s.Scan(42); err == nil {
		t.Fatal("scan of an int succeeded")
	}
	var v driver.Valuer = InForce
	if got, err := v.Value(); err != nil || got != "IN_FORCE" {
		t.Fatalf("value: %v %v", got, err)
	}
}

func TestCurrentAffiliation_ExclusiveFirstThenLatestStart(t *testing.T) {
	affs := []Affiliation{
		{ID: 1, Kind: NonExclusive, StartedOn: day("2024-01-01")},
		{ID: 2, Kind: ExclusiveManagement, StartedOn: day("2023-01-01"), EndedOn: dayPtr("2025-01-01")},
		{ID: 3, Kind: NonExclusive, StartedOn: day("2024-06-01")},
		{ID: 4, Kind: ExclusiveManagement, StartedOn: day("2025-03-01")},
		{ID: 5, Kind: NonExclusive, StartedOn: day("2024-06-01")},
	}
	cases := []struct {
		on   string
		want int64 // 0: none
	}{
		{"2022-12-31", 0},
		{"2023-01-01", 2}, // exclusive from its first day
		{"2024-07-01", 2}, // exclusive beats later non-exclusive ones
		{"2024-12-31", 2}, // last day covered
		{"2025-01-01", 5}, // ended_on is exclusive; latest start, then latest recorded
		{"2025-03-01", 4}, // a new exclusive period
	}
	for _, c := range cases {
		i := CurrentAffiliation(affs, day(c.on))
		var got int64
		if i >= 0 {
			got = affs[i].ID
		}
		if got != c.want {
			t.Errorf("on %s: affiliation %d; want %d", c.on, got, c.want)
		}
	}
	// The time of day does not matter: a date is a calendar day.
	if i := CurrentAffiliation(affs[:1], time.Date(2024, 1, 1, 23, 59, 0, 0, time.FixedZone("ICT", 7*3600))); i != 0 {
		t.Errorf("late on the first day: %d", i)
	}
}

func TestOwns_OwnerOrUnowned(t *testing.T) {
	one, two := int64(1), int64(2)
	cases := []struct {
		actor int64
		owner *int64
		want  bool
	}{{1, &one, true}, {1, &two, false}, {2, nil, true}}
	for _, c := range cases {
		if got := Owns(c.actor, c.owner); got != c.want {
			t.Errorf("Owns(%d, %v) = %v", c.actor, c.owner, got)
		}
	}
}

func TestInJurisdiction_NationalAnywhereProvincialAtHome(t *testing.T) {
	p := func(s string) *string { return &s }
	cases := []struct {
		agency  string
		subject *string
		want    bool
	}{
		{"VN", nil, true},
		{"VN", p("VN-HN"), true},
		{"VN-HN", p("VN-HN"), true},
		{"VN-HN", p("VN-SG"), false},
		{"VN-HN", nil, false},
		{"VN-SG", p("VN-57"), true}, // Bình Dương merged into Hồ Chí Minh City
		{"VN-57", p("VN-SG"), true},
		{"VN-SG", p("VN-39"), false},
	}
	for _, c := range cases {
		if got := InJurisdiction(c.agency, c.subject); got != c.want {
			t.Errorf("InJurisdiction(%s, %v) = %v; want %v", c.agency, c.subject, got, c.want)
		}
	}
}

func TestDefaultOrders(t *testing.T) {
	if DefaultSanctionOrder != (Order{"DECIDED_ON", true}) || DefaultDisclosureOrder != (Order{"PUBLISHED_AT", true}) ||
		DefaultInfluencerOrder != (Order{"DISPLAY_NAME", false}) {
		t.Fatalf("default orders changed: %v %v %v", DefaultSanctionOrder, DefaultDisclosureOrder, DefaultInfluencerOrder)
	}
}

func TestDisclosureLabel_Clear(t *testing.T) {
	for _, l := range []DisclosureLabel{LabelQuangCao, LabelTaiTro, LabelHopTacThuongMai, LabelPlatformPaid, LabelHashtagAd, LabelAffiliateNotice} {
		if !l.Clear() {
			t.Errorf("%s is not clear", l)
		}
	}
	for _, l := range []DisclosureLabel{LabelAmbiguous, LabelNone} {
		if l.Clear() {
			t.Errorf("%s is clear", l)
		}
	}
}

func TestRiskLevel_Rank(t *testing.T) {
	if !(RiskLow.Rank() < RiskMedium.Rank() && RiskMedium.Rank() < RiskHigh.Rank()) {
		t.Fatal("risk levels out of order")
	}
}

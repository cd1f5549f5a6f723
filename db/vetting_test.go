package db_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/registry"
)

func codes(v db.Vetting) []string {
	var out []string
	for _, f := range v.Factors {
		out = append(out, f.Code)
	}
	return out
}

func reasons(v db.Vetting) string {
	var out []string
	for _, f := range v.Factors {
		out = append(out, f.Reason)
	}
	return strings.Join(out, "; ")
}

// TestVet_AsOfFollowsASanctionsLife records a sanction, a complaint and an annulment through the
// store and reads the vetting report on a date in each stage of its life.
func TestVet_AsOfFollowsASanctionsLife(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	ctx := context.Background()
	w := newWorld(t, store)
	res, err := store.RegisterInfluencer(ctx, w.national, nil, db.NewInfluencer{DisplayName: "Vetting Life"})
	kol := register(t, res, err)

	in := validSanction(kol, "301/QĐ-XPHC")
	in.DecidedOn, in.EffectiveOn, in.FineVnd = date("2025-03-10"), ptr(date("2025-03-15")), 70_000_000
	res, err = store.RecordSanction(ctx, w.national, nil, in)
	sanction := register(t, res, err)
	for i, c := range []struct{ status, on string }{{"UNDER_COMPLAINT", "2025-04-01"}, {"ANNULLED", "2025-06-01"}} {
		if _, err := store.ChangeSanctionStatus(ctx, w.national, nil, db.SanctionStatusChange{
			SanctionID: sanction, Status: c.status, EffectiveOn: date(c.on), Reason: "decision " + c.status, ExpectedVersion: i + 1,
		}); err != nil {
			t.Fatalf("change to %s: %v", c.status, err)
		}
	}

	cases := []struct {
		name, asOf       string
		sanctions, count int
		status           string
		since            string // "" when not yet in effect
		active, appeals  int
		fines            int64
		level            string
		codes            []string
		reason           string
	}{
		{name: "before the decision", asOf: "2025-03-09", level: db.RiskLow, codes: []string{"CLEAN_RECORD"}},
		{name: "decided, not yet in effect", asOf: "2025-03-12", sanctions: 1, count: 1, status: "IN_FORCE", active: 1,
			fines: 70_000_000, level: db.RiskHigh, codes: []string{"SANCTION_IN_FORCE"}, reason: "1 sanction in force"},
		{name: "in force", asOf: "2025-03-20", sanctions: 1, count: 1, status: "IN_FORCE", since: "2025-03-15", active: 1,
			fines: 70_000_000, level: db.RiskHigh, codes: []string{"SANCTION_IN_FORCE"}, reason: "1 sanction in force"},
		{name: "under complaint", asOf: "2025-04-01", sanctions: 1, count: 1, status: "UNDER_COMPLAINT", since: "2025-04-01",
			// A complaint does not suspend execution (LHAV Art. 73(1)): the level stays HIGH.
			active: 1, appeals: 1, fines: 70_000_000, level: db.RiskHigh, codes: []string{"SANCTION_IN_FORCE", "OPEN_APPEAL"},
			reason: "1 sanction in force (1 contested: a complaint or lawsuit does not suspend execution)"},
		{name: "the day before the annulment", asOf: "2025-05-31", sanctions: 1, count: 1, status: "UNDER_COMPLAINT",
			since: "2025-04-01", active: 1, appeals: 1, fines: 70_000_000, level: db.RiskHigh, codes: []string{"SANCTION_IN_FORCE", "OPEN_APPEAL"}},
		{name: "annulled", asOf: "2025-06-01", sanctions: 1, status: "ANNULLED", since: "2025-06-01",
			level: db.RiskLow, codes: []string{"ANNULLED_SANCTION"}, reason: "1 sanction annulled or withdrawn (not counted)"},
		{name: "today", asOf: time.Now().In(db.VietnamTime).Format("2006-01-02"), sanctions: 1, status: "ANNULLED", since: "2025-06-01",
			level: db.RiskLow, codes: []string{"ANNULLED_SANCTION"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, err := store.Vet(ctx, kol, date(c.asOf))
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Sanctions) != c.sanctions || v.SanctionCount() != c.count || v.TotalFinesVnd() != c.fines {
				t.Fatalf("sanctions %d, counted %d, fines %d; want %d, %d, %d", len(v.Sanctions), v.SanctionCount(), v.TotalFinesVnd(),
					c.sanctions, c.count, c.fines)
			}
			if c.sanctions > 0 {
				s := v.Sanctions[0]
				since := ""
				if s.Since != nil {
					since = s.Since.Format("2006-01-02")
				}
				if s.ID != sanction || string(s.StatusAsOf) != c.status || since != c.since {
					t.Fatalf("sanction %d is %s since %q; want %d %s since %q", s.ID, s.StatusAsOf, since, sanction, c.status, c.since)
				}
			}
			var active, appeals int
			for _, s := range v.Sanctions {
				if s.Active() {
					active++
				}
				if s.OpenAppeal() {
					appeals++
				}
			}
			if active != c.active || appeals != c.appeals {
				t.Errorf("active %d, open appeals %d; want %d, %d", active, appeals, c.active, c.appeals)
			}
			if v.RiskLevel() != c.level || !slices.Equal(codes(v), c.codes) {
				t.Errorf("risk %s %v (%s); want %s %v", v.RiskLevel(), codes(v), reasons(v), c.level, c.codes)
			}
			if c.reason != "" && v.Factors[0].Reason != c.reason {
				t.Errorf("reason %q, want %q", v.Factors[0].Reason, c.reason)
			}
		})
	}
}

// TestVet_AsOfDatesDisclosuresAffiliationsAndCredentials checks the other dated records: a
// disclosure counts from its publication until its retraction, an MCN between its start and end,
// a credential until it expires.
func TestVet_AsOfDatesDisclosuresAffiliationsAndCredentials(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	ctx := context.Background()
	w := newWorld(t, store)
	sql := store.SQL()
	exec := func(q string, args ...any) int64 {
		t.Helper()
		var id int64
		if err := sql.QueryRowContext(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	kol := exec(`INSERT INTO influencer (display_name) VALUES ('Vetting Records')`)
	disclose := func(published, category, label string) int64 {
		return exec(`INSERT INTO disclosure (influencer_id, product_name, product_category, platform, published_at, label,
			label_timing, compensation, filed_by) VALUES ($1, 'Sản phẩm', $2, 'TIKTOK', $3, $4, 'BEFORE_AND_DURING', 'CASH_FEE', $5)`,
			kol, category, published, label, w.national.ID)
	}
	// 23:30 on 1 Feb in Vietnam is still 1 Feb there (16:30 UTC).
	disclose("2025-02-01T23:30:00+07:00", "FOOD_SUPPLEMENT", "NONE")
	disclose("2025-02-10T09:00:00+07:00", "COSMETICS", "QUANG_CAO")
	disclose("2025-02-11T09:00:00+07:00", "COSMETICS", "QUANG_CAO")
	disclose("2025-02-12T09:00:00+07:00", "COSMETICS", "HASHTAG_AD")
	disclose("2025-05-01T09:00:00+07:00", "COSMETICS", "AMBIGUOUS")
	retracted := disclose("2025-05-02T09:00:00+07:00", "TOBACCO", "NONE")
	if _, err := store.RetractDisclosure(ctx, w.national, nil, db.DisclosureRetraction{
		DisclosureID: retracted, ExpectedVersion: 1, Reason: "filed against the wrong influencer"}); err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO influencer_credential (influencer_id, field, title, issuer, valid_until)
		VALUES ($1, 'HEALTH', 'Dược sĩ', 'Sở Y tế TP.HCM', '2025-03-01')`, kol)
	mcnA := exec(`INSERT INTO mcn (name) VALUES ('Vetting MCN A')`)
	mcnB := exec(`INSERT INTO mcn (name) VALUES ('Vetting MCN B')`)
	exec(`INSERT INTO affiliation (influencer_id, mcn_id, kind, started_on, ended_on) VALUES ($1, $2, 'EXCLUSIVE_MANAGEMENT', '2025-01-01', '2025-05-01')`, kol, mcnA)
	exec(`INSERT INTO affiliation (influencer_id, mcn_id, kind, started_on) VALUES ($1, $2, 'NON_EXCLUSIVE', '2024-06-01')`, kol, mcnB)
	in := validSanction(mcnA, "302/QĐ-XPHC")
	// An organisation's fine under Decree 38/2021 Art. 34(5) is twice an individual's.
	in.SubjectKind, in.DecidedOn, in.FineVnd = "MCN", date("2025-02-20"), 140_000_000
	if _, err := store.RecordSanction(ctx, w.national, nil, in); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		asOf           string
		count, unclear int
		categories     []string
		mcn            int64
		credentials    int
		level          string
		codes          []string
	}{
		{"2025-01-31", 0, 0, nil, mcnA, 1, db.RiskLow, []string{"CLEAN_RECORD"}},
		// While the pharmacist's credential is valid, promoting a food supplement is the ad
		// Decree 15/2018/NĐ-CP Art. 27(2) forbids: HIGH, not excused.
		{"2025-02-01", 1, 1, []string{"FOOD_SUPPLEMENT"}, mcnA, 1, db.RiskHigh, []string{"HEALTH_PROFESSIONAL_FOOD_AD", "UNCLEAR_LABELS"}},
		{"2025-02-20", 4, 1, []string{"COSMETICS", "FOOD_SUPPLEMENT"}, mcnA, 1, db.RiskHigh,
			[]string{"HEALTH_PROFESSIONAL_FOOD_AD", "UNCLEAR_LABELS", "MCN_SANCTIONED"}},
		{"2025-03-02", 4, 1, []string{"COSMETICS", "FOOD_SUPPLEMENT"}, mcnA, 0, db.RiskMedium,
			[]string{"UNCLEAR_LABELS", "MISSING_CREDENTIAL", "MCN_SANCTIONED"}},
		{"2025-05-01", 5, 2, []string{"COSMETICS", "FOOD_SUPPLEMENT"}, mcnB, 0, db.RiskMedium, []string{"UNCLEAR_LABELS", "MISSING_CREDENTIAL"}},
		// The tobacco disclosure was retracted today: on 2 May it stood, today it does not.
		{"2025-05-02", 6, 3, []string{"COSMETICS", "FOOD_SUPPLEMENT", "TOBACCO"}, mcnB, 0, db.RiskHigh,
			[]string{"BANNED_CATEGORY", "UNCLEAR_LABELS", "MISSING_CREDENTIAL"}},
		{time.Now().In(db.VietnamTime).Format("2006-01-02"), 5, 2, []string{"COSMETICS", "FOOD_SUPPLEMENT"}, mcnB, 0, db.RiskMedium,
			[]string{"UNCLEAR_LABELS", "MISSING_CREDENTIAL"}},
	}
	for _, c := range cases {
		t.Run(c.asOf, func(t *testing.T) {
			v, err := store.Vet(ctx, kol, date(c.asOf))
			if err != nil {
				t.Fatal(err)
			}
			if v.DisclosureCount != c.count || v.DisclosuresWithoutClearLabel != c.unclear || !slices.Equal(v.PromotedCategories, c.categories) {
				t.Errorf("disclosures %d, unclear %d, categories %v; want %d, %d, %v", v.DisclosureCount,
					v.DisclosuresWithoutClearLabel, v.PromotedCategories, c.count, c.unclear, c.categories)
			}
			if v.CurrentMcn == nil || v.CurrentMcn.ID != c.mcn {
				t.Errorf("current MCN %+v, want %d", v.CurrentMcn, c.mcn)
			}
			if len(v.Credentials) != c.credentials {
				t.Errorf("%d credentials valid, want %d", len(v.Credentials), c.credentials)
			}
			if v.RiskLevel() != c.level || !slices.Equal(codes(v), c.codes) {
				t.Errorf("risk %s %v (%s); want %s %v", v.RiskLevel(), codes(v), reasons(v), c.level, c.codes)
			}
		})
	}

	v, err := store.Vet(ctx, kol, date("2025-05-02"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"promotes TOBACCO, which may not be advertised", "50% of disclosures without a clear label (3 of 6)",
		"promotes FOOD_SUPPLEMENT with no health credential"}
	if got := reasons(v); got != strings.Join(want, "; ") {
		t.Errorf("reasons %q, want %q", got, strings.Join(want, "; "))
	}
	if _, err := store.Vet(ctx, 1<<40, date("2025-05-02")); err != db.ErrNotFound {
		t.Errorf("vetting a missing influencer: %v, want ErrNotFound", err)
	}
}

func TestAssess_LabelShareThresholds(t *testing.T) {
	t.Parallel()
	asOf := date("2025-06-01")
	cases := []struct {
		count, unclear int
		level          string
		reason         string
	}{
		{10, 1, db.RiskLow, ""},
		{16, 5, db.RiskMedium, "31% of disclosures without a clear label (5 of 16)"},
		{3, 2, db.RiskMedium, "67% of disclosures without a clear label (2 of 3)"}, // too few for HIGH
		{4, 2, db.RiskHigh, "50% of disclosures without a clear label (2 of 4)"},
	}
	for _, c := range cases {
		f := db.Assess(db.Vetting{AsOf: asOf, DisclosureCount: c.count, DisclosuresWithoutClearLabel: c.unclear})
		v := db.Vetting{Factors: f}
		if v.RiskLevel() != c.level || (c.reason != "" && f[0].Reason != c.reason) {
			t.Errorf("%d of %d unclear: %s %+v; want %s %q", c.unclear, c.count, v.RiskLevel(), f, c.level, c.reason)
		}
	}
	// Several sanctions: counts in the sentences, HIGH before MEDIUM before LOW.
	s := func(status, decided string) db.VettedSanction {
		f := registry.FactsOfStatus(registry.SanctionStatus(status))
		return db.VettedSanction{Sanction: db.Sanction{DecidedOn: date(decided)}, FactsAsOf: f, StatusAsOf: f.Status()}
	}
	f := db.Assess(db.Vetting{AsOf: asOf, Sanctions: []db.VettedSanction{
		s("COMPLIED", "2020-01-01"), s("UNDER_LITIGATION", "2025-01-01"), s("IN_FORCE", "2025-02-01"),
		s("IN_FORCE", "2025-03-01"), s("UNDER_COMPLAINT", "2025-04-01"), s("COMPLIED", "2024-01-01")}})
	got := reasons(db.Vetting{Factors: f})
	// Contested decisions stay enforceable (LHAV Art. 73(1)); a complied-with one is deemed never
	// sanctioned a year after execution without a repeat (Art. 7): the 2020 one is; the 2024 one
	// is not, as another decision came within the year (2025-01-01).
	want := "4 sanctions in force (2 contested: a complaint or lawsuit does not suspend execution); 1 complaint open and 1 lawsuit pending; " +
		"1 earlier sanction executed, not yet deemed never sanctioned (1 year after execution, 6 months after a warning, without a repeat violation); " +
		"1 earlier sanction executed long enough ago to be deemed never sanctioned"
	if got != want {
		t.Errorf("reasons\n%q, want\n%q", got, want)
	}
}

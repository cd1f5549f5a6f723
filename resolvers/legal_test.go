package resolvers_test

import (
	"strings"
	"testing"
)

// (The MCNs are named to sort last: other tests read the first MCN by name.)
// A province filter finds records under the unit that succeeded theirs on 1 July 2025, and a
// province written as a name is an error that gives its code, not an empty result.
func TestProvinceFilter_SuccessorsAndNames(t *testing.T) {
	store := openStore(t)
	a := newAPI(t, store)
	if _, err := store.SQL().Exec(`INSERT INTO mcn (name, province) VALUES ('zzz Bình Dương Province Test MCN', 'VN-57'), ('zzz Đồng Nai Province Test MCN', 'VN-39')`); err != nil {
		t.Fatal(err)
	}
	data := a.ok(`{ mcns(filter: {province: ["VN-SG"]}, first: 100) { nodes { name } } }`, nil)
	var names []string
	for _, n := range get(data, "mcns.nodes").([]any) {
		names = append(names, n.(map[string]any)["name"].(string))
	}
	got := strings.Join(names, ";")
	if !strings.Contains(got, "zzz Bình Dương Province Test MCN") || strings.Contains(got, "zzz Đồng Nai Province Test MCN") {
		t.Errorf("VN-SG finds %s", got)
	}
	r := a.do(`{ influencers(filter: {province: ["Hà Nội"]}) { totalCount } }`, nil)
	if r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "Hà Nội is VN-HN") {
		t.Errorf("a province name: %+v", r.Errors)
	}
}

// The legal catalogue is served with its fine ranges.
func TestLegalInstruments_ServesTheCatalogue(t *testing.T) {
	store := openStore(t)
	a := newAPI(t, store)
	data := a.ok(`{ legalInstruments { number amendingOnly sanctioning amends provisions { article clause individual { minVnd maxVnd } organisation { minVnd maxVnd } } } }`, nil)
	found := false
	for _, in := range get(data, "legalInstruments").([]any) {
		m := in.(map[string]any)
		if m["number"] != "38/2021/NĐ-CP" {
			continue
		}
		for _, p := range m["provisions"].([]any) {
			pm := p.(map[string]any)
			if pm["article"] == float64(34) && pm["clause"] == float64(5) {
				found = get(pm, "individual.minVnd") == float64(60000000) && get(pm, "organisation.maxVnd") == float64(160000000)
			}
		}
	}
	if !found {
		t.Errorf("38/2021/NĐ-CP Art. 34(5) with its ranges is missing: %v", data)
	}
	caps := a.ok(`{ legalInstruments { number fineCap { individualVnd organisationVnd article } } }`, nil)
	for _, in := range get(caps, "legalInstruments").([]any) {
		switch get(in, "number") {
		case "38/2021/NĐ-CP":
			if get(in, "fineCap.individualVnd") != float64(100000000) || get(in, "fineCap.organisationVnd") != float64(200000000) ||
				get(in, "fineCap.article") != float64(5) {
				t.Errorf("38/2021/NĐ-CP cap: %v", in)
			}
		case "125/2020/NĐ-CP": // a share of the tax: no fixed cap
			if get(in, "fineCap") != nil {
				t.Errorf("125/2020/NĐ-CP has a cap: %v", in)
			}
		}
	}
}

// A vetting factor carries its legal basis, both texts and the IDs of the records behind it.
func TestVettingReport_FactorsCiteTheLawAndTheRecords(t *testing.T) {
	store := openStore(t)
	a := newAPI(t, store)
	var kol, agency, disclosure int64
	if err := store.SQL().QueryRow(`INSERT INTO influencer (display_name) VALUES ('zzz Bác sĩ Vetting') RETURNING id`).Scan(&kol); err != nil {
		t.Fatal(err)
	}
	if err := store.SQL().QueryRow(`SELECT id FROM agency ORDER BY id LIMIT 1`).Scan(&agency); err != nil {
		t.Fatal(err)
	}
	if _, err := store.SQL().Exec(`INSERT INTO influencer_credential (influencer_id, field, title, issuer) VALUES ($1, 'HEALTH', 'Bác sĩ', 'Bộ Y tế')`, kol); err != nil {
		t.Fatal(err)
	}
	if err := store.SQL().QueryRow(`INSERT INTO disclosure (influencer_id, product_name, product_category, platform, published_at, label,
			label_timing, compensation, filed_by) VALUES ($1, 'Viên uống', 'FOOD_SUPPLEMENT', 'TIKTOK', '2025-05-01', 'QUANG_CAO',
			'BEFORE_AND_DURING', 'CASH_FEE', $2) RETURNING id`, kol, agency).Scan(&disclosure); err != nil {
		t.Fatal(err)
	}
	r := a.ok(`query($id: ID!) { vettingReport(influencerId: $id, asOf: "2025-06-01") { riskLevel factors { code level reasonVi reasonEn legalBasis evidence } } }`,
		map[string]any{"id": gid("Influencer", kol)})
	f := get(r, "vettingReport.factors.0")
	if get(f, "code") != "HEALTH_PROFESSIONAL_FOOD_AD" || get(f, "level") != "HIGH" || get(f, "legalBasis") != "15/2018/NĐ-CP Art. 27(2)" ||
		get(f, "evidence.0") != gid("Disclosure", disclosure) || !strings.Contains(get(f, "reasonVi").(string), "bác sĩ") ||
		!strings.Contains(get(f, "reasonEn").(string), "health professional") {
		t.Errorf("factor %v", f)
	}
	// lang chooses the language of reasons and reason; English by default.
	for lang, want := range map[string]string{"": get(f, "reasonEn").(string), "EN": get(f, "reasonEn").(string), "VI": get(f, "reasonVi").(string)} {
		arg := ""
		if lang != "" {
			arg = ", lang: " + lang
		}
		r := a.ok(`query($id: ID!) { vettingReport(influencerId: $id, asOf: "2025-06-01"`+arg+`) { reasons factors { reason } } }`,
			map[string]any{"id": gid("Influencer", kol)})
		if get(r, "vettingReport.reasons.0") != want || get(r, "vettingReport.factors.0.reason") != want {
			t.Errorf("lang %q: reasons %v, want %q first", lang, get(r, "vettingReport"), want)
		}
	}
}

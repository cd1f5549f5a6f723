package resolvers_test

import (
	"strings"
	"testing"
)

// A province filter finds records under the unit that succeeded theirs on 1 July 2025, and a
// province written as a name is an error that gives its code, not an empty result.
func TestProvinceFilter_SuccessorsAndNames(t *testing.T) {
	store := openStore(t)
	a := newAPI(t, store)
	if _, err := store.SQL().Exec(`INSERT INTO mcn (name, province) VALUES ('Bình Dương Province Test MCN', 'VN-57'), ('Đồng Nai Province Test MCN', 'VN-39')`); err != nil {
		t.Fatal(err)
	}
	data := a.ok(`{ mcns(filter: {province: ["VN-SG"]}, first: 100) { nodes { name } } }`, nil)
	var names []string
	for _, n := range get(data, "mcns.nodes").([]any) {
		names = append(names, n.(map[string]any)["name"].(string))
	}
	got := strings.Join(names, ";")
	if !strings.Contains(got, "Bình Dương Province Test MCN") || strings.Contains(got, "Đồng Nai Province Test MCN") {
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
}

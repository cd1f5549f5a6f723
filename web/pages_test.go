package web_test

import (
	"encoding/csv"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/permalink"
	"github.com/kolregistry/kolregistry/registry"
)

// TestPages_EveryNodeURLServesItsRecord: for one record of every Node type, the url (or, for an
// account, permalink) the API gives is an absolute address whose page answers 200 and shows the
// record; IDs that name no record of the page's type are 404 pages.
func TestPages_EveryNodeURLServesItsRecord(t *testing.T) {
	s := newSite(t)
	d := s.gql(`{
		influencers(first: 1, filter: { hasActiveSanction: true }) { nodes { url displayName
		  accounts { permalink handle } affiliations { url mcn { name } } } }
		mcns(first: 1) { nodes { url name } }
		brands(first: 1) { nodes { url name } }
		agencies(first: 1) { nodes { url name } }
		disclosures(first: 1) { nodes { url productName } }
		sanctions(first: 1) { nodes { url decisionNumber } } }`)
	inf := at(d, "influencers", "nodes", 0)
	cases := []struct{ typ, url, shows string }{
		{"Influencer", str(at(inf, "url")), str(at(inf, "displayName"))},
		{"PlatformAccount", str(at(inf, "accounts", 0, "permalink")), "@" + str(at(inf, "accounts", 0, "handle"))},
		{"Affiliation", str(at(inf, "affiliations", 0, "url")), str(at(inf, "affiliations", 0, "mcn", "name"))},
		{"Mcn", str(at(d, "mcns", "nodes", 0, "url")), str(at(d, "mcns", "nodes", 0, "name"))},
		{"Brand", str(at(d, "brands", "nodes", 0, "url")), str(at(d, "brands", "nodes", 0, "name"))},
		{"Agency", str(at(d, "agencies", "nodes", 0, "url")), str(at(d, "agencies", "nodes", 0, "name"))},
		{"Disclosure", str(at(d, "disclosures", "nodes", 0, "url")), str(at(d, "disclosures", "nodes", 0, "productName"))},
		{"Sanction", str(at(d, "sanctions", "nodes", 0, "url")), str(at(d, "sanctions", "nodes", 0, "decisionNumber"))},
	}
	// Every type that implements Node has its case here: a new one fails until it has a page.
	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.typ] = true
	}
	for _, pt := range at(s.gql(`{ __type(name: "Node") { possibleTypes { name } } }`), "__type", "possibleTypes").([]any) {
		if name := str(at(pt, "name")); !covered[name] {
			t.Errorf("Node type %s has no case in this test (and maybe no page)", name)
		}
	}
	for _, c := range cases {
		if !strings.HasPrefix(c.url, s.srv.URL+"/") || c.shows == "" {
			t.Fatalf("%s: url %q is not an absolute address under %s (or the record has no name)", c.typ, c.url, s.srv.URL)
		}
		res, body := s.get(c.url)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s %s: %d %s", c.typ, c.url, res.StatusCode, res.Header.Get("Content-Type"))
		}
		if !strings.Contains(html.UnescapeString(body), c.shows) {
			t.Errorf("%s page %s does not show %q", c.typ, c.url, c.shows)
		}
		// The same path with an ID of a missing record, a malformed ID and an ID of another type.
		collection := c.url[:strings.LastIndex(c.url, "/")]
		for _, bad := range []string{"U2FuY3Rpb246OTk5OTk5OQ", "not-an-id", otherTypeID(c.typ)} {
			res, body := s.get(collection + "/" + bad)
			if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "<html") {
				t.Errorf("%s/%s: %d, want a 404 page", collection, bad, res.StatusCode)
			}
		}
	}
	if res, _ := s.get("/no/such/page"); res.StatusCode != http.StatusNotFound {
		t.Errorf("/no/such/page: %d, want 404", res.StatusCode)
	}
}

// otherTypeID is a well-formed ID of an existing record of another type.
func otherTypeID(typ string) string {
	if typ == "Agency" {
		return "SW5mbHVlbmNlcjox" // Influencer:1
	}
	return "QWdlbmN5OjE" // Agency:1
}

// TestPages_VietnameseByDefaultEnglishOnRequest: lang attribute, labels and the switch follow
// ?lang= first, then Accept-Language.
func TestPages_VietnameseByDefaultEnglishOnRequest(t *testing.T) {
	s := newSite(t)
	for _, c := range []struct {
		path, acceptLang, want, label string
	}{
		{"/sanctions?active=all", "", "vi", "Đang có hiệu lực"},
		{"/sanctions?active=all&lang=en", "", "en", "In force"},
		{"/sanctions?active=all", "en-US,en;q=0.9", "en", "In force"},
		{"/sanctions?active=all&lang=vi", "en-US", "vi", "Đang có hiệu lực"},
	} {
		res, body := s.get(c.path, "Accept-Language", c.acceptLang)
		if res.StatusCode != 200 || !strings.Contains(body, `<html lang="`+c.want+`">`) {
			t.Errorf("%s (Accept-Language %q): status %d, want <html lang=%q>", c.path, c.acceptLang, res.StatusCode, c.want)
		}
		if !strings.Contains(body, c.label) {
			t.Errorf("%s (Accept-Language %q): no %q label", c.path, c.acceptLang, c.label)
		}
		other := map[string]string{"vi": "lang=en", "en": "lang=vi"}[c.want]
		if !regexp.MustCompile(`class="lang" href="[^"]*` + other).MatchString(body) {
			t.Errorf("%s: no visible switch to %s", c.path, other)
		}
	}
}

// TestPages_CachedWithETag: a page carries an ETag and revalidation answers 304; the ETag is
// stable while nothing is written.
func TestPages_CachedWithETag(t *testing.T) {
	s := newSite(t)
	res, body := s.get("/")
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || etag == "" || !strings.Contains(res.Header.Get("Cache-Control"), "must-revalidate") {
		t.Fatalf("home: %d, ETag %q, Cache-Control %q", res.StatusCode, etag, res.Header.Get("Cache-Control"))
	}
	res2, body2 := s.get("/")
	if res2.Header.Get("ETag") != etag || body2 != body {
		t.Fatalf("second read changed: ETag %q vs %q", res2.Header.Get("ETag"), etag)
	}
	if res3, _ := s.get("/", "If-None-Match", etag); res3.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match: %d, want 304", res3.StatusCode)
	}
}

// TestSanctionList_FiltersAndCSVOfTheSameSelection: the list of sanctions in force narrows by
// the journalist filters, and its CSV link exports exactly the rows the list counts.
func TestSanctionList_FiltersAndCSVOfTheSameSelection(t *testing.T) {
	s := newSite(t)
	d := s.gql(`{ sanctions(first: 1, filter: { active: true }) { nodes { violations { category } } } }`)
	cat := str(at(d, "sanctions", "nodes", 0, "violations", 0, "category"))
	want := s.gql(`{ sanctions(filter: { active: true, violation: [` + cat + `] }) { totalCount } }`)
	n := int(at(want, "sanctions", "totalCount").(float64))

	res, body := s.get("/sanctions?violation=" + cat)
	if res.StatusCode != 200 {
		t.Fatalf("/sanctions?violation=%s: %d", cat, res.StatusCode)
	}
	if rows := strings.Count(body, `<td><a href="/sanctions/`); rows != min(n, 50) {
		t.Errorf("list shows %d rows, the API counts %d", rows, n)
	}
	m := regexp.MustCompile(`class="csv" href="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSV link")
	}
	csvURL := html.UnescapeString(m[1])
	if !strings.Contains(csvURL, "violation="+cat) || !strings.Contains(csvURL, "active=true") {
		t.Fatalf("CSV link %q does not carry the list's filter", csvURL)
	}
	res, body = s.get(csvURL)
	if res.StatusCode != 200 {
		t.Fatalf("CSV %s: %d %s", csvURL, res.StatusCode, body)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs)-1 != n {
		t.Fatalf("CSV has %d rows, the list counts %d", len(recs)-1, n)
	}
	urlCol := -1
	for i, h := range recs[0] {
		if h == "url" {
			urlCol = i
		}
	}
	if urlCol < 0 || !strings.HasPrefix(recs[1][urlCol], s.srv.URL+"/sanctions/") {
		t.Fatalf("CSV url column: index %d, first value %q", urlCol, recs[1][max(urlCol, 0)])
	}
	if r, _ := s.get("/sanctions?minFineVnd=abc"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("a malformed filter: %d, want 400", r.StatusCode)
	}
}

// TestExport_LangWritesLabels: lang=en writes enum columns as their English labels.
func TestExport_LangWritesLabels(t *testing.T) {
	s := newSite(t)
	_, raw := s.get("/export/sanctions.csv?status=IN_FORCE")
	_, en := s.get("/export/sanctions.csv?status=IN_FORCE&lang=en")
	if !strings.Contains(raw, ",IN_FORCE,") || !strings.Contains(en, ",In force,") || strings.Contains(en, ",IN_FORCE,") {
		t.Fatalf("lang=en does not label the status column:\nraw: %.300s\nen: %.300s", raw, en)
	}
	if r, _ := s.get("/export/sanctions.csv?lang=fr"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("lang=fr: %d, want 400", r.StatusCode)
	}
}

// TestSearchPage_FindsANameTypedWithoutDiacritics uses the API's search.
func TestSearchPage_FindsANameTypedWithoutDiacritics(t *testing.T) {
	s := newSite(t)
	res, body := s.get("/search?q=nguyen")
	if res.StatusCode != 200 || !strings.Contains(body, `href="/influencers/`) {
		t.Fatalf("/search?q=nguyen: %d, no influencer found", res.StatusCode)
	}
}

// TestExplorer_ServedToBrowsersFromThisOriginOnly: /graphql with Accept: text/html is the
// explorer; every resource it names is on this origin and served; API clients still get JSON.
func TestExplorer_ServedToBrowsersFromThisOriginOnly(t *testing.T) {
	s := newSite(t)
	res, body := s.get("/graphql", "Accept", "text/html,application/xhtml+xml")
	if res.StatusCode != 200 || !strings.Contains(body, "graphiql") {
		t.Fatalf("explorer: %d", res.StatusCode)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(refs) < 4 {
		t.Fatalf("explorer names %d resources", len(refs))
	}
	for _, m := range refs {
		if !strings.HasPrefix(m[1], "/") || strings.HasPrefix(m[1], "//") {
			t.Errorf("explorer loads %q, not from this origin", m[1])
			continue
		}
		if r, _ := s.get(m[1]); r.StatusCode != 200 {
			t.Errorf("%s: %d", m[1], r.StatusCode)
		}
	}
	if res, _ := s.get("/graphql", "Accept", "application/json"); res.StatusCode == 200 && strings.Contains(res.Header.Get("Content-Type"), "html") {
		t.Errorf("an API client got the explorer")
	}
}

// TestSchemaSDL: /schema.graphql is the schema, without gqlgen's internal directives.
func TestSchemaSDL(t *testing.T) {
	s := newSite(t)
	res, body := s.get("/schema.graphql")
	if res.StatusCode != 200 || !strings.Contains(body, "type Sanction implements Node") || !strings.Contains(body, "timeline(") {
		t.Fatalf("/schema.graphql: %d, %.200s", res.StatusCode, body)
	}
	if strings.Contains(body, "@goField") || strings.Contains(body, "@goModel") {
		t.Errorf("the SDL shows gqlgen's internal directives")
	}
}

// TestSanctionPage_LegalBasisWithCatalogueTitle: each violation's legal basis is written out
// with its instrument's title from the legal catalogue, in the page's language.
func TestSanctionPage_LegalBasisWithCatalogueTitle(t *testing.T) {
	s := newSite(t)
	d := s.gql(`{ sanctions(first: 1) { nodes { url violations { legalBasis { instrument } } } }
		legalInstruments { number titleVi titleEn } }`)
	u := str(at(d, "sanctions", "nodes", 0, "url"))
	inst := str(at(d, "sanctions", "nodes", 0, "violations", 0, "legalBasis", "instrument"))
	var vi, en string
	for _, in := range at(d, "legalInstruments").([]any) {
		if str(at(in, "number")) == inst {
			vi, en = str(at(in, "titleVi")), str(at(in, "titleEn"))
		}
	}
	if u == "" || vi == "" || en == "" {
		t.Fatalf("no sanction whose instrument %q is in the catalogue (url %q)", inst, u)
	}
	for lang, want := range map[string]string{"vi": vi, "en": en} {
		res, body := s.get(u + "?lang=" + lang)
		if res.StatusCode != 200 || !strings.Contains(body, `<cite class="legal-title">`+html.EscapeString(want)+`</cite>`) {
			t.Errorf("%s?lang=%s: %d, no title %q of %s", u, lang, res.StatusCode, want, inst)
		}
	}
}

// TestPages_ErrorsInThePageLanguage: a refused address answers 400 with a sentence of the
// page's language, never the API's English message.
func TestPages_ErrorsInThePageLanguage(t *testing.T) {
	s := newSite(t)
	for _, c := range []struct{ path, vi, en, api string }{
		{"/search?q=a", "Hãy gõ ít nhất 2 chữ cái", "Type at least 2 letters", "query needs"},
		{"/sanctions?decidedFrom=garbage", "Ngày phải có dạng", "A date must look like", `got "garbage"`},
		{"/sanctions?decidedFrom=2025-05-01&decidedTo=2025-01-01", "Giá trị “đến” nhỏ hơn", "The “to” value is before", "decidedTo is before decidedFrom"},
		{"/sanctions?after=garbage", "Liên kết trang này không còn hợp lệ", "This page link is not valid", "not a cursor"},
		{"/sanctions?status=NOPE", "Một giá trị lọc không có trong danh mục", "A filter value is not one of", "is not a valid SanctionStatus"},
		{"/sanctions?minFineVnd=abc", "Số tiền phải là một số nguyên", "An amount must be a whole number", "Int64 must"},
	} {
		for _, l := range []struct{ query, header, want, other string }{
			{"", "", c.vi, c.en}, {"&lang=en", "", c.en, c.vi}, {"", "en-GB,en;q=0.8", c.en, c.vi},
		} {
			res, body := s.get(c.path+l.query, "Accept-Language", l.header)
			body = html.UnescapeString(body)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, l.want) || strings.Contains(body, l.other) ||
				strings.Contains(body, c.api) {
				t.Errorf("%s%s (Accept-Language %q): %d; want 400 with %q only", c.path, l.query, l.header, res.StatusCode, l.want)
			}
		}
	}
}

// The influencer page shows the vetting report of the API (the same resolver): its level and
// each factor with its reason, legal basis written out and links to the records that raised
// it, in the page's language.
func TestInfluencerPage_ShowsTheVettingReport(t *testing.T) {
	s := newSite(t)
	ins := at(s.gql(`{ influencers(first: 100) { nodes { id url } } }`), "influencers", "nodes").([]any)
	checked := 0
	for _, in := range ins {
		id, u := str(at(in, "id")), str(at(in, "url"))
		d := s.gql(`{ vettingReport(influencerId: "` + id + `") { riskLevel factors { code level reasonVi reasonEn legalBasis evidence } } }`)
		factors, _ := at(d, "vettingReport", "factors").([]any)
		var withEvidence map[string]any
		for _, f := range factors {
			if ev, _ := at(f, "evidence").([]any); len(ev) > 0 && str(at(f, "legalBasis")) != "" {
				withEvidence = f.(map[string]any)
				break
			}
		}
		if withEvidence == nil {
			continue
		}
		checked++
		level := str(at(d, "vettingReport", "riskLevel"))
		for _, lang := range []registry.Lang{registry.VI, registry.EN} {
			res, body := s.get(u + "?lang=" + string(lang))
			if res.StatusCode != 200 || !strings.Contains(body, `id="vetting"`) {
				t.Fatalf("%s?lang=%s: %d, no vetting section", u, lang, res.StatusCode)
			}
			reason := str(withEvidence["reasonEn"])
			if lang == registry.VI {
				reason = str(withEvidence["reasonVi"])
			}
			wants := []string{
				html.EscapeString(registry.Text("RiskLevel", level, lang)),
				html.EscapeString(registry.Text("RiskFactorCode", str(withEvidence["code"]), lang)),
				html.EscapeString(reason),
			}
			for _, ev := range withEvidence["evidence"].([]any) {
				typ, _, _ := db.ParseGlobalID(str(ev))
				wants = append(wants, `href="`+html.EscapeString(permalink.Path(typ, str(ev))))
			}
			for _, w := range wants {
				if !strings.Contains(body, w) {
					t.Errorf("%s?lang=%s lacks %q", u, lang, w)
				}
			}
			if basis := str(withEvidence["legalBasis"]); lang == registry.VI && strings.Contains(body, html.EscapeString(basis)) {
				t.Errorf("%s: the legal basis %q is not written out in Vietnamese", u, basis)
			}
		}
		if checked == 2 {
			break
		}
	}
	if checked == 0 {
		t.Fatal("the demo registry has no influencer with a factor raised by a record")
	}
}

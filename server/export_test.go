package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
)

// exportFixture is a small registry with Vietnamese names: 3 agencies, 40 influencers with an
// account each, 2 MCNs, 5 brands, 404 disclosures, 62 sanctions with one or two violations.
const exportFixture = `
INSERT INTO agency (slug, name, kind, jurisdiction) VALUES
  ('cuc-ptth', 'Cục Phát thanh, truyền hình và thông tin điện tử', 'BROADCASTING_AUTHORITY', 'VN'),
  ('so-vhtt-hcm', 'Sở Văn hóa và Thể thao TP.HCM', 'PROVINCIAL_DEPARTMENT', 'VN-SG'),
  ('cuc-attp', 'Cục An toàn thực phẩm', 'FOOD_SAFETY', 'VN');
INSERT INTO influencer (display_name, legal_name, aliases, province, categories)
SELECT CASE WHEN g = 1 THEN 'Nguyễn Thị Đặng Hương' ELSE 'Người ảnh hưởng ' || g END,
       CASE WHEN g = 1 THEN 'Nguyễn Thị Hương' END, ARRAY['bí danh ' || g, 'x;"y' || g],
       CASE WHEN g % 2 = 0 THEN 'VN-SG' ELSE 'VN-HN' END,
       CASE WHEN g % 3 = 0 THEN ARRAY['BEAUTY','HEALTH'] ELSE ARRAY['FOOD'] END
FROM generate_series(1, 40) g;
INSERT INTO platform_account (influencer_id, platform, handle, identity_verification)
SELECT id, 'TIKTOK', 'kol' || id, 'VN_PHONE' FROM influencer;
INSERT INTO mcn (name, tax_code, province) VALUES ('MCN Ánh Sáng', '3000000001', 'VN-SG'), ('MCN Đông Á', '3000000002', 'VN-HN');
INSERT INTO affiliation (influencer_id, mcn_id, kind, started_on)
SELECT i.id, (SELECT min(id) FROM mcn) + i.id % 2, 'EXCLUSIVE_MANAGEMENT', date '2024-01-01' FROM influencer i;
INSERT INTO brand (name, tax_code, industry)
SELECT 'Thương hiệu ' || g, lpad((4000000000 + g)::text, 10, '0'), 'FOOD_SUPPLEMENT' FROM generate_series(1, 5) g;
INSERT INTO disclosure (influencer_id, account_id, mcn_id, product_name, product_category, platform, published_at,
                        label, label_timing, compensation, filed_by)
SELECT i.id, (SELECT pa.id FROM platform_account pa WHERE pa.influencer_id = i.id),
       CASE WHEN g % 2 = 0 THEN (SELECT min(id) FROM mcn) END,
       'Thực phẩm chức năng "Sức khỏe", số ' || g,
       (ARRAY['FOOD_SUPPLEMENT','COSMETICS','FOOD','CRYPTO'])[1 + (g + i.id) % 4],
       (ARRAY['TIKTOK','FACEBOOK','YOUTUBE'])[1 + g % 3],
       timestamptz '2024-12-31 20:00+07' + ((g * 37 + i.id * 11) % 500) * interval '1 day',
       (ARRAY['QUANG_CAO','NONE','AMBIGUOUS','HASHTAG_AD'])[1 + (g * i.id) % 4], 'DURING_ONLY', 'CASH_FEE',
       (SELECT min(id) FROM agency) + g % 3
FROM influencer i CROSS JOIN generate_series(1, 10) g;
-- New Year's night in Hanoi is still 2024 in UTC: the year facet must count these in 2025.
INSERT INTO disclosure (influencer_id, product_name, product_category, platform, published_at, label, label_timing, compensation, filed_by)
SELECT i.id, 'Bánh chưng Tết', 'FOOD', 'ZALO', timestamptz '2025-01-01 02:00+07', 'TAI_TRO', 'CAPTION_ONLY', 'FREE_PRODUCT',
       (SELECT min(id) FROM agency)
FROM influencer i WHERE i.id % 10 = 1;
INSERT INTO disclosure_brand (disclosure_id, brand_id)
SELECT d.id, (SELECT min(id) FROM brand) + d.id % 5 FROM disclosure d;
INSERT INTO disclosure_brand (disclosure_id, brand_id)
SELECT d.id, (SELECT min(id) FROM brand) + (d.id + 2) % 5 FROM disclosure d WHERE d.id % 3 = 0;
INSERT INTO sanction (subject_kind, influencer_id, agency_id, decision_number, decided_on, fine_vnd, remedies, status)
SELECT 'INFLUENCER', i.id, (SELECT min(id) FROM agency) + (i.id + g) % 3, (i.id * 10 + g) || '/QĐ-XPHC',
       date '2023-06-01' + ((i.id * 47 + g * 101) % 900)::int, 5000000 * (1 + i.id % 9),
       ARRAY['REMOVE_CONTENT'], (ARRAY['IN_FORCE','COMPLIED','UNDER_COMPLAINT','ANNULLED'])[1 + (i.id + g) % 4]
FROM influencer i CROSS JOIN generate_series(1, 2) g WHERE i.id % 4 <> 0;
INSERT INTO sanction (subject_kind, mcn_id, agency_id, decision_number, decided_on, fine_vnd, status)
SELECT 'MCN', m.id, (SELECT min(id) FROM agency), (900 + m.id) || '/QĐ-XPHC', date '2025-02-01', 70000000, 'IN_FORCE' FROM mcn m;
INSERT INTO sanction_violation (sanction_id, position, category, instrument, article, clause, description)
SELECT s.id, 1, (ARRAY['MISLEADING_CLAIMS','UNDISCLOSED_ADVERTISING','BANNED_PRODUCT'])[1 + s.id % 3], '38/2021/NĐ-CP', 34, 5,
       'Quảng cáo sai công dụng' FROM sanction s;
INSERT INTO sanction_violation (sanction_id, position, category, instrument, article, point)
SELECT s.id, 2, 'UNDISCLOSED_ADVERTISING', '38/2021/NĐ-CP', 51, 'a' FROM sanction s WHERE s.id % 2 = 0 AND s.id % 3 <> 1;
`

// newFixtureServer serves a private database (not the package's: the export tests add rows
// the other tests do not expect) loaded with sql.
func newFixtureServer(t *testing.T, prefix, sql string) *testServer {
	t.Helper()
	d, err := dbtest.Create(context.Background(), prefix)
	if err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(d.Drop)
	store, err := db.Open(context.Background(), d.URL, "")
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := store.SQL().Exec(sql); err != nil {
		t.Fatalf("load fixture: %v", err)
	}
	logs := &logBuffer{}
	srv := httptest.NewServer(New(Config{RateLimitAnon: 1 << 30}, store, slog.New(slog.NewJSONHandler(logs, nil))))
	t.Cleanup(srv.Close)
	return &testServer{Server: srv, store: store, logs: logs}
}

// data runs a query that must succeed and decodes its data.
func (s *testServer) data(t *testing.T, query string, vars map[string]any) map[string]any {
	t.Helper()
	r := s.query(t, query, vars)
	if r.status != http.StatusOK || len(r.gql.Errors) > 0 {
		t.Fatalf("query failed: HTTP %d %s\n%s", r.status, r.body, query)
	}
	var out map[string]any
	if err := json.Unmarshal(r.gql.Data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// globalIDs reads the ids of a connection's nodes (first page).
func nodeIDs(conn map[string]any) []string {
	var ids []string
	for _, n := range conn["nodes"].([]any) {
		ids = append(ids, n.(map[string]any)["id"].(string))
	}
	return ids
}

// exportGet downloads an export and returns the response and its body.
func (s *testServer) exportGet(t *testing.T, path string, params url.Values) (*http.Response, []byte) {
	t.Helper()
	resp, err := s.Client().Get(s.URL + path + "?" + params.Encode())
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return resp, body
}

// parseCSV parses an export's CSV and checks its header.
func parseCSV(t *testing.T, body []byte) (header []string, rows [][]string) {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	if len(recs) == 0 {
		t.Fatal("CSV has no header")
	}
	return recs[0], recs[1:]
}

// parseNDJSON parses an export's NDJSON.
func parseNDJSON(t *testing.T, body []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("NDJSON line does not parse: %v: %s", err, sc.Text())
		}
		out = append(out, m)
	}
	return out
}

// exportCase is a filter given both as GraphQL variables and as export query parameters.
type exportCase struct {
	name   string
	filter map[string]any
	params url.Values
}

func TestExport_RowCountsEqualTotalCountInBothFormats(t *testing.T) {
	s := newFixtureServer(t, "server_export", exportFixture)
	ids := s.data(t, `{ agencies(first: 3) { nodes { id slug } } influencers(first: 2) { nodes { id } }
		brands(first: 2) { nodes { id } } mcns(first: 1) { nodes { id } } }`, nil)
	agencies := nodeIDs(ids["agencies"].(map[string]any))
	influencers := nodeIDs(ids["influencers"].(map[string]any))
	brands := nodeIDs(ids["brands"].(map[string]any))
	mcns := nodeIDs(ids["mcns"].(map[string]any))

	lists := []struct {
		list, filterType string
		cases            []exportCase
	}{
		{"sanctions", "SanctionFilter", []exportCase{
			{"all", map[string]any{}, url.Values{}},
			{"status", map[string]any{"status": []string{"IN_FORCE", "UNDER_COMPLAINT"}}, url.Values{"status": {"IN_FORCE", "UNDER_COMPLAINT"}}},
			{"agency+violation", map[string]any{"agencyId": []string{agencies[0]}, "violation": []string{"UNDISCLOSED_ADVERTISING"}},
				url.Values{"agencyId": {agencies[0]}, "violation": {"UNDISCLOSED_ADVERTISING"}}},
			{"decided range+fine", map[string]any{"decidedFrom": "2024-01-01", "decidedTo": "2024-12-31", "minFineVnd": 20000000},
				url.Values{"decidedFrom": {"2024-01-01"}, "decidedTo": {"2024-12-31"}, "minFineVnd": {"20000000"}}},
			{"active+province", map[string]any{"active": true, "province": []string{"VN-SG"}}, url.Values{"active": {"true"}, "province": {"VN-SG"}}},
			{"subject", map[string]any{"subjectId": []string{influencers[0], mcns[0]}}, url.Values{"subjectId": {influencers[0], mcns[0]}}},
		}},
		{"disclosures", "DisclosureFilter", []exportCase{
			{"all", map[string]any{}, url.Values{}},
			{"label+platform", map[string]any{"label": []string{"NONE", "AMBIGUOUS"}, "platform": []string{"TIKTOK"}},
				url.Values{"label": {"NONE", "AMBIGUOUS"}, "platform": {"TIKTOK"}}},
			{"brand", map[string]any{"brandId": []string{brands[1]}}, url.Values{"brandId": {brands[1]}}},
			{"published range", map[string]any{"publishedFrom": "2025-01-01", "publishedTo": "2025-06-30"},
				url.Values{"publishedFrom": {"2025-01-01"}, "publishedTo": {"2025-06-30"}}},
			{"influencer", map[string]any{"influencerId": []string{influencers[0]}}, url.Values{"influencerId": {influencers[0]}}},
		}},
		{"influencers", "InfluencerFilter", []exportCase{
			{"all", map[string]any{}, url.Values{}},
			{"province+category", map[string]any{"province": []string{"VN-SG"}, "category": []string{"BEAUTY"}},
				url.Values{"province": {"VN-SG"}, "category": {"BEAUTY"}}},
			{"active sanction", map[string]any{"hasActiveSanction": true}, url.Values{"hasActiveSanction": {"true"}}},
			{"mcn", map[string]any{"mcnId": []string{mcns[0]}}, url.Values{"mcnId": {mcns[0]}}},
		}},
	}
	for _, l := range lists {
		for _, c := range l.cases {
			t.Run(l.list+"/"+c.name, func(t *testing.T) {
				q := fmt.Sprintf(`query($f: %s) { %s(filter: $f, first: 100) { totalCount nodes { id } } }`, l.filterType, l.list)
				conn := s.data(t, q, map[string]any{"f": c.filter})[l.list].(map[string]any)
				total := int(conn["totalCount"].(float64))
				apiIDs := nodeIDs(conn)
				if total == 0 {
					t.Fatalf("filter %v matches nothing: the case proves little", c.filter)
				}

				resp, body := s.exportGet(t, "/export/"+l.list+".csv", c.params)
				if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
					t.Fatalf("CSV: HTTP %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
				}
				header, rows := parseCSV(t, body)
				if len(rows) != total {
					t.Errorf("CSV has %d rows, totalCount is %d", len(rows), total)
				}
				if header[0] != "id" {
					t.Fatalf("first column is %q", header[0])
				}
				// Same order as the connection's default: the first page's ids come first.
				for i := 0; i < len(apiIDs) && i < len(rows); i++ {
					if rows[i][0] != apiIDs[i] {
						t.Fatalf("CSV row %d is %s, the API's node %d is %s", i, rows[i][0], i, apiIDs[i])
					}
				}

				resp, body = s.exportGet(t, "/export/"+l.list+".ndjson", c.params)
				if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/x-ndjson") {
					t.Fatalf("NDJSON: HTTP %d: %s", resp.StatusCode, body)
				}
				objs := parseNDJSON(t, body)
				if len(objs) != total {
					t.Errorf("NDJSON has %d rows, totalCount is %d", len(objs), total)
				}
				for i, o := range objs {
					if len(o) != len(header) {
						t.Fatalf("NDJSON row %d has %d keys, CSV %d columns", i, len(o), len(header))
					}
					if o["id"] != rows[i][0] {
						t.Fatalf("row %d: NDJSON id %v, CSV id %s", i, o["id"], rows[i][0])
					}
				}
			})
		}
	}
}

func TestExport_KeepsVietnameseTextAndOptionalBOM(t *testing.T) {
	s := newFixtureServer(t, "server_export_text", exportFixture)
	const name = "Nguyễn Thị Đặng Hương"

	_, plain := s.exportGet(t, "/export/influencers.csv", url.Values{"province": {"VN-HN"}})
	if bytes.HasPrefix(plain, []byte("\xef\xbb\xbf")) {
		t.Error("BOM written without bom=1")
	}
	resp, body := s.exportGet(t, "/export/influencers.csv", url.Values{"province": {"VN-HN"}, "bom": {"1"}})
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		t.Fatalf("bom=1: HTTP %d, starts with % x", resp.StatusCode, body[:min(3, len(body))])
	}
	if !bytes.Equal(body[3:], plain) {
		t.Error("with bom=1 the file differs beyond the BOM")
	}
	header, rows := parseCSV(t, plain)
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	found := false
	for _, r := range rows {
		if r[col["displayName"]] == name {
			found = true
			if r[col["legalName"]] != "Nguyễn Thị Hương" || !strings.Contains(r[col["aliases"]], "bí danh 1") ||
				!strings.Contains(r[col["aliases"]], `x;"y1`) {
				t.Errorf("row of %s: %q", name, r)
			}
		}
	}
	if !found {
		t.Fatalf("%s is not in the CSV", name)
	}

	objs := parseNDJSON(t, s.must(t, "/export/influencers.ndjson", url.Values{"province": {"VN-HN"}}))
	found = false
	for _, o := range objs {
		if o["displayName"] == name {
			found = true
			aliases, _ := o["aliases"].([]any)
			if len(aliases) != 2 || aliases[0] != "bí danh 1" {
				t.Errorf("aliases in NDJSON: %v", o["aliases"])
			}
		}
	}
	if !found {
		t.Fatalf("%s is not in the NDJSON", name)
	}

	// Sanctions carry the decision number's Đ and the instrument's NĐ intact.
	_, rows = parseCSV(t, s.must(t, "/export/sanctions.csv", nil))
	if !strings.Contains(rows[0][1], "/QĐ-XPHC") {
		t.Errorf("decision number %q", rows[0][1])
	}
}

// must downloads an export that must succeed.
func (s *testServer) must(t *testing.T, path string, params url.Values) []byte {
	t.Helper()
	resp, body := s.exportGet(t, path, params)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d: %s", path, resp.StatusCode, body)
	}
	return body
}

func TestExport_RefusesBadParametersWithACode(t *testing.T) {
	s := newTestServer(t, Config{RateLimitAnon: 1 << 30})
	agency := "QWdlbmN5OjE" // base64url("Agency:1")
	for _, c := range []struct {
		path   string
		params url.Values
		status int
		code   string
		field  string
	}{
		{"/export/sanctions.csv", url.Values{"status": {"IN_FORCE", "NOPE"}}, 400, "BAD_USER_INPUT", "status"},
		{"/export/sanctions.csv", url.Values{"stauts": {"IN_FORCE"}}, 400, "BAD_USER_INPUT", "stauts"},
		{"/export/sanctions.ndjson", url.Values{"decidedFrom": {"20/03/2025"}}, 400, "BAD_USER_INPUT", "decidedFrom"},
		{"/export/sanctions.csv", url.Values{"decidedFrom": {"2025-03-20"}, "decidedTo": {"2025-01-01"}}, 400, "BAD_USER_INPUT", "decidedTo"},
		{"/export/sanctions.csv", url.Values{"minFineVnd": {"lots"}}, 400, "BAD_USER_INPUT", "minFineVnd"},
		{"/export/sanctions.csv", url.Values{"active": {"maybe"}}, 400, "BAD_USER_INPUT", "active"},
		{"/export/sanctions.csv", url.Values{"active": {"true", "false"}}, 400, "BAD_USER_INPUT", "active"},
		{"/export/disclosures.csv", url.Values{"influencerId": {agency}}, 400, "BAD_USER_INPUT", "influencerId"},
		{"/export/disclosures.csv", url.Values{"brandId": {"not-an-id"}}, 400, "BAD_USER_INPUT", "brandId"},
		{"/export/influencers.csv", url.Values{"createdFrom": {"2025-01-01"}}, 400, "BAD_USER_INPUT", "createdFrom"},
		{"/export/influencers.csv", url.Values{"bom": {"yes please"}}, 400, "BAD_USER_INPUT", "bom"},
		{"/export/agencies.csv", nil, 404, "NOT_FOUND", ""},
		{"/export/sanctions.xlsx", nil, 404, "NOT_FOUND", ""},
	} {
		resp, body := s.exportGet(t, c.path, c.params)
		var r gqlResponse
		if err := json.Unmarshal(body, &r); err != nil || len(r.Errors) != 1 {
			t.Errorf("%s?%s: HTTP %d, not one JSON error: %s", c.path, c.params.Encode(), resp.StatusCode, body)
			continue
		}
		e := r.Errors[0]
		if resp.StatusCode != c.status || e.Extensions["code"] != c.code || (c.field != "" && e.Extensions["field"] != c.field) {
			t.Errorf("%s?%s: HTTP %d %v, want %d %s field %s", c.path, c.params.Encode(), resp.StatusCode, e.Extensions, c.status, c.code, c.field)
		}
	}
	// A DateTime filter takes RFC 3339.
	if resp, body := s.exportGet(t, "/export/influencers.csv", url.Values{"createdFrom": {"2025-01-01T00:00:00+07:00"}}); resp.StatusCode != 200 {
		t.Errorf("createdFrom in RFC 3339: HTTP %d %s", resp.StatusCode, body)
	}
}

// TestExport_LargeExportKeepsMemoryFlat exports 200,000 disclosures while sampling the heap:
// streamed from a cursor, the heap in use must stay far below the size of the file.
func TestExport_LargeExportKeepsMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("large export")
	}
	const n = 200_000
	s := newFixtureServer(t, "server_export_large", exportFixture+fmt.Sprintf(`
INSERT INTO disclosure (influencer_id, product_name, product_category, platform, published_at, label, label_timing, compensation, filed_by)
SELECT (SELECT min(id) FROM influencer) + g %% 40, 'Sản phẩm số ' || g || ' — kem dưỡng trắng da chiết xuất thiên nhiên',
       'COSMETICS', 'FACEBOOK', timestamptz '2020-01-01 00:00+07' + g * interval '1 minute', 'QUANG_CAO', 'BEFORE_AND_DURING',
       'AFFILIATE_COMMISSION', (SELECT min(id) FROM agency)
FROM generate_series(1, %d) g;
ANALYZE disclosure;`, n))
	filter := url.Values{"productCategory": {"COSMETICS"}}
	total := int(s.data(t, `{ disclosures(filter: {productCategory: [COSMETICS]}, first: 1) { totalCount } }`, nil)["disclosures"].(map[string]any)["totalCount"].(float64))
	if total < n {
		t.Fatalf("totalCount %d < %d", total, n)
	}

	heap := func() uint64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}
	runtime.GC()
	before := heap()

	var peak atomic.Uint64
	done := make(chan struct{})
	go func() { // sample the heap while the export streams
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if h := heap(); h > peak.Load() {
					peak.Store(h)
				}
			}
		}
	}()
	start := time.Now()
	resp, err := s.Client().Get(s.URL + "/export/disclosures.csv?" + filter.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d", resp.StatusCode)
	}
	// Read as a client does, line by line, holding nothing.
	rd := csv.NewReader(bufio.NewReader(resp.Body))
	rd.ReuseRecord = true
	rows, bytesRead := -1, int64(0)
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("row %d: %v", rows+1, err)
		}
		rows++
		for _, f := range rec {
			bytesRead += int64(len(f)) + 1
		}
	}
	close(done)
	elapsed := time.Since(start)
	if h := heap(); h > peak.Load() {
		peak.Store(h)
	}
	if rows != total {
		t.Errorf("exported %d rows, totalCount is %d", rows, total)
	}
	growth := int64(peak.Load()) - int64(before)
	t.Logf("exported %d rows (%.1f MB of CSV) in %v; heap in use %.1f MB before, peak %.1f MB during (growth %.1f MB)",
		rows, float64(bytesRead)/1e6, elapsed.Round(time.Millisecond), float64(before)/1e6, float64(peak.Load())/1e6, float64(growth)/1e6)
	// The file is ~64 MB; holding its rows would take more than that. A stream holds one
	// batch of 500 rows and a 32 KiB buffer: 24 MB leaves room for the GC's slack.
	const bound int64 = 24 << 20
	if growth > bound {
		t.Errorf("heap in use grew by %.1f MB during the export, bound %d MB", float64(growth)/1e6, bound>>20)
	}
	if bytesRead < 2*bound {
		t.Errorf("the export is only %.1f MB: too small to tell streaming from buffering", float64(bytesRead)/1e6)
	}
}

func TestExport_SpendsTheRateLimitBudget(t *testing.T) {
	store := openStore(t)
	srv := httptest.NewServer(New(Config{RateLimitAnon: exportCost + exportCost/2}, store, nil))
	t.Cleanup(srv.Close)
	s := &testServer{Server: srv, store: store}
	for i := 0; i < 3; i++ { // refused requests cost nothing
		if resp, body := s.exportGet(t, "/export/sanctions.csv", url.Values{"status": {"NOPE"}}); resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad parameter: HTTP %d %s", resp.StatusCode, body)
		}
	}
	if resp, body := s.exportGet(t, "/export/sanctions.csv", nil); resp.StatusCode != http.StatusOK || resp.Header.Get("X-RateLimit-Limit") == "" {
		t.Fatalf("first export: HTTP %d %v %s", resp.StatusCode, resp.Header, body)
	}
	resp, body := s.exportGet(t, "/export/sanctions.csv", nil)
	var r gqlResponse
	json.Unmarshal(body, &r)
	if resp.StatusCode != http.StatusTooManyRequests || len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "RATE_LIMITED" {
		t.Fatalf("second export within the minute: HTTP %d %s", resp.StatusCode, body)
	}
}

func TestExport_BoundsTheExportsStreamingAtOnce(t *testing.T) {
	adm := newAdmission(AdmissionConfig{Export: AdmissionLimit{Concurrent: 2}})
	s := newTestServer(t, Config{RateLimitAnon: 1 << 30, admission: adm})
	var releases []func()
	for range 2 { // the slots of exports still streaming
		release, ok := adm.acquire(context.Background(), db.ClassExport)
		if !ok {
			t.Fatal("no export slot free")
		}
		releases = append(releases, release)
	}
	start := time.Now()
	resp, body := s.exportGet(t, "/export/sanctions.csv", nil)
	took := time.Since(start)
	for _, release := range releases {
		release()
	}
	var r gqlResponse
	json.Unmarshal(body, &r)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" ||
		len(r.Errors) != 1 || r.Errors[0].Extensions["code"] != "SERVICE_UNAVAILABLE" {
		t.Fatalf("export with every slot taken: HTTP %d %s", resp.StatusCode, body)
	}
	if took > time.Second {
		t.Errorf("the refusal took %v", took)
	}
	if resp, body := s.exportGet(t, "/export/sanctions.csv", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("export with the slots free: HTTP %d %s", resp.StatusCode, body)
	}
}

// A download cut anywhere resumes with after=<the last id received>: the rest of the rows, in
// order, none lost and none twice; a filter still applies; a bad after is BAD_USER_INPUT.
func TestExport_ResumesAfterTheLastRowReceived(t *testing.T) {
	s := newFixtureServer(t, "server_export_after", exportFixture)
	for _, c := range []struct {
		list   string
		params url.Values
	}{
		{"sanctions", url.Values{}}, {"disclosures", url.Values{}}, {"influencers", url.Values{}},
		{"influencers", url.Values{"province": {"VN-SG"}}},
	} {
		resp, body := s.exportGet(t, "/export/"+c.list+".ndjson", c.params)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: HTTP %d %s", c.list, resp.StatusCode, body)
		}
		lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
		if len(lines) < 4 {
			t.Fatalf("%s: only %d rows", c.list, len(lines))
		}
		for _, cut := range []int{0, len(lines) / 2, len(lines) - 1} {
			var row struct{ ID string }
			if err := json.Unmarshal([]byte(lines[cut]), &row); err != nil || row.ID == "" {
				t.Fatalf("%s row %d: %v %s", c.list, cut, err, lines[cut])
			}
			p := url.Values{"after": {row.ID}}
			for k, v := range c.params {
				p[k] = v
			}
			resp, rest := s.exportGet(t, "/export/"+c.list+".ndjson", p)
			want := strings.Join(lines[cut+1:], "\n")
			if want != "" {
				want += "\n"
			}
			if resp.StatusCode != 200 || string(rest) != want {
				t.Errorf("%s %v after row %d of %d: HTTP %d, %d bytes, want the %d rows that follow (%d bytes)",
					c.list, c.params, cut, len(lines), resp.StatusCode, len(rest), len(lines)-cut-1, len(want))
			}
		}
	}
	for _, bad := range []string{"nope", "U2FuY3Rpb246MQ" /* Sanction:1, not an influencer */, ""} {
		resp, body := s.exportGet(t, "/export/influencers.csv", url.Values{"after": {bad}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"field":"after"`) {
			t.Errorf("after=%q: HTTP %d %s", bad, resp.StatusCode, body)
		}
	}
}

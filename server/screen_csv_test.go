package server

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

const screenCSVFixture = `
INSERT INTO influencer (display_name) VALUES ('=HYPERLINK("x") Quỳnh CSV');
INSERT INTO platform_account (influencer_id, platform, handle, url)
SELECT id, 'FACEBOOK', 'quynhcsv', 'https://www.facebook.com/quynhcsv' FROM influencer WHERE display_name LIKE '%Quỳnh CSV';
`

func postScreenCSV(t *testing.T, s *testServer, query, body string) (int, http.Header, string) {
	t.Helper()
	res, err := http.Post(s.URL+"/screen.csv"+query, "text/csv", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// POST /screen.csv: candidates in, one decision row per candidate out, in their order, with
// permalinks, and every text cell neutralised as the exports' are.
func TestScreenCSV_AnswersARowPerCandidate(t *testing.T) {
	s := newFixtureServer(t, "server_screen_csv", screenCSVFixture)
	status, h, body := postScreenCSV(t, s, "?asOf=2025-06-01", "url,name,platform\n"+
		"https://www.facebook.com/quynhcsv,,\n"+
		",=cmd|' /C calc'!A0,\n"+
		"https://vt.tiktok.com/ZSabc/,,tiktok\n")
	if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("status %d %s: %s", status, h.Get("Content-Type"), body)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) != 4 {
		t.Fatalf("%d records (%v): %s", len(recs), err, body)
	}
	col := map[string]int{}
	for i, name := range recs[0] {
		col[name] = i
	}
	cell := func(row int, name string) string { return recs[row][col[name]] }
	if cell(1, "decision") != "MATCH" || !strings.Contains(cell(1, "influencerUrl"), "/influencers/") ||
		cell(1, "influencerName") != `'=HYPERLINK("x") Quỳnh CSV` || cell(1, "riskLevel") != "LOW" || cell(1, "activeSanctions") != "0" {
		t.Errorf("row 1: %q", recs[1])
	}
	if cell(2, "decision") != "NO_MATCH" || cell(2, "name") != `'=cmd|' /C calc'!A0` || cell(2, "influencerId") != "" {
		t.Errorf("row 2: %q", recs[2])
	}
	if cell(3, "decision") != "NO_MATCH" || !strings.Contains(cell(3, "explanation"), "short link") || cell(3, "platform") != "TIKTOK" {
		t.Errorf("row 3: %q", recs[3])
	}
	if cell(1, "row") != "1" || cell(3, "row") != "3" {
		t.Errorf("rows not numbered in order: %q", recs)
	}

	_, _, vi := postScreenCSV(t, s, "?lang=vi", "url\nhttps://www.facebook.com/quynhcsv\n")
	if !strings.Contains(vi, "Khớp") || !strings.Contains(vi, "được ghi nhận là của") {
		t.Errorf("lang=vi: %s", vi)
	}
}

func TestScreenCSV_RefusesBadInputNamingTheLine(t *testing.T) {
	s := newFixtureServer(t, "server_screen_csv_bad", "")
	many := "name\n" + strings.Repeat("Người Nào Đó\n", 101)
	for name, c := range map[string]struct {
		query, body, phrase string
		status              int
	}{
		"unknown column":   {"", "name,email\nA,b\n", "unknown column", 400},
		"empty body":       {"", "", "empty", 400},
		"101 rows":         {"", many, "at most 100", 400},
		"bad platform":     {"", "handle,platform\nabc,MYSPACE\n", "line 2", 400},
		"too many cells":   {"", "name\nA,B\n", "line 2", 400},
		"long name":        {"", "name\n" + strings.Repeat("a", 201) + "\n", "longer than 200", 400},
		"future date":      {"?asOf=2999-01-01", "name\nA B\n", "future", 400},
		"unknown param":    {"?format=x", "name\nA B\n", "unknown parameter", 400},
		"body over 512KiB": {"", "name\n" + strings.Repeat("a", 600<<10) + "\n", "larger than", 413},
	} {
		status, _, body := postScreenCSV(t, s, c.query, c.body)
		var e struct {
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		json.Unmarshal([]byte(body), &e)
		if status != c.status || len(e.Errors) == 0 || e.Errors[0].Extensions["code"] != "BAD_USER_INPUT" || !strings.Contains(e.Errors[0].Message, c.phrase) {
			t.Errorf("%s: %d %s; want %d BAD_USER_INPUT saying %q", name, status, body, c.status, c.phrase)
		}
	}
}

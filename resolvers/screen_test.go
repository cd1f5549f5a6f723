package resolvers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
)

const screenQuery = `query($c: [ScreenCandidate!]!, $asOf: Date, $lang: Language) {
	screen(candidates: $c, asOf: $asOf) {
		decision score explanation(lang: $lang)
		influencer { id displayName }
		alternatives { id displayName }
		vetting { asOf riskLevel sanctionCount }
	}
}`

// screenWorld registers, through the store's write path, the people the screening table looks for.
type screenWorld struct {
	quynh, tun, khoi1, khoi2 int64
}

func newScreenWorld(t *testing.T, store *db.DB) screenWorld {
	t.Helper()
	ctx := context.Background()
	agencyID := insert(t, store, `INSERT INTO agency (slug, name, kind, jurisdiction) VALUES ('screen-test', 'Cục Sàng lọc', 'BROADCASTING_AUTHORITY', 'VN')`)
	agencies, err := store.AgenciesByIDs(ctx, []int64{agencyID})
	if err != nil {
		t.Fatal(err)
	}
	agency := agencies[agencyID]
	inf := func(display string, legal string, aliases ...string) int64 {
		in := db.NewInfluencer{DisplayName: display, Aliases: aliases}
		if legal != "" {
			in.LegalName = &legal
		}
		res, err := store.RegisterInfluencer(ctx, agency, nil, in)
		if err != nil {
			t.Fatalf("register %s: %v", display, err)
		}
		return res.SubjectID
	}
	acct := func(influencer int64, platform, handle, url, userID string) {
		in := db.NewPlatformAccount{InfluencerID: influencer, Platform: platform, Handle: handle}
		if url != "" {
			in.URL = &url
		}
		if userID != "" {
			in.PlatformUserID = &userID
		}
		if _, err := store.AddPlatformAccount(ctx, agency, nil, in); err != nil {
			t.Fatalf("account %s %s: %v", platform, handle, err)
		}
	}
	var w screenWorld
	w.quynh = inf("Bếp Nhà Quỳnh Sàng Lọc", "Huỳnh Thị Ngọc Quỳnh Sàng", "Quỳnh Bếp Sàng Lọc")
	acct(w.quynh, "FACEBOOK", "bepnhaquynhsl", "https://www.facebook.com/bepnhaquynhsl", "100044556677")
	acct(w.quynh, "YOUTUBE", "bepnhaquynhslofficial", "https://www.youtube.com/@bepnhaquynhslofficial", "UCbepnhaquynhsl0001")
	// Another person holds the same handle on TikTok: handles are unique per platform only.
	w.tun = inf("Lò Văn Tũn Sàng Lọc", "")
	acct(w.tun, "TIKTOK", "@bepnhaquynhsl", "https://www.tiktok.com/@bepnhaquynhsl", "")
	acct(w.tun, "INSTAGRAM", "lovantunsl.ig", "", "")
	acct(w.tun, "X", "lovantunsl", "", "")
	acct(w.tun, "THREADS", "lovantunsl", "", "")
	acct(w.tun, "SHOPEE", "tunshopsl", "https://shopee.vn/tunshopsl", "998877665")
	acct(w.tun, "LAZADA", "tun-store-sl", "", "")
	acct(w.tun, "ZALO", "lovantunslzalo", "", "")
	w.khoi1 = inf("Phạm Minh Khôi Sàng", "")
	w.khoi2 = inf("Phạm Minh Khôi Sàng", "")
	acct(w.khoi2, "TIKTOK", "khoi.sang.review", "", "")

	clause := 5
	if _, err := store.RecordSanction(ctx, agency, nil, db.NewSanction{
		SubjectKind: "INFLUENCER", SubjectID: w.quynh, DecisionNumber: "77/QĐ-XPHC", DecidedOn: time.Date(2025, 5, 20, 0, 0, 0, 0, time.UTC),
		Violations: []db.NewViolation{{Category: "MISLEADING_CLAIMS", Instrument: "38/2021/NĐ-CP", Article: 34, Clause: &clause}},
		FineVnd:    70_000_000, Remedies: []string{"CORRECT_INFORMATION"},
	}); err != nil {
		t.Fatalf("record sanction: %v", err)
	}
	return w
}

func TestScreen_DecidesEachCandidate(t *testing.T) {
	store := openStore(t)
	a := newAPI(t, store)
	w := newScreenWorld(t, store)
	none := int64(0)
	cases := []struct {
		name      string
		candidate map[string]any
		decision  string
		want      int64  // the best influencer (0: none)
		explains  string // a phrase the English explanation must hold
		alsoOf    int64  // an influencer the alternatives must list (0: none required)
	}{
		{"exact display name", map[string]any{"name": "Bếp Nhà Quỳnh Sàng Lọc"}, "MATCH", w.quynh, "display name", none},
		{"name without diacritics", map[string]any{"name": "bep nha quynh sang loc"}, "MATCH", w.quynh, "ignoring case and diacritics", none},
		{"legal name in capitals", map[string]any{"name": "HUYNH THI NGOC QUYNH SANG"}, "MATCH", w.quynh, "legal name", none},
		{"alias", map[string]any{"name": "Quynh Bep Sang Loc"}, "MATCH", w.quynh, "alias", none},
		{"name with a typo", map[string]any{"name": "Bep Nha Quynk Sang Loc"}, "POSSIBLE_MATCH", w.quynh, "resembles", none},
		{"handle on its platform", map[string]any{"handle": "@bepnhaquynhsl", "platform": "FACEBOOK"}, "MATCH", w.quynh, "Facebook account @bepnhaquynhsl", w.tun},
		{"handle without platform held by two people", map[string]any{"handle": "bepnhaquynhsl"}, "POSSIBLE_MATCH", w.quynh, "every platform", w.tun},
		{"facebook URL, same handle on another person's TikTok", map[string]any{"url": "https://www.facebook.com/bepnhaquynhsl"}, "MATCH", w.quynh, "Facebook account @bepnhaquynhsl is registered", w.tun},
		{"mobile facebook URL with a query", map[string]any{"url": "https://m.facebook.com/bepnhaquynhsl/?ref=bookmarks"}, "MATCH", w.quynh, "registered", none},
		{"tiktok URL of a video", map[string]any{"url": "https://www.tiktok.com/@bepnhaquynhsl/video/7412?lang=vi"}, "MATCH", w.tun, "TikTok account @bepnhaquynhsl is registered", w.quynh},
		{"facebook numeric ID", map[string]any{"url": "https://www.facebook.com/profile.php?id=100044556677"}, "MATCH", w.quynh, "user ID 100044556677", none},
		{"youtube channel ID", map[string]any{"url": "https://www.youtube.com/channel/UCbepnhaquynhsl0001"}, "MATCH", w.quynh, "user ID", none},
		{"youtube @handle", map[string]any{"url": "https://www.youtube.com/@bepnhaquynhslofficial/videos"}, "MATCH", w.quynh, "YouTube", none},
		{"instagram", map[string]any{"url": "https://www.instagram.com/lovantunsl.ig/"}, "MATCH", w.tun, "Instagram", none},
		{"x (twitter.com)", map[string]any{"url": "https://twitter.com/lovantunsl/status/1"}, "MATCH", w.tun, "X (Twitter)", none},
		{"threads", map[string]any{"url": "https://www.threads.net/@lovantunsl"}, "MATCH", w.tun, "Threads", none},
		{"shopee shop ID", map[string]any{"url": "https://shopee.vn/shop/998877665"}, "MATCH", w.tun, "user ID 998877665", none},
		{"shopee shop name", map[string]any{"url": "shopee.vn/tunshopsl"}, "MATCH", w.tun, "Shopee", none},
		{"lazada", map[string]any{"url": "https://www.lazada.vn/shop/tun-store-sl/"}, "MATCH", w.tun, "Lazada", none},
		{"zalo", map[string]any{"url": "https://zalo.me/lovantunslzalo"}, "MATCH", w.tun, "Zalo", none},
		{"tiktok short link", map[string]any{"url": "https://vt.tiktok.com/ZSabc123/"}, "NO_MATCH", none, "short link that only TikTok can expand", none},
		{"facebook short link", map[string]any{"url": "https://fb.me/bepnhaquynhsl"}, "NO_MATCH", none, "short link", none},
		{"youtube video link", map[string]any{"url": "https://youtu.be/dQw4w9WgXcQ"}, "NO_MATCH", none, "video", none},
		{"short link with a name", map[string]any{"name": "Bếp Nhà Quỳnh Sàng Lọc", "url": "https://vt.tiktok.com/ZSabc123/"}, "MATCH", w.quynh, "short link", none},
		{"handle only on other platforms", map[string]any{"url": "https://www.instagram.com/bepnhaquynhsl"}, "NO_MATCH", none, "unique per platform only", w.tun},
		{"one name, two people", map[string]any{"name": "Phạm Minh Khôi Sàng"}, "POSSIBLE_MATCH", w.khoi1, "2 influencers", w.khoi2},
		{"one name, two people, told apart by handle", map[string]any{"name": "Pham Minh Khoi Sang", "handle": "khoi.sang.review", "platform": "TIKTOK"}, "MATCH", w.khoi2, "registered", w.khoi1},
		{"address and name of two people", map[string]any{"name": "Lò Văn Tũn Sàng Lọc", "url": "https://www.facebook.com/bepnhaquynhsl"}, "POSSIBLE_MATCH", w.quynh, "within", w.tun},
		{"platform disagreeing with the address", map[string]any{"url": "https://www.facebook.com/bepnhaquynhsl", "platform": "TIKTOK"}, "MATCH", w.quynh, "the address's platform was used", none},
		{"unknown person", map[string]any{"name": "Zyxwq Qqvvk Hhjjw"}, "NO_MATCH", none, "NO_MATCH", none},
		{"unknown handle", map[string]any{"handle": "@zyxwq.nobody.here", "platform": "TIKTOK"}, "NO_MATCH", none, "TikTok account @zyxwq.nobody.here", none},
		{"nothing given", map[string]any{}, "NO_MATCH", none, "Nothing to screen", none},
	}
	candidates := make([]any, len(cases))
	for i, c := range cases {
		candidates[i] = c.candidate
	}
	r := a.ok(screenQuery, map[string]any{"c": candidates, "asOf": "2025-06-01"})
	results := list(r, "screen")
	if len(results) != len(cases) {
		t.Fatalf("%d results for %d candidates", len(results), len(cases))
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := results[i]
			expl := fmt.Sprint(get(res, "explanation"))
			t.Logf("%v %v %s", get(res, "decision"), get(res, "score"), expl)
			if got := get(res, "decision"); got != c.decision {
				t.Errorf("decision %v, want %s; %v", got, c.decision, res)
			}
			if c.want == 0 {
				if get(res, "influencer") != nil || get(res, "vetting") != nil {
					t.Errorf("influencer %v / vetting %v, want null", get(res, "influencer"), get(res, "vetting"))
				}
			} else if got := get(res, "influencer.id"); got != gid("Influencer", c.want) {
				t.Errorf("influencer %v, want %s; %v", get(res, "influencer"), gid("Influencer", c.want), res)
			}
			if !strings.Contains(expl, c.explains) {
				t.Errorf("explanation %s lacks %q", expl, c.explains)
			}
			if c.alsoOf != 0 && !strings.Contains(fmt.Sprint(get(res, "alternatives")), gid("Influencer", c.alsoOf)) {
				t.Errorf("alternatives %v lack %s", get(res, "alternatives"), gid("Influencer", c.alsoOf))
			}
			score, _ := get(res, "score").(float64)
			switch c.decision {
			case "MATCH":
				if score < 0.85 {
					t.Errorf("MATCH with score %v", score)
				}
			case "NO_MATCH":
				if score >= 0.5 {
					t.Errorf("NO_MATCH with score %v", score)
				}
			}
		})
	}
	// The vetting report is the best match's as of asOf: the sanction of 20 May 2025 is in force.
	if v := get(results[0], "vetting"); get(v, "riskLevel") != "HIGH" || get(v, "asOf") != "2025-06-01" || get(v, "sanctionCount") != 1.0 {
		t.Errorf("vetting of the exact name on 2025-06-01: %v", v)
	}
	r = a.ok(screenQuery, map[string]any{"c": candidates[:1], "asOf": "2025-05-01", "lang": "VI"})
	if v := get(r, "screen.0.vetting"); get(v, "riskLevel") != "LOW" || get(v, "sanctionCount") != 0.0 {
		t.Errorf("vetting before the decision: %v", v)
	}
	if e := fmt.Sprint(get(r, "screen.0.explanation")); !strings.Contains(e, "KHỚP") || !strings.Contains(e, "không phân biệt hoa thường và dấu") {
		t.Errorf("Vietnamese explanation: %s", e)
	}
}

func TestScreen_RefusesTooManyOrTooLongCandidates(t *testing.T) {
	store := openStore(t)
	a := newAPI(t, store)
	many := make([]any, 101)
	for i := range many {
		many[i] = map[string]any{"name": fmt.Sprintf("Người %d", i)}
	}
	for name, c := range map[string]struct {
		vars  map[string]any
		field string
	}{
		"101 candidates": {map[string]any{"c": many}, "candidates"},
		"a long name":    {map[string]any{"c": []any{map[string]any{"name": strings.Repeat("ư", 201)}}}, "candidates.0.name"},
		"a future date":  {map[string]any{"c": []any{map[string]any{"name": "Mai"}}, "asOf": time.Now().AddDate(0, 0, 3).Format("2006-01-02")}, "asOf"},
	} {
		r := a.do(`query($c: [ScreenCandidate!]!, $asOf: Date) { screen(candidates: $c, asOf: $asOf) { decision } }`, c.vars)
		if r.code() != "BAD_USER_INPUT" && r.code() != "COMPLEXITY_LIMIT_EXCEEDED" {
			t.Errorf("%s: %+v, want BAD_USER_INPUT", name, r.Errors)
			continue
		}
		if r.code() == "BAD_USER_INPUT" && r.Errors[0].Extensions["field"] != c.field {
			t.Errorf("%s: field %v, want %s", name, r.Errors[0].Extensions["field"], c.field)
		}
	}
	r := a.ok(`{ screen(candidates: []) { decision } }`, nil)
	if n := len(list(r, "screen")); n != 0 {
		t.Errorf("no candidates: %d results", n)
	}
}

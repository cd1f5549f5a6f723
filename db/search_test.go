package db_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
	"github.com/kolregistry/kolregistry/graph/errcode"
)

// searchWorld registers, through the store's writes, the names the search cases look for and
// near misses that must rank below them.
type searchWorld struct {
	agency                               db.Agency
	giang, giangBeauty, dod, dodDung, vy int64
	giangTikTok, dodFacebook, mcn, brand int64
}

func register(t *testing.T, res db.WriteResult, err error) int64 {
	t.Helper()
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return res.SubjectID
}

func ptr[T any](v T) *T { return &v }

func newSearchWorld(t *testing.T, store *db.DB) searchWorld {
	t.Helper()
	ctx := context.Background()
	w := searchWorld{agency: newWorld(t, store).national}
	inf := func(display string, legal *string, aliases ...string) int64 {
		res, err := store.RegisterInfluencer(ctx, w.agency, nil, db.NewInfluencer{DisplayName: display, LegalName: legal, Aliases: aliases})
		return register(t, res, err)
	}
	w.giang = inf("Hương Giang Ẩm Thực", ptr("Nguyễn Thị Thu Hường"), "Bà Tám Bếp Núc")
	w.giangBeauty = inf("Hương Giang Beauty", nil)
	w.dod = inf("Đặng Đức Độ Vlog", nil, "Độ Phượt")
	w.dodDung = inf("Đặng Đức Dũng", nil)
	w.vy = inf("Trịnh Khánh Vy", nil)
	acct := func(influencer int64, platform, handle, url string) int64 {
		res, err := store.AddPlatformAccount(ctx, w.agency, nil, db.NewPlatformAccount{
			InfluencerID: influencer, Platform: platform, Handle: handle, URL: &url})
		return register(t, res, err)
	}
	w.giangTikTok = acct(w.giang, "TIKTOK", "@huonggiang.amthuc", "https://www.tiktok.com/@huonggiang.amthuc")
	w.dodFacebook = acct(w.dod, "FACEBOOK", "dodophuot99", "https://www.facebook.com/dodophuot99")
	res, err := store.RegisterMcn(ctx, w.agency, nil, db.NewMcn{Name: "Sao Khuê Media Network"})
	w.mcn = register(t, res, err)
	res, err = store.RegisterBrand(ctx, w.agency, nil, db.NewBrand{Name: "Nước Mắm Hạnh Phúc"})
	w.brand = register(t, res, err)
	return w
}

func search(t *testing.T, store *db.DB, query string, kinds []string, first int, after *string) db.PageOf[db.SearchHit] {
	t.Helper()
	req, err := db.ParseSearch(query, kinds)
	if err != nil {
		t.Fatalf("ParseSearch(%q): %v", query, err)
	}
	p, err := db.NewPage(&first, nil, after, nil)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.Search(context.Background(), req, p)
	if err != nil {
		t.Fatalf("Search(%q): %v", query, err)
	}
	return pg
}

func TestSearch_RightEntityRanksFirst(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newSearchWorld(t, store)
	cases := []struct {
		name, query string
		kinds       []string
		kind        string
		id          int64
		field       string
	}{
		{"without diacritics", "huong giang am thuc", nil, db.SearchInfluencer, w.giang, "DISPLAY_NAME"},
		{"with diacritics", "Hương Giang Ẩm Thực", nil, db.SearchInfluencer, w.giang, "DISPLAY_NAME"},
		{"all caps", "HƯƠNG GIANG ẨM THỰC", nil, db.SearchInfluencer, w.giang, "DISPLAY_NAME"},
		{"all caps without diacritics", "DANG DUC DO VLOG", nil, db.SearchInfluencer, w.dod, "DISPLAY_NAME"},
		{"one typo (transposed letters)", "huong giagn am thuc", nil, db.SearchInfluencer, w.giang, "DISPLAY_NAME"},
		{"one typo (missing letter)", "trnh khanh vy", nil, db.SearchInfluencer, w.vy, "DISPLAY_NAME"},
		{"one typo (extra letter)", "Huơng Giang Ẩm Thựcc", nil, db.SearchInfluencer, w.giang, "DISPLAY_NAME"},
		{"swapped words", "am thuc huong giang", nil, db.SearchInfluencer, w.giang, "DISPLAY_NAME"},
		{"swapped words in a person's name", "Vy Trịnh Khánh", nil, db.SearchInfluencer, w.vy, "DISPLAY_NAME"},
		{"alias", "ba tam bep nuc", nil, db.SearchInfluencer, w.giang, "ALIAS"},
		{"alias with diacritics", "Độ Phượt", nil, db.SearchInfluencer, w.dod, "ALIAS"},
		{"legal name", "nguyen thi thu huong", nil, db.SearchInfluencer, w.giang, "LEGAL_NAME"},
		{"@handle", "@huonggiang.amthuc", nil, db.SearchPlatformAccount, w.giangTikTok, "HANDLE"},
		{"handle without @", "huonggiang.amthuc", nil, db.SearchPlatformAccount, w.giangTikTok, "HANDLE"},
		{"handle in capitals", "@DODOPHUOT99", nil, db.SearchPlatformAccount, w.dodFacebook, "HANDLE"},
		{"profile URL", "https://www.tiktok.com/@huonggiang.amthuc", nil, db.SearchPlatformAccount, w.giangTikTok, "PROFILE_URL"},
		{"profile URL in another case, with a fragment", "HTTP://TikTok.com/@HuongGiang.AmThuc/#top", nil, db.SearchPlatformAccount, w.giangTikTok, "PROFILE_URL"},
		{"profile URL with path and query", "https://www.tiktok.com/@huonggiang.amthuc/video/7412?lang=vi", nil, db.SearchPlatformAccount, w.giangTikTok, "HANDLE"},
		{"profile URL without scheme", "facebook.com/dodophuot99/", nil, db.SearchPlatformAccount, w.dodFacebook, "PROFILE_URL"},
		{"partial name", "Trịnh Khánh", nil, db.SearchInfluencer, w.vy, "DISPLAY_NAME"},
		{"partial last word", "trinh khanh v", nil, db.SearchInfluencer, w.vy, "DISPLAY_NAME"},
		{"đ written as d", "dang duc do", nil, db.SearchInfluencer, w.dod, "DISPLAY_NAME"},
		{"Đ written as D", "Dang Duc Dung", nil, db.SearchInfluencer, w.dodDung, "DISPLAY_NAME"},
		{"MCN", "sao khue media", nil, db.SearchMcn, w.mcn, "NAME"},
		{"brand", "nuoc mam hanh phuc", nil, db.SearchBrand, w.brand, "NAME"},
		{"brand, one typo", "nuoc mam hanh phuk", nil, db.SearchBrand, w.brand, "NAME"},
		{"kinds narrows to accounts", "huong giang am thuc", []string{db.SearchPlatformAccount}, db.SearchPlatformAccount, w.giangTikTok, "HANDLE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pg := search(t, store, c.query, c.kinds, 5, nil)
			if len(pg.Rows) == 0 {
				t.Fatalf("search(%q) found nothing", c.query)
			}
			top := pg.Rows[0]
			t.Logf("%q: %+v", c.query, pg.Rows[:min(3, len(pg.Rows))])
			if top.Kind != c.kind || top.ID != c.id || top.Field != c.field {
				t.Fatalf("search(%q) ranks first %+v; want %s %d matched on %s; all: %+v", c.query, top, c.kind, c.id, c.field, pg.Rows)
			}
			if len(pg.Rows) > 1 && pg.Rows[1].Score == top.Score {
				t.Errorf("search(%q): the first two results tie at %s: %+v", c.query, top.Score, pg.Rows[:2])
			}
			if c.kinds != nil {
				for _, h := range pg.Rows {
					if !slices.Contains(c.kinds, h.Kind) {
						t.Errorf("search(%q, kinds %v) returned a %s", c.query, c.kinds, h.Kind)
					}
				}
			}
		})
	}

	t.Run("exact match scores 1 and beats a longer name", func(t *testing.T) {
		pg := search(t, store, "hương giang beauty", nil, 5, nil)
		if pg.Rows[0].ID != w.giangBeauty || pg.Rows[0].Score != "1.0000" {
			t.Fatalf("got %+v, want Hương Giang Beauty with score 1.0000", pg.Rows)
		}
	})
}

func TestSearch_RefusesTooShortQueries(t *testing.T) {
	t.Parallel()
	for _, q := range []string{"", "   ", "a", "Đ", "@", "@x", "!!", "https://", "a . ;"} {
		_, err := db.ParseSearch(q, nil)
		e, ok := errcode.As(err)
		if !ok || e.Code != errcode.BadUserInput || e.Field != "query" {
			t.Errorf("ParseSearch(%q) = %v, want BAD_USER_INPUT on query", q, err)
		}
	}
	long := make([]rune, db.SearchMaxChars+1)
	for i := range long {
		long[i] = 'ư'
	}
	if _, err := db.ParseSearch(string(long), nil); err == nil {
		t.Errorf("a %d-character query was accepted", len(long))
	}
	for _, q := range []string{"Vy", "@ab", "Nguye\u0302\u0303n"} { // the last is typed decomposed (NFD)
		if _, err := db.ParseSearch(q, nil); err != nil {
			t.Errorf("ParseSearch(%q): %v", q, err)
		}
	}
}

func TestParseSearch_ReducesHandlesAndURLs(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"@maivlog":                        "maivlog",
		"  @@mai.vlog ":                   "mai vlog",
		"https://www.tiktok.com/@maivlog": "maivlog",
		"https://www.tiktok.com/@maivlog/video/123":       "maivlog",
		"www.facebook.com/maivlog":                        "maivlog",
		"https://www.facebook.com/profile.php?id=1000123": "1000123",
		"https://www.youtube.com/c/MaiVlog/videos":        "MaiVlog",
		"https://www.youtube.com/channel/UCx9z":           "UCx9z",
		"https://maivlog.vn/":                             "maivlog vn",
		"Nguyễn Thị Mai":                                  "Nguyễn Thị Mai",
		"Lê Ý":                                            "Lê Ý",
	}
	for in, want := range cases {
		r, err := db.ParseSearch(in, nil)
		if err != nil {
			t.Errorf("ParseSearch(%q): %v", in, err)
			continue
		}
		if r.Terms != want {
			t.Errorf("ParseSearch(%q).Terms = %q, want %q", in, r.Terms, want)
		}
	}
	for in, want := range map[string]string{
		"HTTPS://WWW.Facebook.com/MaiVlog/?ref=x#top": "facebook.com/maivlog?ref=x",
		"tiktok.com/@maivlog//":                       "tiktok.com/@maivlog",
		"@maivlog":                                    "",
	} {
		if r, _ := db.ParseSearch(in, nil); r.URLKey != want {
			t.Errorf("ParseSearch(%q).URLKey = %q, want %q", in, r.URLKey, want)
		}
	}
	r, _ := db.ParseSearch("Lê Ý", []string{db.SearchBrand, db.SearchInfluencer, db.SearchBrand})
	if r.TSQuery != "'Lê':* & 'Ý'" || !slices.Equal(r.Kinds, []string{db.SearchInfluencer, db.SearchBrand}) {
		t.Errorf("ParseSearch(Lê Ý) = %+v; want one-letter words matched whole and kinds in tie-break order", r)
	}
}

func TestSearch_NoMatchIsEmpty(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	pg := search(t, store, "zqxwvj kkqqpp", nil, 20, nil)
	if len(pg.Rows) != 0 || pg.HasNextPage || pg.HasPreviousPage {
		t.Fatalf("got %+v, want an empty page", pg)
	}
	req, _ := db.ParseSearch("zqxwvj kkqqpp", nil)
	if n, err := store.CountSearch(context.Background(), req); err != nil || n != 0 {
		t.Fatalf("CountSearch = %d, %v; want 0", n, err)
	}
}

func TestSearch_PagesWithoutLosingOrRepeatingRows(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	agency := newWorld(t, store).national
	var ids []int64
	for i := range 23 {
		res, err := store.RegisterInfluencer(context.Background(), agency, nil, db.NewInfluencer{DisplayName: fmt.Sprintf("Phạm Quế Lâm %02d", i+1)})
		ids = append(ids, register(t, res, err))
	}
	const query = "pham que lam"
	whole := search(t, store, query, []string{db.SearchInfluencer}, 100, nil)
	if whole.HasNextPage {
		t.Fatal("more than 100 results; the test expects fewer")
	}
	for _, id := range ids {
		if !slices.ContainsFunc(whole.Rows, func(h db.SearchHit) bool { return h.ID == id }) {
			t.Fatalf("influencer %d is missing from the results", id)
		}
	}
	// The order is total: descending score, then kind, then id.
	for i := 1; i < len(whole.Rows); i++ {
		a, b := whole.Rows[i-1], whole.Rows[i]
		if a.ScoreFloat() < b.ScoreFloat() || (a.Score == b.Score && a.ID >= b.ID) {
			t.Fatalf("rows %d and %d are out of order: %+v, %+v", i-1, i, a, b)
		}
	}
	var walked []db.SearchHit
	var after *string
	for page := 0; ; page++ {
		pg := search(t, store, query, []string{db.SearchInfluencer}, 4, after)
		if page > 0 != pg.HasPreviousPage {
			t.Fatalf("page %d: hasPreviousPage = %v", page, pg.HasPreviousPage)
		}
		walked = append(walked, pg.Rows...)
		if page == 1 {
			// A new row that ranks first must not shift the pages still to come.
			if _, err := store.RegisterInfluencer(context.Background(), agency, nil, db.NewInfluencer{DisplayName: "Phạm Quế Lâm"}); err != nil {
				t.Fatal(err)
			}
		}
		if !pg.HasNextPage {
			break
		}
		after = &pg.Cursors[len(pg.Cursors)-1]
	}
	if !slices.Equal(walked, whole.Rows) {
		t.Fatalf("walking pages of 4 gave %d rows, one page of 100 gave %d:\n%+v\n%+v", len(walked), len(whole.Rows), walked, whole.Rows)
	}
	req, _ := db.ParseSearch(query, []string{db.SearchInfluencer})
	if n, err := store.CountSearch(context.Background(), req); err != nil || n != len(whole.Rows)+1 {
		t.Fatalf("CountSearch = %d, %v; want %d (the page plus the row added while paging)", n, err, len(whole.Rows)+1)
	}

	// A cursor is tied to its search.
	req, _ = db.ParseSearch("pham que", []string{db.SearchInfluencer})
	cur, err := db.DecodeCursor(whole.Cursors[0])
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.Search(context.Background(), req, db.Page{Limit: 4, After: cur})
	if e, ok := errcode.As(err); !ok || e.Code != errcode.BadUserInput || e.Field != "after" {
		t.Fatalf("a cursor of another search gave %v, want BAD_USER_INPUT on after", err)
	}
}

// searchBroadInfluencers is the size of the registry of TestSearch_BroadQueriesRankAsFullScoring:
// the benchmark's generator, small enough for make test (a few seconds), large enough that the
// common words are broad (Nguyễn and Trần are held by more than SearchBroadHolders entities of a kind).
const searchBroadInfluencers = 6_000

// TestSearch_BroadQueriesRankAsFullScoring checks the broad path (search_word) against the full
// scoring of every candidate (SearchRequest.Exhaustive) on a generated registry of its own: the
// first pages are the same rows, fields, texts and scores in the same order; walking every page
// gives each holder once, in order, as many as totalCount; and writes keep the word index current.
func TestSearch_BroadQueriesRankAsFullScoring(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	database, err := dbtest.Create(ctx, "dbsearchbroad")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(database.Drop)
	store, err := db.Open(ctx, database.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := store.SQL().ExecContext(ctx, strings.Replace(benchSearchData, "$1::int", strconv.Itoa(searchBroadInfluencers), 1)); err != nil {
		t.Fatalf("generate: %v", err)
	}
	pages := func(query string, kinds []string, exhaustive bool, size, max int) []db.SearchHit {
		t.Helper()
		r, err := db.ParseSearch(query, kinds)
		if err != nil {
			t.Fatal(err)
		}
		r.Exhaustive = exhaustive
		var all []db.SearchHit
		p := db.Page{Limit: size}
		for len(all) < max {
			pg, err := store.Search(ctx, r, p)
			if err != nil {
				t.Fatalf("Search(%q, exhaustive %v): %v", query, exhaustive, err)
			}
			all = append(all, pg.Rows...)
			if !pg.HasNextPage {
				break
			}
			if p.After, err = db.DecodeCursor(pg.Cursors[len(pg.Cursors)-1]); err != nil {
				t.Fatal(err)
			}
		}
		return all
	}
	key := func(h db.SearchHit) string { return h.Kind + "/" + strconv.FormatInt(h.ID, 10) }
	for _, c := range []struct {
		query string
		kinds []string
	}{
		{"Nguyễn", nil}, {"TRAN", nil}, {"nguyen", []string{db.SearchInfluencer}}, {"Trần", []string{db.SearchPlatformAccount}},
		{"nguyen", []string{db.SearchPlatformAccount, db.SearchBrand}},
	} {
		r, _ := db.ParseSearch(c.query, c.kinds)
		total, err := store.CountSearch(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		// Every page: each holder once, in search order, totalCount of them.
		walked := pages(c.query, c.kinds, false, 100, 1<<30)
		if len(walked) != total || total < 400 {
			t.Fatalf("walking %q gave %d rows, totalCount %d (want equal, at least 400)", c.query, len(walked), total)
		}
		if plan, err := store.SearchPlan(ctx, r, db.Page{Limit: 20}); err != nil || !strings.Contains(plan, "search_word_pkey") || strings.Contains(plan, " %> ") {
			t.Fatalf("search(%q) is not read from the word index alone: %v\n%s", c.query, err, plan)
		}
		seen := map[string]bool{}
		for i, h := range walked {
			if seen[key(h)] {
				t.Fatalf("search(%q): row %d %+v repeats", c.query, i, h)
			}
			seen[key(h)] = true
			if i > 0 {
				a := walked[i-1]
				ka, kb := slices.Index(db.SearchKinds, a.Kind), slices.Index(db.SearchKinds, h.Kind)
				if a.ScoreFloat() < h.ScoreFloat() || (a.Score == h.Score && (ka > kb || (ka == kb && a.ID >= h.ID))) {
					t.Fatalf("search(%q): rows %d and %d are out of order: %+v, %+v", c.query, i-1, i, a, h)
				}
			}
		}
		// Pages of 20 cut across ties differently and give the same rows.
		if small := pages(c.query, c.kinds, false, 20, 200); !slices.Equal(small, walked[:len(small)]) {
			t.Fatalf("search(%q): pages of 20 differ from pages of 100", c.query)
		}
		// The full scoring ranks the same entities the same, with the same fields and scores;
		// it also finds entities that hold no word equal to the query (a longer word, a typo),
		// which a broad query leaves out (docs/search.md).
		// (The first 400 of the full scoring, of which the first 300 holders at least are compared.)
		full := pages(c.query, c.kinds, true, 100, 400)
		others := 0
		for _, h := range full[:min(len(full), 100)] {
			if !seen[key(h)] {
				others++
			}
		}
		full = slices.DeleteFunc(full, func(h db.SearchHit) bool { return !seen[key(h)] })
		if len(full) < 300 {
			t.Fatalf("search(%q): only %d of the full scoring's first 400 are found by the broad path", c.query, len(full))
		}
		if !slices.Equal(walked[:len(full)], full) {
			for i := range min(len(walked), len(full)) {
				if walked[i] != full[i] {
					t.Fatalf("search(%q) row %d: broad path %+v, full scoring %+v", c.query, i, walked[i], full[i])
				}
			}
			t.Fatalf("search(%q): broad path %d rows, full scoring %d of the same entities", c.query, len(walked), len(full))
		}
		if others > 0 {
			t.Errorf("search(%q): %d of the full scoring's first 100 are not found by the broad path", c.query, others)
		}
		t.Logf("search(%q, %v): %d results, first %+v; %d of the full scoring's first 100 are not among them", c.query, c.kinds, total, walked[0], others)
	}
	// Bounded candidates (docs/search.md): a query of several words whose page is full of
	// full-text matches scoring above 0.8 skips the trigram scans; every page is the same as the
	// full scoring's, and the queries where the bound does not hold (a typo, a rare name) too.
	for _, q := range []string{"nguyen thi", "Trần Văn", "le thi mai", "thi nguyen", "nguyen van a", "mai xinh", "hoang gia",
		"nguyen thi huogn", "dang khanh uyen", "vy vlog", "nuoc mam hanh phuc", "sao media", "nguyen thi huong"} {
		bounded, full := pages(q, nil, false, 20, 200), pages(q, nil, true, 20, 200)
		if len(bounded) == 0 || !slices.Equal(bounded, full) {
			t.Fatalf("search(%q): the bounded pages differ from the full scoring's:\n%+v\n%+v", q, bounded, full)
		}
	}
	for _, q := range []string{"nguyen thi", "Trần Văn"} { // the bound holds: no trigram scan runs
		r, _ := db.ParseSearch(q, nil)
		plan, err := store.SearchPlan(ctx, r, db.Page{Limit: 20})
		if err != nil || !strings.Contains(plan, "Bitmap Index Scan on influencer_search_trgm (never executed)") ||
			!strings.Contains(plan, "Bitmap Index Scan on platform_account_handle_trgm (never executed)") {
			t.Fatalf("search(%q) scans the trigram indexes: %v\n%s", q, err, plan)
		}
	}

	const query = "tran"

	// Writes keep the word index current: a new influencer named just the word ranks first
	// (score 1), and renamed away it is gone.
	agency := newWorld(t, store).national
	res, err := store.RegisterInfluencer(ctx, agency, nil, db.NewInfluencer{DisplayName: "Trần"})
	id := register(t, res, err)
	if top := pages(query, nil, false, 1, 1); top[0].ID != id || top[0].Score != "1.0000" || top[0].Field != "DISPLAY_NAME" {
		t.Fatalf("after registering Trần: first %+v, want influencer %d with 1.0000", top[0], id)
	}
	if _, err := store.UpdateInfluencer(ctx, agency, nil, db.InfluencerUpdate{InfluencerID: id, ExpectedVersion: 1, DisplayName: ptr("Lò Văn Khởi")}); err != nil {
		t.Fatal(err)
	}
	if top := pages(query, nil, false, 1, 1); top[0].ID == id {
		t.Fatalf("after renaming: %+v still found for %q", top[0], query)
	}
	if top := pages("khoi", nil, true, 1, 1); len(top) == 0 || top[0].ID != id {
		t.Fatalf("the renamed influencer is not found by its new name: %+v", top)
	}
}

// TestSearch_PastedAddressKeepsItsPlatform: a handle is unique per platform only, so a pasted
// Facebook address must not find another person's TikTok account of the same handle first; a
// numeric-ID address finds the account by its platform user ID; a short link is refused with why.
func TestSearch_PastedAddressKeepsItsPlatform(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	ctx := context.Background()
	agency := newWorld(t, store).national
	inf := func(name string) int64 {
		res, err := store.RegisterInfluencer(ctx, agency, nil, db.NewInfluencer{DisplayName: name})
		return register(t, res, err)
	}
	acct := func(influencer int64, platform, handle, userID string) int64 {
		in := db.NewPlatformAccount{InfluencerID: influencer, Platform: platform, Handle: handle}
		if userID != "" {
			in.PlatformUserID = &userID
		}
		res, err := store.AddPlatformAccount(ctx, agency, nil, in)
		return register(t, res, err)
	}
	quynh, other := inf("Quỳnh Nấu Ăn Tìm"), inf("Người Khác Tìm")
	tiktok := acct(other, "TIKTOK", "bepnhaquynhtim", "") // registered first: it would win the tie-break
	facebook := acct(quynh, "FACEBOOK", "bepnhaquynhtim", "100077001234")

	for _, c := range []struct{ query, field string }{
		{"https://www.facebook.com/bepnhaquynhtim", "HANDLE"},
		{"https://m.facebook.com/bepnhaquynhtim?ref=bookmarks", "HANDLE"},
		{"https://www.facebook.com/profile.php?id=100077001234", "PROFILE_URL"},
	} {
		pg := search(t, store, c.query, []string{db.SearchPlatformAccount}, 5, nil)
		if len(pg.Rows) == 0 || pg.Rows[0].ID != facebook || pg.Rows[0].Field != c.field {
			t.Errorf("search(%q) = %+v; want the Facebook account %d on %s first", c.query, pg.Rows, facebook, c.field)
		}
		for _, h := range pg.Rows {
			if h.ID == tiktok {
				t.Errorf("search(%q) found the TikTok account of the same handle: %+v", c.query, pg.Rows)
			}
		}
	}
	if pg := search(t, store, "https://www.tiktok.com/@bepnhaquynhtim", []string{db.SearchPlatformAccount}, 5, nil); len(pg.Rows) == 0 || pg.Rows[0].ID != tiktok {
		t.Errorf("the TikTok address: %+v, want the TikTok account %d", pg.Rows, tiktok)
	}
	// A bare handle names no platform: both accounts.
	if pg := search(t, store, "@bepnhaquynhtim", []string{db.SearchPlatformAccount}, 5, nil); len(pg.Rows) != 2 {
		t.Errorf("the bare handle: %+v, want both accounts", pg.Rows)
	}
	for _, q := range []string{"https://vt.tiktok.com/ZSabc123/", "https://youtu.be/dQw4w9WgXcQ", "fb.me/bepnhaquynhtim"} {
		_, err := db.ParseSearch(q, nil)
		e, ok := errcode.As(err)
		if !ok || e.Code != errcode.BadUserInput || !strings.Contains(e.Message, "only") {
			t.Errorf("ParseSearch(%q) = %v; want BAD_USER_INPUT saying only the platform can tell", q, err)
		}
	}
}

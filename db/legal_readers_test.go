package db_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/registry"
)

// Names are ordered as Vietnamese readers expect, across keyset pages: "Anh" < "Ánh" < "Dung" <
// "Đào" < "Vũ" (byte order would put Ánh and Đào after Vũ).
func TestInfluencers_OrderedByVietnameseCollationAcrossPages(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	ctx := context.Background()
	tag := fmt.Sprintf("Zcoll%d", len(t.Name()))
	names := []string{"Vũ " + tag, "Ánh " + tag, "Đào " + tag, "Dung " + tag, "Anh " + tag}
	for _, n := range names {
		if _, err := store.SQL().ExecContext(ctx, `INSERT INTO influencer (display_name) VALUES ($1)`, n); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	var after *string
	for range 1000 { // bounded: at most 1000 pages of 3
		first := 3
		p, err := db.NewPage(&first, nil, after, nil)
		if err != nil {
			t.Fatal(err)
		}
		pg, err := store.Influencers(ctx, db.InfluencerFilter{}, "DISPLAY_NAME", false, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range pg.Rows {
			if strings.HasSuffix(r.DisplayName, tag) {
				got = append(got, r.DisplayName)
			}
		}
		if !pg.HasNextPage {
			break
		}
		after = &pg.Cursors[len(pg.Cursors)-1]
	}
	want := []string{"Anh " + tag, "Ánh " + tag, "Dung " + tag, "Đào " + tag, "Vũ " + tag}
	if !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}

// The readers' filters and facets: decision number, product name (accents ignored, LIKE
// characters literal), standing and execution counts, the province facet under the successor
// unit, and the sums of the fines.
func TestSanctions_ReadersFiltersAndFacets(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	ctx := context.Background()
	w := newWorld(t, store)
	// A subject recorded in Bình Dương (VN-57), merged into Hồ Chí Minh City (VN-SG) in 2025.
	var binhDuong int64
	if err := store.SQL().QueryRowContext(ctx, `INSERT INTO influencer (display_name, province) VALUES ('Bình Dương KOL', 'VN-57') RETURNING id`).
		Scan(&binhDuong); err != nil {
		t.Fatal(err)
	}
	for i, subject := range []int64{w.hanoiKOL, w.saigonKOL, binhDuong} {
		in := validSanction(subject, fmt.Sprintf("%d/QĐ-XPHC", 501+i))
		in.FineVnd = int64(60_000_000 + i*10_000_000)
		res, err := store.RecordSanction(ctx, w.national, nil, in)
		id := register(t, res, err)
		if i == 1 {
			paid := "COMPLIED"
			if _, err := store.RecordSanctionExecution(ctx, w.national, nil, db.SanctionFactChange{SanctionID: id, Execution: &paid,
				EffectiveOn: date("2025-06-01"), Reason: "nộp phạt", ExpectedVersion: 1}); err != nil {
				t.Fatal(err)
			}
		}
	}
	mine := db.SanctionFilter{AgencyID: []int64{w.national.ID}}
	fc, err := store.FacetSanctions(ctx, mine)
	if err != nil {
		t.Fatal(err)
	}
	show := func(cs []db.FacetCount) string {
		var out []string
		for _, c := range cs {
			out = append(out, fmt.Sprintf("%s:%d:%d", c.Value, c.Count, c.SumVnd))
		}
		return strings.Join(out, " ")
	}
	if fc.TotalFineVnd != 210_000_000 {
		t.Errorf("totalFineVnd %d, want 210000000", fc.TotalFineVnd)
	}
	if got, want := show(fc.Province), "VN-SG:2:150000000 VN-HN:1:60000000"; got != want {
		t.Errorf("province facet %s, want %s", got, want)
	}
	if got, want := show(fc.Execution), "DUE:2:140000000 COMPLIED:1:70000000"; got != want {
		t.Errorf("execution facet %s, want %s", got, want)
	}
	if got, want := show(fc.Standing), "IN_FORCE:3:210000000"; got != want {
		t.Errorf("standing facet %s, want %s", got, want)
	}
	mine.DecisionNumber = []string{"502/QĐ-XPHC"}
	if n, err := store.CountSanctions(ctx, mine); err != nil || n != 1 {
		t.Errorf("by decision number: %d (%v), want 1", n, err)
	}
	mine.DecisionNumber, mine.Execution = nil, []string{string(registry.ExecutionComplied)}
	if n, err := store.CountSanctions(ctx, mine); err != nil || n != 1 {
		t.Errorf("by execution: %d (%v), want 1", n, err)
	}

	for _, c := range []struct {
		name string
		want int
	}{{"vien UONG", 1}, {"Viên", 1}, {"uống%", 0}, {"_iên", 0}, {"trà", 0}} {
		name := c.name
		n, err := store.CountDisclosures(ctx, db.DisclosureFilter{AgencyID: []int64{w.national.ID}, ProductName: &name})
		if err != nil || n != c.want {
			t.Errorf("productName %q: %d (%v), want %d", c.name, n, err, c.want)
		}
	}
	if db.MaxProvinces != len(registry.ProvincesFrom) {
		t.Errorf("db.MaxProvinces %d, registry has %d provincial units", db.MaxProvinces, len(registry.ProvincesFrom))
	}
}

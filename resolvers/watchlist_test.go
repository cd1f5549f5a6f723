package resolvers

import (
	"testing"

	"github.com/kolregistry/kolregistry/graph/model"
)

func TestWatchItems_ProfileURLsAreParsedPerPlatform(t *testing.T) {
	str := func(s string) *string { return &s }
	fb, tt := model.Platform("FACEBOOK"), model.Platform("TIKTOK")
	for _, c := range []struct {
		in             model.WatchlistItemInput
		platform, want string // want "" : refused
	}{
		{model.WatchlistItemInput{URL: str("https://www.facebook.com/bepnhaquynh")}, "FACEBOOK", "bepnhaquynh"},
		{model.WatchlistItemInput{URL: str("https://www.tiktok.com/@Bep.Nha.Quynh"), Platform: &tt}, "TIKTOK", "bep.nha.quynh"},
		{model.WatchlistItemInput{URL: str("https://www.facebook.com/bepnhaquynh"), Platform: &tt}, "", ""}, // platforms disagree
		{model.WatchlistItemInput{URL: str("https://vt.tiktok.com/ZS123abc/")}, "", ""},                     // a short link names no handle
		{model.WatchlistItemInput{Platform: &fb, Handle: str("@MaiVlog")}, "FACEBOOK", "maivlog"},
		{model.WatchlistItemInput{Handle: str("nohandleplatform")}, "", ""},
	} {
		items, err := watchItems([]*model.WatchlistItemInput{&c.in})
		if c.want == "" {
			if err == nil {
				t.Errorf("%+v accepted as %+v", c.in, items)
			}
			continue
		}
		if err != nil || items[0].Platform != c.platform || items[0].Handle != c.want {
			t.Errorf("%+v → %+v, %v; want %s %s", c.in, items, err, c.platform, c.want)
		}
	}
}

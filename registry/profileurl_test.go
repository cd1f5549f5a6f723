package registry

import "testing"

func TestParseProfile_ReadsEachPlatformsAddresses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want ProfileRef
	}{
		{"https://www.facebook.com/bepnhaquynh", ProfileRef{Platform: PlatformFacebook, Handle: "bepnhaquynh"}},
		{"https://m.facebook.com/bepnhaquynh/?ref=bookmarks", ProfileRef{Platform: PlatformFacebook, Handle: "bepnhaquynh"}},
		{"mobile.facebook.com/bepnhaquynh/posts/123", ProfileRef{Platform: PlatformFacebook, Handle: "bepnhaquynh"}},
		{"https://vi-vn.facebook.com/bepnhaquynh", ProfileRef{Platform: PlatformFacebook, Handle: "bepnhaquynh"}},
		{"https://www.facebook.com/profile.php?id=100044556677&sk=about", ProfileRef{Platform: PlatformFacebook, UserID: "100044556677"}},
		{"https://www.facebook.com/people/Bep-Nha-Quynh/100044556677/", ProfileRef{Platform: PlatformFacebook, UserID: "100044556677"}},
		{"https://www.facebook.com/100044556677", ProfileRef{Platform: PlatformFacebook, UserID: "100044556677"}},
		{"https://www.facebook.com/pg/bepnhaquynh/about", ProfileRef{Platform: PlatformFacebook, Handle: "bepnhaquynh"}},
		{"https://www.facebook.com/share/1AbCdEf/", ProfileRef{Platform: PlatformFacebook, Unresolved: ShortLink}},
		{"https://www.facebook.com/groups/123456", ProfileRef{Platform: PlatformFacebook, Unresolved: NotAProfile}},
		{"https://fb.me/bepnhaquynh", ProfileRef{Platform: PlatformFacebook, Unresolved: ShortLink}},
		{"https://www.tiktok.com/@bepnhaquynh/video/7412?lang=vi", ProfileRef{Platform: PlatformTikTok, Handle: "bepnhaquynh"}},
		{"tiktok.com/@Bep.Nha_Quynh", ProfileRef{Platform: PlatformTikTok, Handle: "Bep.Nha_Quynh"}},
		{"https://vt.tiktok.com/ZSabc123/", ProfileRef{Platform: PlatformTikTok, Unresolved: ShortLink}},
		{"https://vm.tiktok.com/ZMabc/", ProfileRef{Platform: PlatformTikTok, Unresolved: ShortLink}},
		{"https://www.tiktok.com/t/ZTabc/", ProfileRef{Platform: PlatformTikTok, Unresolved: ShortLink}},
		{"https://www.youtube.com/@bepnhaquynh/videos", ProfileRef{Platform: PlatformYouTube, Handle: "bepnhaquynh"}},
		{"https://m.youtube.com/channel/UCx9zAbc", ProfileRef{Platform: PlatformYouTube, UserID: "UCx9zAbc"}},
		{"https://www.youtube.com/c/MaiVlog/videos", ProfileRef{Platform: PlatformYouTube, Handle: "MaiVlog"}},
		{"https://www.youtube.com/user/MaiVlog", ProfileRef{Platform: PlatformYouTube, Handle: "MaiVlog"}},
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQ", ProfileRef{Platform: PlatformYouTube, Unresolved: ContentLink}},
		{"https://youtu.be/dQw4w9WgXcQ", ProfileRef{Platform: PlatformYouTube, Unresolved: ContentLink}},
		{"https://www.instagram.com/bepnhaquynh/", ProfileRef{Platform: PlatformInstagram, Handle: "bepnhaquynh"}},
		{"https://www.instagram.com/p/C0abc/", ProfileRef{Platform: PlatformInstagram, Unresolved: ContentLink}},
		{"https://www.threads.net/@bepnhaquynh", ProfileRef{Platform: PlatformThreads, Handle: "bepnhaquynh"}},
		{"https://twitter.com/bepnhaquynh/status/1", ProfileRef{Platform: PlatformX, Handle: "bepnhaquynh"}},
		{"https://x.com/bepnhaquynh", ProfileRef{Platform: PlatformX, Handle: "bepnhaquynh"}},
		{"https://t.co/abc", ProfileRef{Platform: PlatformX, Unresolved: ShortLink}},
		{"https://zalo.me/bepnhaquynh", ProfileRef{Platform: PlatformZalo, Handle: "bepnhaquynh"}},
		{"https://shopee.vn/bepnhaquynh", ProfileRef{Platform: PlatformShopee, Handle: "bepnhaquynh"}},
		{"https://shopee.vn/shop/123456789", ProfileRef{Platform: PlatformShopee, UserID: "123456789"}},
		{"https://shopee.vn/Nuoc-mam-i.123456789.987654", ProfileRef{Platform: PlatformShopee, UserID: "123456789"}},
		{"https://s.shopee.vn/abc", ProfileRef{Platform: PlatformShopee, Unresolved: ShortLink}},
		{"https://www.lazada.vn/shop/bep-nha-quynh/", ProfileRef{Platform: PlatformLazada, Handle: "bep-nha-quynh"}},
		{"https://www.lazada.vn/products/abc-i123.html", ProfileRef{Platform: PlatformLazada, Unresolved: ContentLink}},
		{"https://maivlog.vn/", ProfileRef{Handle: "maivlog.vn", Site: true}},
		{"@bepnhaquynh", ProfileRef{Handle: "bepnhaquynh"}},
	}
	for _, c := range cases {
		got, ok := ParseProfile(c.in)
		got.Host = ""
		if !ok || got != c.want {
			t.Errorf("ParseProfile(%q) = %+v, %v; want %+v", c.in, got, ok, c.want)
		}
	}
	for _, notAddress := range []string{"Bếp Nhà Quỳnh", "bepnhaquynh", "", "@", "Quỳnh Bếp / Nhà"} {
		if got, ok := ParseProfile(notAddress); ok {
			t.Errorf("ParseProfile(%q) = %+v; want no address or handle", notAddress, got)
		}
	}
}

func TestDecide_SameNameTwiceIsOnlyAPossibleMatch(t *testing.T) {
	t.Parallel()
	q := ReadCandidate(ScreenCandidate{Name: "Phạm Minh Khôi"})
	out := Decide(q, []ScreenEvidence{
		{InfluencerID: 1, InfluencerName: "Phạm Minh Khôi", Field: "DISPLAY_NAME", Text: "Phạm Minh Khôi", Score: 1},
		{InfluencerID: 2, InfluencerName: "Phạm Minh Khôi", Field: "DISPLAY_NAME", Text: "Phạm Minh Khôi", Score: 1},
	})
	if out.Decision != ScreenPossibleMatch || out.Best.InfluencerID != 1 || len(out.Alternatives) != 1 {
		t.Fatalf("got %+v", out)
	}
	out = Decide(q, []ScreenEvidence{{InfluencerID: 1, InfluencerName: "Phạm Minh Khôi", Field: "DISPLAY_NAME", Text: "Phạm Minh Khôi", Score: 1}})
	if out.Decision != ScreenMatch || out.Score != WeightName {
		t.Fatalf("one holder of the name: got %+v", out)
	}
}

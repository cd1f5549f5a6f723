package registry

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Profile addresses: what a pasted link or handle names, per platform (docs/screening.md, "URL
// forms"). Search and screening both read addresses through ParseProfile, so a link means the
// same account in both. Nothing here fetches anything: a link that only the platform can expand
// (vt.tiktok.com/…, fb.me/…) is recognised and explained, never followed.

// Platform is a social or commerce platform an account lives on.
type Platform string

// The values of Platform.
const (
	PlatformFacebook  Platform = "FACEBOOK"
	PlatformTikTok    Platform = "TIKTOK"
	PlatformYouTube   Platform = "YOUTUBE"
	PlatformInstagram Platform = "INSTAGRAM"
	PlatformZalo      Platform = "ZALO"
	PlatformThreads   Platform = "THREADS"
	PlatformX         Platform = "X"
	PlatformShopee    Platform = "SHOPEE"
	PlatformLazada    Platform = "LAZADA"
	PlatformOther     Platform = "OTHER"
)

// Platforms are all values of Platform, in the schema's order.
var Platforms = []Platform{PlatformFacebook, PlatformTikTok, PlatformYouTube, PlatformInstagram, PlatformZalo,
	PlatformThreads, PlatformX, PlatformShopee, PlatformLazada, PlatformOther}

// Valid reports whether p is a value of Platform.
func (p Platform) Valid() bool { return slices.Contains(Platforms, p) }

// Label is the platform's name as a person writes it ("TikTok").
func (p Platform) Label() string { return Text("Platform", string(p), EN) }

// Unresolved says why a link names no account the registry can look up.
type Unresolved string

// The values of Unresolved.
const (
	// ShortLink: a short or share link (vt.tiktok.com/ZS…, fb.me/…, facebook.com/share/…) that
	// only the platform can expand. The registry never fetches it.
	ShortLink Unresolved = "SHORT_LINK"
	// ContentLink: the address of a video, post or product (youtu.be/…, youtube.com/watch?v=…,
	// instagram.com/p/…), not of a profile; whose it is, only the platform knows.
	ContentLink Unresolved = "CONTENT_LINK"
	// NotAProfile: an address on a platform that names no profile (a group, a search, the home page).
	NotAProfile Unresolved = "NOT_A_PROFILE"
)

// ProfileRef is what a pasted profile address or handle names.
type ProfileRef struct {
	// Platform is the platform of the address; "" for a bare handle or a site the parser does not know.
	Platform Platform
	// Handle is the account's handle without @ ("" when the address names only an ID).
	Handle string
	// UserID is the platform's own identifier of the account when the address carries one:
	// facebook.com/profile.php?id=…, facebook.com/people/…/ID, youtube.com/channel/UC…,
	// shopee.vn/shop/ID. It is compared with an account's platformUserId.
	UserID string
	// Host is the address's host, lower case, without www. ("" for a bare handle).
	Host string
	// Site is true for the address of a site the parser does not know: Handle is then what
	// search reads from it (first path segment, else the host), not a known handle.
	Site bool
	// Unresolved says why the address names no account to look up ("" when it names one).
	Unresolved Unresolved
}

// IsURL reports whether the reference came from an address rather than a bare handle.
func (p ProfileRef) IsURL() bool { return p.Host != "" }

// platformHosts are the hosts of each platform's profile pages (after hostPrefixes are removed).
var platformHosts = map[string]Platform{
	"facebook.com": PlatformFacebook, "fb.com": PlatformFacebook,
	"tiktok.com":    PlatformTikTok,
	"youtube.com":   PlatformYouTube,
	"instagram.com": PlatformInstagram, "instagr.am": PlatformInstagram,
	"zalo.me":     PlatformZalo,
	"threads.net": PlatformThreads, "threads.com": PlatformThreads,
	"x.com": PlatformX, "twitter.com": PlatformX,
	"shopee.vn": PlatformShopee,
	"lazada.vn": PlatformLazada,
}

// shortHosts are hosts whose every link is a short link only the platform can expand, and
// contentHosts those whose links name a video (youtu.be/ID is youtube.com/watch?v=ID: a video,
// whose channel only YouTube knows).
var (
	shortHosts = map[string]Platform{
		"vt.tiktok.com": PlatformTikTok, "vm.tiktok.com": PlatformTikTok,
		"fb.me": PlatformFacebook, "fb.watch": PlatformFacebook, "on.fb.me": PlatformFacebook,
		"t.co":        PlatformX,
		"s.shopee.vn": PlatformShopee, "shp.ee": PlatformShopee,
		"s.lazada.vn": PlatformLazada, "c.lazada.vn": PlatformLazada,
	}
	contentHosts = map[string]Platform{"youtu.be": PlatformYouTube}
)

// hostPrefixes are subdomains that serve the same profiles as the bare host: www., mobile and
// basic sites (m., mobile., mbasic., touch., web.), YouTube Music, Facebook's language sites
// (vi-vn.facebook.com).
var (
	hostPrefixes = []string{"www.", "m.", "mobile.", "mbasic.", "touch.", "web.", "music.", "business."}
	localePrefix = regexp.MustCompile(`^[a-z]{2}-[a-z]{2}\.`)
	digits       = regexp.MustCompile(`^[0-9]+$`)
	// shopeeItem is a Shopee product address, name-i.SHOPID.ITEMID: it carries the shop's ID.
	shopeeItem = regexp.MustCompile(`-i\.([0-9]+)\.[0-9]+$`)
)

// Path words that are never a handle, per platform: where they come first, the address is not a
// profile (or, for the words in profilePathWords, the profile follows).
var (
	facebookNotProfile  = []string{"groups", "events", "watch", "photo", "photo.php", "photos", "video.php", "reel", "reels", "hashtag", "marketplace", "login", "login.php", "search", "gaming", "stories", "home.php", "help", "privacy", "policies", "ads", "business", "sharer.php", "sharer"}
	facebookShort       = []string{"share", "l.php"}
	tiktokNotProfile    = []string{"video", "discover", "tag", "music", "search", "explore", "live", "foryou", "following", "login"}
	youtubeContent      = []string{"watch", "shorts", "live", "playlist", "embed", "clip", "post"}
	youtubeNotProfile   = []string{"results", "feed", "hashtag", "gaming", "premium", "account"}
	instagramContent    = []string{"p", "reel", "reels", "tv"}
	instagramNotProfile = []string{"explore", "accounts", "direct", "about", "developer", "legal"}
	xNotProfile         = []string{"i", "intent", "home", "search", "hashtag", "explore", "notifications", "messages", "settings", "login", "share"}
	lazadaContent       = []string{"products", "catalog", "tag"}
)

// ParseProfile reads a pasted profile address or handle. ok is false for text that is neither
// (a name): an address starts with http(s)://, with www., or with a host and a path
// ("facebook.com/maivlog"); a handle starts with @. A bare word without @ is no handle here:
// the caller decides whether to read it as one.
func ParseProfile(s string) (ref ProfileRef, ok bool) {
	s = strings.TrimSpace(s)
	if h, found := strings.CutPrefix(s, "@"); found {
		h = strings.TrimLeft(h, "@")
		if h == "" || strings.ContainsAny(h, " /") {
			return ProfileRef{}, false
		}
		return ProfileRef{Handle: h}, true
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
	case strings.HasPrefix(lower, "www.") || (strings.Contains(s, "/") && strings.Contains(strings.SplitN(s, "/", 2)[0], ".") &&
		!strings.ContainsAny(strings.SplitN(s, "/", 2)[0], " @")):
		s = "https://" + s
	default:
		return ProfileRef{}, false
	}
	u, err := url.Parse(s)
	if err != nil || u.Hostname() == "" {
		return ProfileRef{Unresolved: NotAProfile}, true // an address naming nothing
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	var segs []string
	for _, p := range strings.Split(u.Path, "/") {
		if p != "" {
			segs = append(segs, p)
		}
	}
	if p, short := shortHosts[host]; short {
		return ProfileRef{Platform: p, Host: host, Unresolved: ShortLink}, true
	}
	if p, content := contentHosts[host]; content {
		return ProfileRef{Platform: p, Host: host, Unresolved: ContentLink}, true
	}
	bare := host
	for changed := true; changed; {
		changed = false
		for _, pre := range hostPrefixes {
			if rest, cut := strings.CutPrefix(bare, pre); cut && strings.Contains(rest, ".") {
				bare, changed = rest, true
			}
		}
	}
	if loc := localePrefix.FindString(bare); loc != "" && platformHosts[bare[len(loc):]] == PlatformFacebook {
		bare = bare[len(loc):]
	}
	ref = ProfileRef{Host: bare}
	p, known := platformHosts[bare]
	if !known {
		return siteRef(ref, u, segs), true
	}
	ref.Platform = p
	first := ""
	if len(segs) > 0 {
		first = strings.ToLower(segs[0])
	}
	at := ""
	for _, seg := range segs {
		if strings.HasPrefix(seg, "@") && len(seg) > 1 {
			at = seg[1:]
			break
		}
	}
	q := u.Query()
	switch p {
	case PlatformFacebook:
		switch {
		case first == "profile.php" || first == "story.php" || first == "permalink.php":
			ref.UserID = q.Get("id")
		case first == "people" && len(segs) >= 3 && digits.MatchString(segs[2]):
			ref.UserID = segs[2]
		case first == "pages" && len(segs) >= 2 && digits.MatchString(segs[len(segs)-1]):
			ref.UserID = segs[len(segs)-1]
		case first == "pg" && len(segs) >= 2:
			ref.Handle = segs[1]
		case slices.Contains(facebookShort, first):
			ref.Unresolved = ShortLink
		case first == "" || slices.Contains(facebookNotProfile, first):
			ref.Unresolved = NotAProfile
		case digits.MatchString(first): // facebook.com/100012345 is the profile of that ID
			ref.UserID = segs[0]
		default:
			ref.Handle = segs[0]
		}
	case PlatformTikTok:
		switch {
		case at != "":
			ref.Handle = at
		case first == "t":
			ref.Unresolved = ShortLink
		case first == "" || slices.Contains(tiktokNotProfile, first):
			ref.Unresolved = NotAProfile
		default: // tiktok.com/maivlog: TikTok itself redirects it to /@maivlog
			ref.Handle = segs[0]
		}
	case PlatformYouTube:
		switch {
		case at != "":
			ref.Handle = at
		case first == "channel" && len(segs) >= 2:
			ref.UserID = segs[1]
		case (first == "c" || first == "user") && len(segs) >= 2:
			ref.Handle = segs[1]
		case slices.Contains(youtubeContent, first):
			ref.Unresolved = ContentLink
		case first == "" || slices.Contains(youtubeNotProfile, first) || first == "channel" || first == "c" || first == "user":
			ref.Unresolved = NotAProfile
		default: // a legacy custom address, youtube.com/MaiVlog
			ref.Handle = segs[0]
		}
	case PlatformInstagram:
		switch {
		case first == "stories" && len(segs) >= 2:
			ref.Handle = segs[1]
		case slices.Contains(instagramContent, first):
			ref.Unresolved = ContentLink
		case first == "" || slices.Contains(instagramNotProfile, first):
			ref.Unresolved = NotAProfile
		default:
			ref.Handle = strings.TrimPrefix(segs[0], "@")
		}
	case PlatformThreads:
		switch {
		case at != "":
			ref.Handle = at
		case first == "t":
			ref.Unresolved = ShortLink
		default:
			ref.Unresolved = NotAProfile
		}
	case PlatformX:
		switch {
		case first == "" || slices.Contains(xNotProfile, first):
			ref.Unresolved = NotAProfile
		default:
			ref.Handle = strings.TrimPrefix(segs[0], "@")
		}
	case PlatformZalo:
		switch {
		case first == "" || first == "s":
			ref.Unresolved = NotAProfile
		default:
			ref.Handle = segs[0]
		}
	case PlatformShopee:
		switch {
		case first == "shop" && len(segs) >= 2 && digits.MatchString(segs[1]):
			ref.UserID = segs[1]
		case len(segs) >= 1 && shopeeItem.MatchString(segs[len(segs)-1]):
			ref.UserID = shopeeItem.FindStringSubmatch(segs[len(segs)-1])[1] // the product's shop
		case first == "" || first == "search" || first == "product" || first == "mall" || first == "shop" || first == "cart":
			ref.Unresolved = NotAProfile
		default:
			ref.Handle = segs[0]
		}
	case PlatformLazada:
		switch {
		case first == "shop" && len(segs) >= 2:
			ref.Handle = segs[1]
		case slices.Contains(lazadaContent, first):
			ref.Unresolved = ContentLink
		default:
			ref.Unresolved = NotAProfile
		}
	}
	if ref.Handle == "" && ref.UserID == "" && ref.Unresolved == "" {
		ref.Unresolved = NotAProfile
	}
	return ref, true
}

// siteSkip are path segments of a site the parser does not know that are not the handle.
var siteSkip = []string{"c", "channel", "user", "u", "in", "profile.php", "people", "pages", "pg", "shop", "vn", "m"}

// siteRef reads an address on a site the parser does not know as search always has: an @segment,
// an id= parameter, the first path segment that is not a fixed word, else the site's name.
func siteRef(ref ProfileRef, u *url.URL, segs []string) ProfileRef {
	ref.Site = true
	for _, p := range segs {
		if strings.HasPrefix(p, "@") && len(p) > 1 {
			ref.Handle = p[1:]
			return ref
		}
	}
	if id := u.Query().Get("id"); id != "" {
		ref.Handle = id
		return ref
	}
	for _, p := range segs {
		if !slices.Contains(siteSkip, strings.ToLower(p)) {
			ref.Handle = p
			return ref
		}
	}
	ref.Handle = ref.Host
	return ref
}

// Why is a sentence, in both languages, saying why the address names no account to look up.
func (p ProfileRef) Why() Reason {
	name := "the platform"
	nameVi := "nền tảng"
	if p.Platform != "" {
		name, nameVi = p.Platform.Label(), p.Platform.Label()
	}
	switch p.Unresolved {
	case ShortLink:
		return Reason{
			EN: "\"" + p.Host + "\" is a short link that only " + name + " can expand; the registry does not follow links. Open it and paste the profile address it leads to.",
			VI: "\"" + p.Host + "\" là liên kết rút gọn chỉ " + nameVi + " mới giải mã được; hệ thống không mở liên kết. Hãy mở liên kết và dán địa chỉ trang cá nhân mà nó dẫn tới.",
		}
	case ContentLink:
		return Reason{
			EN: "The address is of a video, post or product on " + name + ", not of a profile; whose it is, only " + name + " knows. Paste the profile or channel address.",
			VI: "Địa chỉ này là của một video, bài đăng hoặc sản phẩm trên " + nameVi + ", không phải trang cá nhân; chỉ " + nameVi + " biết của ai. Hãy dán địa chỉ trang cá nhân hoặc kênh.",
		}
	case NotAProfile:
		return Reason{
			EN: "The address names no profile (a group, a search, a home page or an incomplete link).",
			VI: "Địa chỉ không chỉ tới trang cá nhân nào (nhóm, trang tìm kiếm, trang chủ hoặc liên kết không đầy đủ).",
		}
	}
	return Reason{}
}

// Reason is one sentence in Vietnamese and English.
type Reason struct{ VI, EN string }

// In returns the sentence in lang.
func (r Reason) In(lang Lang) string {
	if lang == EN {
		return r.EN
	}
	return r.VI
}

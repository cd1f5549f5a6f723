package registry

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Screening: does a person a brand is about to hire appear in the registry? A candidate is
// any of a name, a handle, a profile address and a platform; the store finds the influencers
// whose names resemble the name and whose accounts carry the handle or the address's account;
// Decide weighs what was found into a decision with a score and an explanation a compliance
// officer can read. docs/screening.md is the specification of the weights and thresholds.

// ScreenDecision is the outcome of screening one candidate.
type ScreenDecision string

// The values of ScreenDecision.
const (
	ScreenMatch         ScreenDecision = "MATCH"
	ScreenPossibleMatch ScreenDecision = "POSSIBLE_MATCH"
	ScreenNoMatch       ScreenDecision = "NO_MATCH"
)

// Thresholds of the decision (docs/screening.md, "Decisions").
const (
	// ScreenMatchScore is the score a MATCH needs, with no other influencer within
	// ScreenAmbiguityMargin of it.
	ScreenMatchScore = 0.85
	// ScreenPossibleScore is the score below which a candidate is NO_MATCH.
	ScreenPossibleScore = 0.5
	// ScreenAmbiguityMargin: an influencer scoring within this of the best makes the best only
	// a POSSIBLE_MATCH (two people with one name; an address and a name naming two people).
	ScreenAmbiguityMargin = 0.08
)

// Weights of each kind of evidence: an influencer's score combines its best name evidence n and
// its best account evidence a as 1 − (1 − n)(1 − a), so agreeing evidence raises it and either
// alone gives its own weight.
const (
	// WeightAccount: an account on the candidate's platform with its handle or platform user ID.
	// Below 1, so that a name agreeing with it still adds (0.997): an address and a name of the
	// same person outrank another person of that name by more than ScreenAmbiguityMargin, while
	// an address of one person and the exact name of another (0.97 against 0.9) stay ambiguous.
	WeightAccount = 0.97
	// WeightHandleAnyPlatform: an account with the handle, when the candidate names no platform.
	WeightHandleAnyPlatform = 0.93
	// WeightName multiplies the name's search score (1 when equal ignoring case and diacritics).
	WeightName = 0.9
	// WeightHandleOtherPlatform: an account with the same handle on another platform than the
	// candidate's. Handles are unique per platform only: alone it is never a possible match.
	WeightHandleOtherPlatform = 0.4
)

// ScreenMaxCandidates is the most candidates one screening takes.
const ScreenMaxCandidates = 100

// ScreenMaxAlternatives is the most other influencers a result lists beside its best match.
const ScreenMaxAlternatives = 5

// ScreenCandidate is one person to screen, as given.
type ScreenCandidate struct {
	Name, Handle, URL string
	Platform          Platform
}

// ScreenQuery is a candidate read: the name to look up, the account reference (from the
// address, else the handle) with the platform it must be on, and notes on what was given.
type ScreenQuery struct {
	Name string
	// Ref is the account to look up; HasRef is false when the candidate gives neither a handle
	// nor an address naming an account.
	Ref    ProfileRef
	HasRef bool
	Notes  []Reason
}

// Empty reports whether there is nothing to look up.
func (q ScreenQuery) Empty() bool { return q.Name == "" && !q.HasRef }

// ReadCandidate reads a candidate: the address, when it names an account, wins over the handle;
// its platform wins over the candidate's platform (with a note when they disagree). A short
// link or a video's address is noted and never fetched.
func ReadCandidate(c ScreenCandidate) ScreenQuery {
	q := ScreenQuery{Name: strings.TrimSpace(c.Name)}
	handle := strings.TrimLeft(strings.TrimSpace(c.Handle), "@")
	if u := strings.TrimSpace(c.URL); u != "" {
		ref, ok := ParseProfile(u)
		if !ok { // not an address: maybe a handle typed in the wrong column
			ref, ok = ParseProfile("@" + strings.TrimLeft(u, "@"))
			if ok && handle == "" {
				q.Notes = append(q.Notes, Reason{
					EN: fmt.Sprintf("%q is not a web address; it was read as a handle.", u),
					VI: fmt.Sprintf("%q không phải địa chỉ web; đã được đọc như tên tài khoản.", u),
				})
				handle = ref.Handle
			}
			ok = false
		}
		switch {
		case ok && ref.Unresolved != "":
			q.Notes = append(q.Notes, ref.Why())
		case ok && ref.Site:
			q.Notes = append(q.Notes, Reason{
				EN: fmt.Sprintf("%q is not the address of a platform the registry knows; only the name and handle were screened.", ref.Host),
				VI: fmt.Sprintf("%q không phải địa chỉ của nền tảng mà hệ thống biết; chỉ tên và tên tài khoản được đối chiếu.", ref.Host),
			})
		case ok:
			if c.Platform != "" && c.Platform != ref.Platform {
				q.Notes = append(q.Notes, Reason{
					EN: fmt.Sprintf("The address is on %s but the platform given is %s; the address's platform was used.", ref.Platform.Label(), c.Platform.Label()),
					VI: fmt.Sprintf("Địa chỉ thuộc %s nhưng nền tảng ghi là %s; đã dùng nền tảng của địa chỉ.", ref.Platform.Label(), c.Platform.Label()),
				})
			}
			if handle != "" && ref.Handle != "" && !strings.EqualFold(handle, ref.Handle) {
				q.Notes = append(q.Notes, Reason{
					EN: fmt.Sprintf("The handle given (@%s) differs from the address's (@%s); the address's was used.", handle, ref.Handle),
					VI: fmt.Sprintf("Tên tài khoản ghi (@%s) khác với tên trong địa chỉ (@%s); đã dùng tên trong địa chỉ.", handle, ref.Handle),
				})
			}
			q.Ref, q.HasRef = ref, true
			return q
		}
	}
	if handle != "" {
		q.Ref, q.HasRef = ProfileRef{Handle: handle, Platform: c.Platform}, true
	}
	return q
}

// ScreenEvidence is one thing the store found for a candidate.
type ScreenEvidence struct {
	InfluencerID   int64
	InfluencerName string // display name, for the explanation
	// Account is true for an account found by handle or platform user ID, false for a name.
	Account bool
	// Field is what matched: DISPLAY_NAME, LEGAL_NAME or ALIAS for a name; HANDLE or
	// PROFILE_URL (the platform user ID of the address) for an account.
	Field string
	// Text is the matched name or handle as recorded.
	Text     string
	Platform Platform // the account's
	// Score is a name's search score (0..1; 1: equal ignoring case and diacritics); 1 for an account.
	Score float64
}

// ScreenMatchOf is one influencer weighed for a candidate.
type ScreenMatchOf struct {
	InfluencerID int64
	Name         string
	Score        float64
	// Evidence is what counts for it: its best name and its best account evidence.
	Evidence []ScreenEvidence
	weights  []float64
}

// ScreenOutcome is a candidate's decision, its score (the best influencer's, 0 when none), the
// best influencer (nil for NO_MATCH), the others weighed (best first, at most
// ScreenMaxAlternatives) and the explanation.
type ScreenOutcome struct {
	Decision     ScreenDecision
	Score        float64
	Best         *ScreenMatchOf
	Alternatives []ScreenMatchOf
	Explanation  []Reason
}

// weight is what one piece of evidence is worth for query q.
func weight(q ScreenQuery, e ScreenEvidence) float64 {
	switch {
	case !e.Account:
		return WeightName * e.Score
	case q.Ref.Platform == "":
		return WeightHandleAnyPlatform
	case e.Platform == q.Ref.Platform:
		return WeightAccount
	}
	return WeightHandleOtherPlatform
}

// Decide weighs the evidence found for query q (docs/screening.md).
func Decide(q ScreenQuery, found []ScreenEvidence) ScreenOutcome {
	var out ScreenOutcome
	out.Explanation = append(out.Explanation, q.Notes...)
	if q.Empty() {
		out.Decision = ScreenNoMatch
		out.Explanation = append(out.Explanation, Reason{
			EN: "Nothing to screen: give a name, a handle or a profile address.",
			VI: "Không có gì để đối chiếu: hãy ghi tên, tên tài khoản hoặc địa chỉ trang cá nhân.",
		})
		return out
	}
	byID := map[int64]*ScreenMatchOf{}
	var order []int64
	for _, e := range found {
		m := byID[e.InfluencerID]
		if m == nil {
			m = &ScreenMatchOf{InfluencerID: e.InfluencerID, Name: e.InfluencerName}
			byID[e.InfluencerID] = m
			order = append(order, e.InfluencerID)
		}
		w := weight(q, e)
		// Keep the best evidence of each kind (name, account).
		replaced := false
		for i, have := range m.Evidence {
			if have.Account == e.Account {
				if w > m.weights[i] {
					m.Evidence[i], m.weights[i] = e, w
				}
				replaced = true
			}
		}
		if !replaced {
			m.Evidence, m.weights = append(m.Evidence, e), append(m.weights, w)
		}
	}
	ranked := make([]ScreenMatchOf, 0, len(order))
	for _, id := range order {
		m := byID[id]
		miss := 1.0
		for _, w := range m.weights {
			miss *= 1 - w
		}
		m.Score = math.Round((1-miss)*10000) / 10000
		slices.SortFunc(m.Evidence, func(a, b ScreenEvidence) int { // accounts first
			if a.Account != b.Account {
				if a.Account {
					return -1
				}
				return 1
			}
			return 0
		})
		ranked = append(ranked, *m)
	}
	slices.SortStableFunc(ranked, func(a, b ScreenMatchOf) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		case a.InfluencerID < b.InfluencerID:
			return -1
		case a.InfluencerID > b.InfluencerID:
			return 1
		}
		return 0
	})

	if len(ranked) == 0 || ranked[0].Score < ScreenPossibleScore {
		out.Decision = ScreenNoMatch
		if len(ranked) > 0 {
			out.Score = ranked[0].Score
		}
		out.Alternatives = ranked[:min(len(ranked), ScreenMaxAlternatives)]
		out.Explanation = append(out.Explanation, q.lookedFor(), Reason{
			EN: fmt.Sprintf("NO_MATCH: no influencer in the registry scores %.2f or more.", ScreenPossibleScore),
			VI: fmt.Sprintf("KHÔNG KHỚP: không người có ảnh hưởng nào trong sổ đạt %.2f điểm trở lên.", ScreenPossibleScore),
		})
		for _, m := range out.Alternatives {
			out.Explanation = append(out.Explanation, alternativeLine(q, m)...)
		}
		return out
	}
	best := ranked[0]
	out.Best, out.Score = &best, best.Score
	out.Alternatives = ranked[1:min(len(ranked), 1+ScreenMaxAlternatives)]
	near := 0
	for _, m := range out.Alternatives {
		if m.Score >= best.Score-ScreenAmbiguityMargin {
			near++
		}
	}
	for _, e := range best.Evidence {
		out.Explanation = append(out.Explanation, evidenceLine(q, best.Name, e))
	}
	if q.Name != "" && !slices.ContainsFunc(best.Evidence, func(e ScreenEvidence) bool { return !e.Account }) {
		out.Explanation = append(out.Explanation, Reason{
			EN: fmt.Sprintf("The name given (%q) does not resemble any name of %s on record.", q.Name, best.Name),
			VI: fmt.Sprintf("Tên ghi (%q) không giống tên nào của %s trong sổ.", q.Name, best.Name),
		})
	}
	switch {
	case best.Score >= ScreenMatchScore && near == 0:
		out.Decision = ScreenMatch
		out.Explanation = append(out.Explanation, Reason{
			EN: fmt.Sprintf("MATCH: score %s (at least %.2f), and no other influencer within %.2f of it.", fmtScore(best.Score), ScreenMatchScore, ScreenAmbiguityMargin),
			VI: fmt.Sprintf("KHỚP: %s điểm (từ %.2f trở lên), không người nào khác trong khoảng %.2f điểm.", fmtScore(best.Score), ScreenMatchScore, ScreenAmbiguityMargin),
		})
	case near > 0:
		out.Decision = ScreenPossibleMatch
		out.Explanation = append(out.Explanation, Reason{
			EN: fmt.Sprintf("POSSIBLE_MATCH: %d influencers score within %.2f of each other (best %s); a handle or a profile address would tell them apart.", near+1, ScreenAmbiguityMargin, fmtScore(best.Score)),
			VI: fmt.Sprintf("CÓ THỂ KHỚP: %d người có điểm chênh nhau dưới %.2f (cao nhất %s); tên tài khoản hoặc địa chỉ trang cá nhân sẽ giúp phân biệt.", near+1, ScreenAmbiguityMargin, fmtScore(best.Score)),
		})
	default:
		out.Decision = ScreenPossibleMatch
		out.Explanation = append(out.Explanation, Reason{
			EN: fmt.Sprintf("POSSIBLE_MATCH: score %s, below the %.2f of a match: check the record before relying on it.", fmtScore(best.Score), ScreenMatchScore),
			VI: fmt.Sprintf("CÓ THỂ KHỚP: %s điểm, dưới mức %.2f của khớp: hãy kiểm tra hồ sơ trước khi dựa vào.", fmtScore(best.Score), ScreenMatchScore),
		})
	}
	for _, m := range out.Alternatives {
		out.Explanation = append(out.Explanation, alternativeLine(q, m)...)
	}
	return out
}

// lookedFor says what was looked up, for a NO_MATCH.
func (q ScreenQuery) lookedFor() Reason {
	var en, vi []string
	if q.Name != "" {
		en, vi = append(en, fmt.Sprintf("the name %q", q.Name)), append(vi, fmt.Sprintf("tên %q", q.Name))
	}
	if q.HasRef {
		a, av := q.Ref.describe()
		en, vi = append(en, a), append(vi, av)
	}
	return Reason{
		EN: "Looked for " + strings.Join(en, " and ") + ".",
		VI: "Đã tìm " + strings.Join(vi, " và ") + ".",
	}
}

// describe names the account a reference looks for, in English and Vietnamese.
func (p ProfileRef) describe() (en, vi string) {
	what, whatVi := "@"+p.Handle, "@"+p.Handle
	if p.Handle == "" {
		what, whatVi = "user ID "+p.UserID, "mã tài khoản "+p.UserID
	} else if p.UserID != "" {
		what += " (user ID " + p.UserID + ")"
		whatVi += " (mã tài khoản " + p.UserID + ")"
	}
	if p.Platform == "" {
		return "an account " + what + " on any platform", "tài khoản " + whatVi + " trên mọi nền tảng"
	}
	return "the " + p.Platform.Label() + " account " + what, "tài khoản " + p.Platform.Label() + " " + whatVi
}

// evidenceLine explains one piece of evidence for influencer name.
func evidenceLine(q ScreenQuery, name string, e ScreenEvidence) Reason {
	if e.Account {
		acct := e.Platform.Label() + " account @" + strings.TrimLeft(e.Text, "@")
		acctVi := "tài khoản " + e.Platform.Label() + " @" + strings.TrimLeft(e.Text, "@")
		switch {
		case e.Field == "PROFILE_URL":
			return Reason{
				EN: fmt.Sprintf("The address's user ID %s is that of the %s of %s.", q.Ref.UserID, acct, name),
				VI: fmt.Sprintf("Mã tài khoản %s trong địa chỉ là của %s của %s.", q.Ref.UserID, acctVi, name),
			}
		case q.Ref.Platform == "":
			return Reason{
				EN: fmt.Sprintf("The handle @%s is that of the %s of %s (no platform given: every platform was searched).", q.Ref.Handle, acct, name),
				VI: fmt.Sprintf("Tên tài khoản @%s là của %s của %s (không ghi nền tảng: đã tìm trên mọi nền tảng).", q.Ref.Handle, acctVi, name),
			}
		case e.Platform == q.Ref.Platform:
			return Reason{
				EN: fmt.Sprintf("The %s account @%s is registered to %s.", q.Ref.Platform.Label(), q.Ref.Handle, name),
				VI: fmt.Sprintf("Tài khoản %s @%s được ghi nhận là của %s.", q.Ref.Platform.Label(), q.Ref.Handle, name),
			}
		}
		return Reason{
			EN: fmt.Sprintf("%s has the handle @%s on %s, not on %s: handles are unique per platform only, so this is no evidence by itself.", name, strings.TrimLeft(e.Text, "@"), e.Platform.Label(), q.Ref.Platform.Label()),
			VI: fmt.Sprintf("%s có tên tài khoản @%s trên %s, không phải trên %s: tên tài khoản chỉ là duy nhất trong từng nền tảng nên riêng điều này không chứng minh gì.", name, strings.TrimLeft(e.Text, "@"), e.Platform.Label(), q.Ref.Platform.Label()),
		}
	}
	field := Text("SearchField", e.Field, EN)
	fieldVi := Text("SearchField", e.Field, VI)
	if e.Score >= 1 {
		return Reason{
			EN: fmt.Sprintf("The name %q is the %s %q of %s (ignoring case and diacritics).", q.Name, strings.ToLower(field), e.Text, name),
			VI: fmt.Sprintf("Tên %q trùng với %s %q của %s (không phân biệt hoa thường và dấu).", q.Name, strings.ToLower(fieldVi), e.Text, name),
		}
	}
	return Reason{
		EN: fmt.Sprintf("The name %q resembles the %s %q of %s (name score %.2f).", q.Name, strings.ToLower(field), e.Text, name, e.Score),
		VI: fmt.Sprintf("Tên %q gần giống %s %q của %s (điểm tên %.2f).", q.Name, strings.ToLower(fieldVi), e.Text, name, e.Score),
	}
}

// alternativeLine names another influencer weighed and why it was.
func alternativeLine(q ScreenQuery, m ScreenMatchOf) []Reason {
	var en, vi []string
	var out []Reason
	for _, e := range m.Evidence {
		if e.Account && q.Ref.Platform != "" && e.Platform != q.Ref.Platform {
			out = append(out, evidenceLine(q, m.Name, e))
		}
		if e.Account {
			en = append(en, fmt.Sprintf("%s account @%s", e.Platform.Label(), strings.TrimLeft(e.Text, "@")))
			vi = append(vi, fmt.Sprintf("tài khoản %s @%s", e.Platform.Label(), strings.TrimLeft(e.Text, "@")))
		} else {
			en = append(en, fmt.Sprintf("%s %q (%.2f)", strings.ToLower(Text("SearchField", e.Field, EN)), e.Text, e.Score))
			vi = append(vi, fmt.Sprintf("%s %q (%.2f)", strings.ToLower(Text("SearchField", e.Field, VI)), e.Text, e.Score))
		}
	}
	return append([]Reason{{
		EN: fmt.Sprintf("Also weighed: %s, score %s, by %s.", m.Name, fmtScore(m.Score), strings.Join(en, ", ")),
		VI: fmt.Sprintf("Cũng đã xét: %s, %s điểm, theo %s.", m.Name, fmtScore(m.Score), strings.Join(vi, ", ")),
	}}, out...)
}

// fmtScore writes a score as the API returns it (at most 4 decimals, no trailing zeros).
func fmtScore(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

package seed

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Sizes of the demo dataset.
const (
	numInfluencers = 240
	numDisclosures = 1000
	// Influencers sanctioned by the culture and information authorities, of whom the first
	// numRepeatOffenders are sanctioned twice; the tax authority adds numTaxSanctions on top.
	numSanctionedInfluencers = 38
	numRepeatOffenders       = 7
	numTaxSanctions          = 3
	numMcnSanctions          = 7 // on 5 MCNs, two of them twice
	numMcnSanctionSubjects   = 5
	numBrandSanctions        = 5
)

// The seed of the generator: changing it changes every record.
const rngSeed1, rngSeed2 = 0x4b4f4c5245474953, 0x2026

var (
	ict = time.FixedZone("ICT", 7*3600)
	// registryStart is when the registry's first records were made.
	registryStart = time.Date(2023, 5, 15, 9, 0, 0, 0, ict)
	// dataEnd is the demo's "now": nothing in the dataset happens after it.
	dataEnd         = time.Date(2026, 10, 31, 23, 0, 0, 0, ict)
	disclosuresFrom = time.Date(2023, 6, 1, 0, 0, 0, 0, ict)
	advertisingLaw  = day(2026, 1, 1) // Law 75/2025/QH15 in force
)

// day is a calendar date; dates are times at midnight UTC and are written as YYYY-MM-DD.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// dateOf is the calendar date of t in Vietnam.
func dateOf(t time.Time) time.Time {
	y, m, d := t.In(ict).Date()
	return day(y, m, d)
}

// at is the instant at hour:minute of date in Vietnam.
func at(date time.Time, hour, minute int) time.Time {
	return time.Date(date.Year(), date.Month(), date.Day(), hour, minute, 0, 0, ict)
}

func addDays(d time.Time, n int) time.Time { return d.AddDate(0, 0, n) }

func daysBetween(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// dataset is the whole demo dataset in memory. Records refer to each other by slice index; the
// insert code maps indexes to database ids.
type dataset struct {
	Agencies     []agencySpec
	Influencers  []influencer
	Accounts     []account
	Mcns         []mcn
	Affiliations []affiliation
	Brands       []brand
	Disclosures  []disclosure
	Sanctions    []sanction
}

type influencer struct {
	DisplayName string
	LegalName   string // "" = NULL
	Aliases     []string
	Province    string // "" = NULL
	Categories  []string
	Credentials []credential
	CreatedBy   int
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time

	// Generation only.
	fullLegalName         string    // disclosed as LegalName once a decision names the person
	given, middle, family string    // the person's names
	fame                  float64   // followers of the biggest account
	activity              float64   // relative number of sponsored posts
	accounts              []int     // indexes into dataset.Accounts
	affiliations          []int     // indexes into dataset.Affiliations
	disclosures           []int     // indexes into dataset.Disclosures, oldest first
	productWeight         []float64 // parallel to productCategories
}

type credential struct {
	Field, Title, Issuer string
	ValidUntil           time.Time // zero = NULL
}

type account struct {
	Influencer     int
	Platform       string
	Handle         string
	URL            string
	PlatformUserID string // "" = NULL
	Followers      int64  // -1 = NULL (with FollowersAsOf)
	FollowersAsOf  time.Time
	Verification   string
	CreatedAt      time.Time
}

type mcn struct {
	Name, TaxCode, Website, Province string
	CreatedBy                        int
	CreatedAt                        time.Time
}

type affiliation struct {
	Influencer, Mcn int
	Kind            string
	StartedOn       time.Time
	EndedOn         time.Time // zero = NULL (current)
	Source          string
	Version         int
	CreatedBy       int
	CreatedAt       time.Time
}

type brand struct {
	Name, Short, TaxCode, Industry string // TaxCode "" = NULL
	CreatedBy                      int
	CreatedAt                      time.Time
}

type disclosure struct {
	Influencer, Account, Mcn int // Mcn -1 = NULL
	Brands                   []int
	ProductName, Category    string
	ContentURL, Platform     string
	PublishedAt              time.Time
	Label, LabelTiming       string
	Compensation, Status     string
	FiledBy                  int
	Version                  int
	CreatedAt, UpdatedAt     time.Time
}

type sanction struct {
	SubjectKind    string // INFLUENCER, MCN or BRAND
	Subject        int    // index into the subject kind's slice
	Agency         int
	DecisionNumber string
	DecidedOn      time.Time
	EffectiveOn    time.Time
	FineVND        int64
	Remedies       []string
	Status         string
	Standing       string
	Execution      string
	ExecutedOn     time.Time // zero = NULL
	SourceURL      string // "" = NULL, and then SourceSHA256 too
	SourceSHA256   string
	Version        int
	RecordedAt     time.Time
	UpdatedAt      time.Time
	Violations     []violation
	History        []statusChange
	Disclosures    []int
}

type violation struct {
	Category, Instrument string
	Article, Clause      int // Clause 0 = NULL
	Point, Description   string
}

type statusChange struct {
	Status      string
	Standing    string
	Execution   string
	EffectiveOn time.Time
	Reason      string
	DocumentURL string
	Agency      int
	RecordedAt  time.Time
}

// gen draws every random choice from one PCG stream, so the same seed gives the same dataset.
type gen struct {
	r  *rand.Rand
	ds *dataset
}

func (g *gen) intn(n int) int { return g.r.IntN(n) }

// between is a uniform integer in [lo, hi].
func (g *gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

func (g *gen) pickW(ws []weighted) string {
	w := make([]float64, len(ws))
	for i, x := range ws {
		w[i] = x.W
	}
	return ws[g.pickIndex(w)].V
}

// pickIndex is an index drawn with the given relative weights (not all zero).
func (g *gen) pickIndex(w []float64) int {
	var total float64
	for _, x := range w {
		total += x
	}
	u := g.r.Float64() * total
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	for i := len(w) - 1; i >= 0; i-- {
		if w[i] > 0 {
			return i
		}
	}
	return len(w) - 1
}

// pickDistinct draws n distinct indexes with the given weights (fewer if fewer are positive).
func (g *gen) pickDistinct(w []float64, n int) []int {
	w = slices.Clone(w)
	var out []int
	for len(out) < n {
		positive := false
		for _, x := range w {
			positive = positive || x > 0
		}
		if !positive {
			break
		}
		i := g.pickIndex(w)
		out = append(out, i)
		w[i] = 0
	}
	return out
}

// dateBetween is a uniform date in [a, b].
func (g *gen) dateBetween(a, b time.Time) time.Time { return addDays(a, g.intn(daysBetween(a, b)+1)) }

// workTime is a time during office hours on date.
func (g *gen) workTime(date time.Time) time.Time { return at(date, g.between(8, 16), g.intn(60)) }

// generate builds the demo dataset. It reads nothing and depends only on the fixed seed.
func generate() *dataset {
	g := &gen{r: rand.New(rand.NewPCG(rngSeed1, rngSeed2)), ds: &dataset{Agencies: demoAgencies}}
	g.influencers()
	g.accounts()
	g.mcns()
	g.affiliations()
	g.brands()
	g.disclosures()
	g.sanctions()
	return g.ds
}

// ---- influencers ----

func (g *gen) influencers() {
	used := map[string]bool{}
	var out []influencer
	for i := 0; len(out) < numInfluencers; i++ {
		var inf influencer
		var primary string
		var gender byte
		if i < len(anchorInfluencers) {
			a := anchorInfluencers[i]
			primary, gender = a.Category, a.Gender
			inf.given, inf.Province, inf.DisplayName = a.Given, a.Province, a.Display
			inf.middle = g.pick(middleNames[gender])
			inf.family = g.pickW(familyNames)
		} else {
			primary = g.pickW(primaryCategories)
			gender = g.gender(primary)
			inf.Province = g.pickW(provinces)
		}
		inf.Categories = g.categories(primary)
		var prof *profession
		if g.chance(credentialChance[primary]) {
			ps := professions[primary]
			prof = &ps[g.intn(len(ps))]
			inf.Credentials = g.credentials(primary, prof)
		}
		for attempt := 0; inf.DisplayName == "" || (i >= len(anchorInfluencers) && !usable(inf.DisplayName, used)); attempt++ {
			inf.given = g.pick(givenNames[gender])
			inf.middle = g.pick(middleNames[gender])
			inf.family = g.pickW(familyNames)
			inf.DisplayName = g.displayName(primary, gender, inf, prof)
			if attempt > 100 {
				panic("seed: cannot find a unique display name")
			}
		}
		used[fold(inf.DisplayName)] = true
		inf.fullLegalName = g.legalName(gender, inf)
		inf.Aliases = g.aliases(i, inf, used)
		inf.CreatedAt = g.influencerCreatedAt(i)
		inf.UpdatedAt = inf.CreatedAt
		inf.Version = 1
		inf.CreatedBy = g.creator(inf.Province)
		// Follower counts are log-uniform between 5 thousand and 15 million.
		u := g.r.Float64()
		if i < len(anchorInfluencers) {
			u = 0.55 + 0.4*g.r.Float64()
		}
		inf.fame = math.Exp(math.Log(5e3) + u*(math.Log(1.5e7)-math.Log(5e3)))
		inf.activity = (0.3 + g.r.ExpFloat64()) * (0.5 + u)
		inf.productWeight = productWeights(inf.Categories)
		out = append(out, inf)
	}
	// Records get their ids in the order the registry made them.
	slices.SortStableFunc(out, func(a, b influencer) int { return a.CreatedAt.Compare(b.CreatedAt) })
	g.ds.Influencers = out
}

func usable(name string, used map[string]bool) bool {
	f := fold(name)
	if used[f] {
		return false
	}
	for _, real := range realNamesToAvoid {
		if strings.Contains(" "+f+" ", " "+real+" ") {
			return false
		}
	}
	return true
}

func (g *gen) gender(primary string) byte {
	p := 0.55
	switch primary {
	case "BEAUTY", "FASHION", "PARENTING":
		p = 0.85
	case "TECH", "GAMING", "FINANCE", "LAW":
		p = 0.3
	}
	if g.chance(p) {
		return 'F'
	}
	return 'M'
}

func (g *gen) categories(primary string) []string {
	cats := []string{primary}
	n := g.pickIndex([]float64{35, 45, 20}) // 1, 2 or 3 categories
	related := related(primary)
	for _, i := range g.pickDistinct(ones(len(related)), n) {
		cats = append(cats, related[i])
	}
	return cats
}

func related(c string) []string { return relatedCategories[c] }

func ones(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1
	}
	return w
}

// credentials are the profession's first credential and, for some, the others too.
func (g *gen) credentials(field string, prof *profession) []credential {
	var out []credential
	for k, spec := range prof.Credentials {
		if k > 0 && !g.chance(0.4) {
			break
		}
		c := credential{Field: field, Title: spec.Title, Issuer: spec.Issuer}
		if spec.ValidYears > 0 {
			// Practice certificates: most still valid, a few lapsed in 2025.
			c.ValidUntil = g.dateBetween(day(2025, 3, 1), day(2025+spec.ValidYears, 12, 31))
		}
		out = append(out, c)
	}
	return out
}

// displayName is a stage name or a public full name; only a credentialed influencer gets a name that
// claims a profession, and only the one their credential supports.
func (g *gen) displayName(primary string, gender byte, inf influencer, prof *profession) string {
	if prof != nil && prof.Claim != "" {
		var fits []string
		for _, t := range credentialedTemplates[primary] {
			if (t.Gender == 0 || t.Gender == gender) && strings.Contains(t.T, prof.Claim) {
				fits = append(fits, t.T)
			}
		}
		if len(fits) > 0 && g.chance(0.75) {
			return g.fill(g.pick(fits), inf.given)
		}
	}
	switch style := g.r.Float64(); {
	case style < 0.22: // known by their (public) full name
		return inf.family + " " + inf.middle + " " + inf.given
	case style < 0.25:
		return inf.given + " " + inf.family
	}
	var fits []string
	for _, t := range stageTemplates[primary] {
		if t.Gender == 0 || t.Gender == gender {
			fits = append(fits, t.T)
		}
	}
	return g.fill(g.pick(fits), inf.given)
}

func (g *gen) fill(template, given string) string {
	s := strings.ReplaceAll(template, "{G}", given)
	return strings.ReplaceAll(s, "{K}", g.pick(kinWords))
}

// legalName is the name on the person's papers: their public name, often with Thị or Văn added.
func (g *gen) legalName(gender byte, inf influencer) string {
	switch {
	case g.chance(0.45):
		return inf.family + " " + inf.middle + " " + inf.given
	case gender == 'F':
		return inf.family + " Thị " + inf.middle + " " + inf.given
	}
	return inf.family + " Văn " + inf.middle + " " + inf.given
}

// aliases are other names people search for; none is another influencer's name or alias.
func (g *gen) aliases(i int, inf influencer, used map[string]bool) []string {
	if i < len(anchorInfluencers) {
		for _, a := range anchorInfluencers[i].Aliases {
			used[fold(a)] = true
		}
		return anchorInfluencers[i].Aliases
	}
	var out []string
	add := func(a string) {
		f := fold(a)
		if a == "" || a == inf.DisplayName || len(out) == 3 || (used[f] && f != fold(inf.DisplayName)) {
			return
		}
		used[f] = true
		out = append(out, a)
	}
	if f := fold(inf.DisplayName); f != strings.ToLower(inf.DisplayName) && g.chance(0.55) {
		add(f) // without diacritics, as people type it
	}
	if g.chance(0.2) {
		add(compact(inf.DisplayName))
	}
	if strings.Contains(inf.DisplayName, inf.family) {
		if g.chance(0.3) {
			add(inf.given + " " + inf.family)
		}
	} else if g.chance(0.25) {
		add(inf.given + " " + g.pick([]string{"Official", "TV", "Channel", "Vlogs"}))
	}
	return out
}

func (g *gen) influencerCreatedAt(i int) time.Time {
	if i < len(anchorInfluencers) {
		return registryStart.Add(time.Duration(i) * time.Minute)
	}
	if g.chance(0.72) { // the initial import, over the registry's first week
		return registryStart.Add(time.Hour + time.Duration(g.intn(5*24*60))*time.Minute)
	}
	return g.workTime(g.dateBetween(day(2023, 7, 1), day(2026, 9, 30)))
}

// creator is the agency that records an influencer (or another record) in the registry.
func (g *gen) creator(province string) int {
	switch {
	case province == "VN-SG" && g.chance(0.12):
		return agCultureHCM
	case province == "VN-HN" && g.chance(0.12):
		return agCultureHN
	case g.chance(0.35):
		return agAssociation
	}
	return agBroadcasting
}

func productWeights(cats []string) []float64 {
	w := make([]float64, len(productCategories))
	for i, pc := range productCategories {
		w[i] = pc.W
		boost := 1.0
		for _, c := range cats {
			boost = max(boost, categoryAffinity[c][pc.V])
		}
		w[i] *= boost
	}
	return w
}

// ---- accounts ----

func (g *gen) accounts() {
	taken := map[string]bool{} // platform + lower(handle)
	for i := range g.ds.Influencers {
		inf := &g.ds.Influencers[i]
		have := make([]float64, len(platforms))
		for j, p := range platforms {
			have[j] = p.HaveWeight
		}
		chosen := g.pickDistinct(have, g.between(2, 4))
		slices.Sort(chosen)
		asOf := g.dateBetween(day(2026, 8, 1), day(2026, 10, 31))
		if g.chance(0.15) {
			asOf = g.dateBetween(day(2025, 3, 1), day(2026, 7, 31))
		}
		for _, j := range chosen {
			p := platforms[j]
			handle := g.handle(p.Name, inf.DisplayName, taken)
			a := account{
				Influencer:   i,
				Platform:     p.Name,
				Handle:       handle,
				Verification: g.pickW(p.VerificationByWeights),
				CreatedAt:    inf.CreatedAt.Add(time.Duration(g.between(1, 30)) * time.Minute),
				Followers:    -1,
			}
			a.URL, a.PlatformUserID = g.accountURL(p.Name, handle)
			if g.chance(0.15) {
				a.PlatformUserID = ""
			}
			if g.chance(0.96) {
				f := inf.fame * p.Scale * math.Exp(g.r.NormFloat64()*0.4)
				if f > 1.5e7 {
					f = 1.5e7 * (0.8 + 0.2*g.r.Float64())
				}
				a.Followers = int64(f)
				if a.Followers < 5000 {
					a.Followers = int64(5000 + g.intn(3000))
				}
				a.FollowersAsOf = asOf
			}
			inf.accounts = append(inf.accounts, len(g.ds.Accounts))
			g.ds.Accounts = append(g.ds.Accounts, a)
		}
	}
}

// handle makes a handle unique per platform, ignoring case, in the style the platform allows.
func (g *gen) handle(platform, display string, taken map[string]bool) string {
	base := compact(display)
	var h string
	switch platform {
	case "YOUTUBE":
		h = camel(display)
		if g.chance(0.3) {
			h += g.pick([]string{"Official", "TV", "Channel"})
		}
	case "X":
		h = base[:min(len(base), 12)]
	case "LAZADA":
		h = hyphenate(display) + g.pick([]string{"-store", "-official", "-shop"})
	case "SHOPEE":
		h = base + g.pick([]string{"store", ".official", ".shop", "_mall"})
	case "FACEBOOK":
		h = base
		if g.chance(0.35) {
			h = base + g.pick([]string{".official", "vn", ".page", ".fanpage"})
		}
	default:
		h = base
		if g.chance(0.35) {
			h = base + g.pick([]string{".official", "_", ".vn", "vlog", "99"})
		}
	}
	if strings.Count(strings.ToLower(h), "official") > 1 || strings.Count(strings.ToLower(h), "vlog") > 1 {
		h = base
	}
	for n := 2; taken[platform+strings.ToLower(h)]; n++ {
		h = fmt.Sprintf("%s%d", strings.TrimRight(h, "._-"), g.between(1, 9)*10+n)
	}
	taken[platform+strings.ToLower(h)] = true
	return h
}

// accountURL is the profile URL and an invented platform user id.
func (g *gen) accountURL(platform, handle string) (url, userID string) {
	switch platform {
	case "TIKTOK":
		return "https://www.tiktok.com/@" + handle, g.digits(19, "6")
	case "FACEBOOK":
		return "https://www.facebook.com/" + handle, g.digits(15, "100")
	case "YOUTUBE":
		return "https://www.youtube.com/@" + handle, "UC" + g.base64(22)
	case "INSTAGRAM":
		return "https://www.instagram.com/" + handle + "/", g.digits(11, "")
	case "THREADS":
		return "https://www.threads.net/@" + handle, g.digits(11, "")
	case "X":
		return "https://x.com/" + handle, g.digits(19, "1")
	case "SHOPEE":
		return "https://shopee.vn/" + handle, g.digits(9, "")
	case "LAZADA":
		return "https://www.lazada.vn/shop/" + handle + "/", g.digits(10, "")
	case "ZALO":
		id := g.digits(19, "")
		return "https://zalo.me/" + id, id
	}
	return "", ""
}

// digits is n decimal digits starting with prefix, never with a leading zero.
func (g *gen) digits(n int, prefix string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for b.Len() < n {
		d := g.intn(10)
		if b.Len() == 0 && d == 0 {
			d = 1
		}
		b.WriteByte(byte('0' + d))
	}
	return b.String()
}

func (g *gen) base64(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.intn(len(alphabet))]
	}
	return string(b)
}

// ---- MCNs and affiliations ----

func (g *gen) mcns() {
	taken := map[string]bool{}
	for i, m := range demoMcns {
		g.ds.Mcns = append(g.ds.Mcns, mcn{
			Name:      m.Name,
			TaxCode:   g.taxCode(taxPrefix(m.Province), m.Branch, taken),
			Website:   m.Website,
			Province:  m.Province,
			CreatedBy: agBroadcasting,
			CreatedAt: registryStart.Add(-72*time.Hour + time.Duration(i)*23*time.Minute),
		})
	}
}

func taxPrefix(province string) string {
	switch province {
	case "VN-HN":
		return "01"
	case "VN-HP":
		return "02"
	case "VN-DN":
		return "04"
	case "VN-CT":
		return "18"
	case "VN-57":
		return "37"
	case "VN-34":
		return "42"
	}
	return "03" // Ho Chi Minh City
}

// taxCode is an invented enterprise tax code (mã số thuế): 10 digits, or 13 for a branch. Its check
// digit is deliberately wrong, so it can never be a real enterprise's code.
func (g *gen) taxCode(prefix string, branch bool, taken map[string]bool) string {
	for {
		code := prefix + g.digits(7, "")
		weights := []int{31, 29, 23, 19, 17, 13, 7, 5, 3}
		sum := 0
		for i, w := range weights {
			sum += int(code[i]-'0') * w
		}
		valid := 10 - sum%11 // 10 means no valid check digit exists
		check := g.intn(10)
		if check == valid {
			check = (check + 1 + g.intn(9)) % 10
		}
		code += fmt.Sprint(check)
		if branch {
			code += fmt.Sprintf("%03d", g.between(1, 30))
		}
		if !taken[code] {
			taken[code] = true
			return code
		}
	}
}

// affiliations gives about 70% of influencers a current MCN; many also have an earlier, ended one.
// Exclusive management periods of one influencer never overlap ([started_on, ended_on) ranges).
func (g *gen) affiliations() {
	for i := range g.ds.Influencers {
		inf := &g.ds.Influencers[i]
		hasCurrent := g.chance(0.70)
		hasPast := g.chance(0.35)
		if hasCurrent {
			hasPast = g.chance(0.55)
		}
		mcns := g.pickDistinct(g.mcnWeights(inf.Province), 3)
		var pastEnd time.Time
		if hasPast {
			start := g.dateBetween(day(2021, 1, 1), day(2024, 6, 30))
			pastEnd = minTime(addDays(start, g.between(180, 900)), day(2025, 12, 31))
			if hasCurrent {
				pastEnd = minTime(pastEnd, day(2026, 8, 31))
			}
			kind := g.pickW([]weighted{{"EXCLUSIVE_MANAGEMENT", 75}, {"NON_EXCLUSIVE", 20}, {"EMPLOYEE", 5}})
			g.addAffiliation(i, mcns[0], kind, start, pastEnd)
		}
		if hasCurrent {
			start := g.dateBetween(day(2021, 1, 1), day(2026, 8, 31))
			if hasPast {
				start = minTime(addDays(pastEnd, g.between(0, 120)), day(2026, 9, 30))
			}
			kind := g.pickW([]weighted{{"EXCLUSIVE_MANAGEMENT", 70}, {"NON_EXCLUSIVE", 18}, {"EMPLOYEE", 7}, {"CO_OWNER", 5}})
			g.addAffiliation(i, mcns[1], kind, start, time.Time{})
			// A few also sell through a second network without exclusivity.
			if kind == "EXCLUSIVE_MANAGEMENT" && g.chance(0.08) {
				g.addAffiliation(i, mcns[2], "NON_EXCLUSIVE", g.dateBetween(start, day(2026, 10, 15)), time.Time{})
			}
		}
	}
}

// mcnWeights favours big networks and those in the influencer's province.
func (g *gen) mcnWeights(province string) []float64 {
	w := make([]float64, len(demoMcns))
	for i, m := range demoMcns {
		w[i] = m.Size
		if m.Province == province {
			w[i] *= 3
		}
	}
	return w
}

func (g *gen) addAffiliation(inf, m int, kind string, start, end time.Time) {
	recorded := maxTime(registryStart, at(start, 9, 0))
	created := minTime(g.workTime(addDays(dateOf(recorded), g.between(1, 14))), dataEnd)
	version := 1
	if !end.IsZero() && end.After(dateOf(created)) {
		version = 2 // the end was recorded later
	}
	by := agBroadcasting
	if g.chance(0.3) {
		by = agAssociation
	}
	g.ds.Influencers[inf].affiliations = append(g.ds.Influencers[inf].affiliations, len(g.ds.Affiliations))
	g.ds.Affiliations = append(g.ds.Affiliations, affiliation{
		Influencer: inf, Mcn: m, Kind: kind, StartedOn: start, EndedOn: end,
		Source: g.pick(affiliationSources), Version: version, CreatedBy: by, CreatedAt: created,
	})
}

// mcnOn is the MCN managing the influencer on date (exclusive management first), or -1.
func (g *gen) mcnOn(inf int, date time.Time) int {
	best := -1
	for _, ai := range g.ds.Influencers[inf].affiliations {
		a := g.ds.Affiliations[ai]
		if date.Before(a.StartedOn) || (!a.EndedOn.IsZero() && !date.Before(a.EndedOn)) {
			continue
		}
		if a.Kind == "EXCLUSIVE_MANAGEMENT" {
			return a.Mcn
		}
		if best < 0 {
			best = a.Mcn
		}
	}
	return best
}

// ---- brands ----

func (g *gen) brands() {
	taken := map[string]bool{}
	for i, b := range demoBrands {
		code := ""
		if !b.Offshore {
			code = g.taxCode(g.pick([]string{"01", "03", "03", "02", "37"}), g.chance(0.1), taken)
		}
		g.ds.Brands = append(g.ds.Brands, brand{
			Name: b.Name, Short: b.Short, TaxCode: code, Industry: b.Industry,
			CreatedBy: agBroadcasting, CreatedAt: registryStart.Add(-48*time.Hour + time.Duration(i)*17*time.Minute),
		})
	}
}

// ---- disclosures ----

func (g *gen) disclosures() {
	activity := make([]float64, len(g.ds.Influencers))
	for i, inf := range g.ds.Influencers {
		activity[i] = inf.activity
	}
	byIndustry := map[string][]int{}
	for i, b := range g.ds.Brands {
		byIndustry[b.Industry] = append(byIndustry[b.Industry], i)
	}
	urls := map[string]bool{}
	var out []disclosure
	for len(out) < numDisclosures {
		ii := g.pickIndex(activity)
		inf := &g.ds.Influencers[ii]
		published := g.publishedAt()
		aw := make([]float64, len(inf.accounts))
		for k, ai := range inf.accounts {
			aw[k] = platformByName(g.ds.Accounts[ai].Platform).DisclosureWeight
		}
		ai := inf.accounts[g.pickIndex(aw)]
		acc := g.ds.Accounts[ai]
		category := productCategories[g.pickIndex(inf.productWeight)].V
		brands := byIndustry[category]
		bi := brands[g.intn(len(brands))]
		d := disclosure{
			Influencer:  ii,
			Account:     ai,
			Mcn:         g.mcnOn(ii, dateOf(published)),
			Brands:      []int{bi},
			ProductName: g.pick(demoBrands[bi].Products) + " " + g.ds.Brands[bi].Short,
			Category:    category,
			Platform:    acc.Platform,
			PublishedAt: published,
			Status:      g.pickW(disclosureStatuses),
			Version:     1,
		}
		if len(brands) > 1 && g.chance(0.15) { // a co-promotion
			other := brands[g.intn(len(brands))]
			if other != bi {
				d.Brands = append(d.Brands, other)
			}
		}
		labels := labelsBefore2026
		if !dateOf(published).Before(advertisingLaw) {
			labels = labelsFrom2026
		}
		d.Label = g.pickW(labels)
		d.LabelTiming = g.pickW(labelTimings[d.Label])
		d.Compensation = g.compensation(d)
		d.FiledBy = g.filer(inf.Province, d)
		for d.ContentURL == "" || urls[d.ContentURL] {
			d.ContentURL = g.contentURL(acc, d.ProductName)
		}
		urls[d.ContentURL] = true
		// Filed after publication, and never before the registry knew the influencer.
		d.CreatedAt = published.Add(time.Duration(g.between(60, 10*24*60)) * time.Minute)
		d.CreatedAt = minTime(maxTime(d.CreatedAt, inf.CreatedAt.Add(time.Hour)), dataEnd)
		d.UpdatedAt = d.CreatedAt
		if d.Status != "ACTIVE" {
			d.Version = 2
			d.UpdatedAt = minTime(d.CreatedAt.Add(time.Duration(g.between(3, 60))*24*time.Hour), dataEnd)
		}
		out = append(out, d)
	}
	slices.SortStableFunc(out, func(a, b disclosure) int {
		return cmp.Or(a.PublishedAt.Compare(b.PublishedAt), strings.Compare(a.ContentURL, b.ContentURL))
	})
	g.ds.Disclosures = out
	for i, d := range out {
		inf := &g.ds.Influencers[d.Influencer]
		inf.disclosures = append(inf.disclosures, i)
	}
}

func platformByName(name string) platformSpec {
	for _, p := range platforms {
		if p.Name == name {
			return p
		}
	}
	panic("seed: unknown platform " + name)
}

// publishedAt is a time between June 2023 and October 2026, more of them recently.
func (g *gen) publishedAt() time.Time {
	span := dataEnd.Sub(disclosuresFrom)
	for {
		u := g.r.Float64()
		if g.chance(0.35 + 0.65*u) {
			date := dateOf(disclosuresFrom.Add(time.Duration(u * float64(span))))
			return at(date, g.between(7, 22), g.intn(60))
		}
	}
}

func (g *gen) compensation(d disclosure) string {
	switch {
	case d.Label == "AFFILIATE_NOTICE":
		if g.chance(0.85) {
			return "AFFILIATE_COMMISSION"
		}
		return "DISCOUNT_CODE"
	case (d.Platform == "SHOPEE" || d.Platform == "LAZADA") && g.chance(0.6):
		return "AFFILIATE_COMMISSION"
	case d.Category == "TRAVEL" && g.chance(0.4):
		return "GIFT_OR_TRAVEL"
	case d.Label == "NONE" && g.chance(0.45):
		return "UNDISCLOSED"
	}
	return g.pickW(compensations)
}

// filer is the agency that filed a disclosure; provincial departments file only in their province.
func (g *gen) filer(province string, d disclosure) int {
	w := make([]float64, len(demoAgencies))
	w[agBroadcasting] = 45
	w[agAssociation] = 20
	w[agInspectorate] = 3
	switch province {
	case "VN-SG":
		w[agCultureHCM] = 20
	case "VN-HN":
		w[agCultureHN] = 20
	}
	switch d.Category {
	case "FOOD_SUPPLEMENT", "FOOD", "MEDICINE":
		w[agFoodSafety] = 8
	}
	if d.Platform == "SHOPEE" || d.Platform == "LAZADA" || d.Category == "FASHION" || d.Category == "ELECTRONICS" {
		w[agMarket] = 6
	}
	return g.pickIndex(w)
}

func (g *gen) contentURL(a account, product string) string {
	h := a.Handle
	switch a.Platform {
	case "TIKTOK":
		return fmt.Sprintf("https://www.tiktok.com/@%s/video/%s", h, g.digits(19, "72"))
	case "FACEBOOK":
		return fmt.Sprintf("https://www.facebook.com/%s/%s/%s", h, g.pick([]string{"posts", "videos"}), g.digits(16, ""))
	case "YOUTUBE":
		return "https://www.youtube.com/watch?v=" + g.base64(11)
	case "INSTAGRAM":
		return fmt.Sprintf("https://www.instagram.com/%s/%s/", g.pick([]string{"p", "reel"}), g.base64(11))
	case "THREADS":
		return fmt.Sprintf("https://www.threads.net/@%s/post/%s", h, g.base64(11))
	case "X":
		return fmt.Sprintf("https://x.com/%s/status/%s", h, g.digits(19, "1"))
	case "SHOPEE":
		return "https://live.shopee.vn/share?from=live&session=" + g.digits(8, "")
	case "LAZADA":
		return fmt.Sprintf("https://www.lazada.vn/products/%s-i%s.html", hyphenate(product), g.digits(10, ""))
	}
	return fmt.Sprintf("https://zalo.me/%s", g.digits(19, ""))
}

// risk is how likely a disclosure is to draw a regulator's attention.
func risk(d disclosure) float64 {
	r, ok := categoryRisk[d.Category]
	if !ok {
		r = 0.3
	}
	switch d.Label {
	case "NONE":
		r *= 2
	case "AMBIGUOUS":
		r *= 1.5
	case "HASHTAG_AD":
	default:
		r *= 0.6
	}
	return r
}

// ---- text helpers ----

var foldTable = func() map[rune]rune {
	m := map[rune]rune{'đ': 'd'}
	for base, variants := range map[rune]string{
		'a': "àáạảãâầấậẩẫăằắặẳẵ", 'e': "èéẹẻẽêềếệểễ", 'i': "ìíịỉĩ",
		'o': "òóọỏõôồốộổỗơờớợởỡ", 'u': "ùúụủũưừứựửữ", 'y': "ỳýỵỷỹ",
	} {
		for _, r := range variants {
			m[r] = base
		}
	}
	return m
}()

// fold lowercases s and strips Vietnamese diacritics ("Bếp Của Ngoại" → "bep cua ngoai").
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if f, ok := foldTable[r]; ok {
			return f
		}
		return r
	}, strings.ToLower(s))
}

// compact is fold without anything but letters and digits ("bepcuangoai").
func compact(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, fold(s))
}

// hyphenate is fold with runs of other characters turned into single hyphens ("82-qd-xphc").
func hyphenate(s string) string {
	var b strings.Builder
	for _, r := range fold(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
			b.WriteByte('-')
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// lowerFirst lowercases the first letter, for a product name inside a sentence.
func lowerFirst(s string) string {
	for i, r := range s {
		return strings.ToLower(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// camel is the folded words of s run together with capitals ("BepCuaNgoai").
func camel(s string) string {
	var b strings.Builder
	for _, w := range strings.Fields(hyphenateSpaces(s)) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

func hyphenateSpaces(s string) string { return strings.ReplaceAll(hyphenate(s), "-", " ") }

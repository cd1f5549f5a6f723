package seed

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kolregistry/kolregistry/registry"
)

// sanctionDraft is a sanction before its decision number is known.
type sanctionDraft struct {
	kind       string
	subject    int
	anchor     int // the disclosure that drew attention, or -1
	candidates []int
	repeat     bool // the subject's second sanction
	tax        bool
}

// sanctions decides who is sanctioned (mostly influencers who promoted risky products without a
// clear label, some MCNs and brands), by whom, for what, and what happened to each decision since.
func (g *gen) sanctions() {
	var drafts []sanctionDraft
	ds := g.ds
	eligible := func(d disclosure) bool {
		return !d.PublishedAt.Before(time.Date(2023, 8, 1, 0, 0, 0, 0, ict)) &&
			d.PublishedAt.Before(time.Date(2026, 7, 1, 0, 0, 0, 0, ict))
	}

	// Influencers, by the risk of what they promoted.
	w := make([]float64, len(ds.Influencers))
	for i, inf := range ds.Influencers {
		for _, di := range inf.disclosures {
			if d := ds.Disclosures[di]; eligible(d) {
				w[i] += risk(d)
			}
		}
	}
	chosen := g.pickDistinct(w, numSanctionedInfluencers)
	for k, ii := range chosen {
		for n := 0; n < 1+b2i(k < numRepeatOffenders); n++ {
			drafts = append(drafts, sanctionDraft{kind: "INFLUENCER", subject: ii, candidates: ds.Influencers[ii].disclosures, repeat: n > 0})
		}
	}
	// The tax department audits the busiest sanctioned sellers of Ho Chi Minh City.
	var hcm []int
	for _, ii := range chosen {
		if ds.Influencers[ii].Province == "VN-SG" {
			hcm = append(hcm, ii)
		}
	}
	slices.SortStableFunc(hcm, func(a, b int) int {
		return cmp.Compare(len(ds.Influencers[b].disclosures), len(ds.Influencers[a].disclosures))
	})
	for _, ii := range hcm[:min(numTaxSanctions, len(hcm))] {
		drafts = append(drafts, sanctionDraft{kind: "INFLUENCER", subject: ii, candidates: ds.Influencers[ii].disclosures, tax: true})
	}

	// MCNs, by how many of their creators' posts went unlabelled.
	mcnDisclosures := make([][]int, len(ds.Mcns))
	w = make([]float64, len(ds.Mcns))
	for di, d := range ds.Disclosures {
		if d.Mcn >= 0 {
			mcnDisclosures[d.Mcn] = append(mcnDisclosures[d.Mcn], di)
			if eligible(d) && (d.Label == "NONE" || d.Label == "AMBIGUOUS") {
				w[d.Mcn]++
			}
		}
	}
	for k, m := range g.pickDistinct(w, numMcnSanctionSubjects) {
		for n := 0; n < 1+b2i(k < numMcnSanctions-numMcnSanctionSubjects); n++ {
			drafts = append(drafts, sanctionDraft{kind: "MCN", subject: m, candidates: mcnDisclosures[m], repeat: n > 0})
		}
	}

	// Brands selling supplements, cosmetics and products that may not be advertised.
	brandDisclosures := make([][]int, len(ds.Brands))
	for di, d := range ds.Disclosures {
		for _, b := range d.Brands {
			brandDisclosures[b] = append(brandDisclosures[b], di)
		}
	}
	w = make([]float64, len(ds.Brands))
	for i, b := range ds.Brands {
		switch b.Industry {
		case "FOOD_SUPPLEMENT", "COSMETICS", "TOBACCO", "CRYPTO", "GAMBLING", "MEDICINE":
			w[i] = 1 + float64(len(brandDisclosures[i]))
		}
	}
	for _, b := range g.pickDistinct(w, numBrandSanctions) {
		drafts = append(drafts, sanctionDraft{kind: "BRAND", subject: b, candidates: brandDisclosures[b]})
	}

	usedAnchor := map[int]bool{}
	for _, dr := range drafts {
		dr.anchor = -1
		var aw []float64
		for _, di := range dr.candidates {
			if d := ds.Disclosures[di]; eligible(d) && !usedAnchor[di] {
				aw = append(aw, risk(d))
			} else {
				aw = append(aw, 0)
			}
		}
		if !dr.tax && slices.ContainsFunc(aw, func(x float64) bool { return x > 0 }) {
			dr.anchor = dr.candidates[g.pickIndex(aw)]
			usedAnchor[dr.anchor] = true
		}
		ds.Sanctions = append(ds.Sanctions, g.sanction(dr))
	}
	g.numberDecisions()
	for i := range ds.Sanctions {
		g.source(&ds.Sanctions[i])
	}
	slices.SortStableFunc(ds.Sanctions, func(a, b sanction) int { return a.RecordedAt.Compare(b.RecordedAt) })

	// A decision names the person: the registry records their legal name when it records the sanction.
	for _, s := range ds.Sanctions {
		if s.SubjectKind != "INFLUENCER" {
			continue
		}
		inf := &ds.Influencers[s.Subject]
		if inf.LegalName == "" {
			inf.LegalName = inf.fullLegalName
			inf.UpdatedAt = maxTime(inf.CreatedAt, s.RecordedAt)
			inf.Version++
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (g *gen) sanction(dr sanctionDraft) sanction {
	ds := g.ds
	s := sanction{SubjectKind: dr.kind, Subject: dr.subject}
	province, subjectCreated := "", registryStart
	switch dr.kind {
	case "INFLUENCER":
		province, subjectCreated = ds.Influencers[dr.subject].Province, ds.Influencers[dr.subject].CreatedAt
	case "MCN":
		province, subjectCreated = ds.Mcns[dr.subject].Province, ds.Mcns[dr.subject].CreatedAt
	case "BRAND":
		subjectCreated = ds.Brands[dr.subject].CreatedAt
	}

	// The decision follows the post that drew attention by one to eight months.
	category, label := "", "NONE"
	if dr.anchor >= 0 {
		a := ds.Disclosures[dr.anchor]
		category, label = a.Category, a.Label
		published := dateOf(a.PublishedAt)
		s.DecidedOn = addDays(published, g.between(30, 240))
		if s.DecidedOn.Before(day(2024, 1, 2)) {
			s.DecidedOn = addDays(day(2024, 1, 2), g.intn(60))
		}
		if s.DecidedOn.After(day(2026, 10, 28)) {
			s.DecidedOn = maxTime(addDays(day(2026, 10, 28), -g.intn(40)), addDays(published, 14))
		}
	} else {
		s.DecidedOn = g.dateBetween(day(2024, 2, 1), day(2026, 10, 15))
		if dr.kind == "BRAND" {
			category = ds.Brands[dr.subject].Industry
		}
	}
	if dr.tax {
		s.DecidedOn = g.dateBetween(day(2025, 3, 1), day(2026, 9, 30))
	}
	s.EffectiveOn = s.DecidedOn
	if g.chance(0.4) {
		s.EffectiveOn = minTime(addDays(s.DecidedOn, g.between(1, 10)), dateOf(dataEnd))
	}

	s.Agency = g.sanctioningAgency(dr, province, category)
	org := dr.kind != "INFLUENCER"
	product := "sản phẩm"
	if dr.anchor >= 0 {
		product = ds.Disclosures[dr.anchor].ProductName
	}
	var cats []string
	if dr.tax {
		cats = []string{"TAX_NON_COMPLIANCE"}
	} else {
		cats = g.violationCategories(s.Agency, category, label, s.DecidedOn, dr.kind)
	}
	remedies := map[string]bool{}
	for _, c := range cats {
		ref := violationRefs[c]
		desc := fmt.Sprintf(ref.DescVI, lowerFirst(product))
		if g.chance(0.2) {
			desc = fmt.Sprintf(ref.DescEN, product)
		}
		if c == "TAX_NON_COMPLIANCE" {
			desc = fmt.Sprintf(ref.DescVI, fmt.Sprintf("kỳ tính thuế năm %d", s.DecidedOn.Year()-1))
			// 20% of the tax understated, in whole VND.
			s.FineVND += int64(g.between(50_000, 1_500_000)) * 1000 / 5
		} else {
			steps := int((ref.MaxFine - ref.MinFine) / 500_000)
			fine := ref.MinFine + int64(g.between(0, steps))*500_000
			if org {
				fine *= 2
			}
			s.FineVND += fine
		}
		s.Violations = append(s.Violations, violation{
			Category: c, Instrument: ref.Instrument, Article: ref.Article, Clause: ref.Clause, Point: ref.Point, Description: desc,
		})
		for _, r := range ref.Remedies {
			if r != "PUBLIC_APOLOGY" || g.chance(0.3) {
				remedies[r] = true
			}
		}
	}
	if remedies["PROFIT_DISGORGEMENT"] && !g.chance(0.5) {
		delete(remedies, "PROFIT_DISGORGEMENT")
	}
	if dr.repeat {
		remedies["PUBLIC_APOLOGY"] = remedies["PUBLIC_APOLOGY"] || g.chance(0.5)
		if dr.kind == "INFLUENCER" { // restrictions on appearing and on accounts are for people
			remedies["APPEARANCE_RESTRICTION"] = g.chance(0.35)
			remedies["ACCOUNT_SUSPENSION"] = g.chance(0.2)
		}
	}
	if category == "GAMBLING" && g.chance(0.5) {
		remedies["CRIMINAL_REFERRAL"] = true
	}
	for _, r := range []string{"CORRECT_INFORMATION", "REMOVE_CONTENT", "ACCOUNT_SUSPENSION", "PROFIT_DISGORGEMENT",
		"PUBLIC_APOLOGY", "APPEARANCE_RESTRICTION", "CRIMINAL_REFERRAL"} {
		if remedies[r] {
			s.Remedies = append(s.Remedies, r)
		}
	}

	// Related disclosures: the anchor and up to two more of the subject's risky posts from the year
	// before (for a tax audit, one to three of the year's sponsored posts).
	if dr.anchor >= 0 {
		s.Disclosures = []int{dr.anchor}
	}
	var window []float64
	for _, di := range dr.candidates {
		d := ds.Disclosures[di]
		published := dateOf(d.PublishedAt)
		in := di != dr.anchor && !published.Before(addDays(s.DecidedOn, -365)) && published.Before(addDays(s.DecidedOn, -7)) &&
			(dr.tax || risk(d) >= 1)
		window = append(window, float64(b2i(in)))
	}
	n := g.intn(3)
	if dr.tax {
		n = g.between(1, 3)
	}
	for _, k := range g.pickDistinct(window, n) {
		s.Disclosures = append(s.Disclosures, dr.candidates[k])
	}
	slices.Sort(s.Disclosures)

	g.history(&s, subjectCreated)
	return s
}

// sanctioningAgency picks who decided; an agency with a provincial jurisdiction only decides on
// subjects in its province, and brands (which have no province) go to national agencies.
func (g *gen) sanctioningAgency(dr sanctionDraft, province, category string) int {
	if dr.tax {
		return agTaxHCM
	}
	w := make([]float64, len(demoAgencies))
	w[agBroadcasting] = 55
	w[agInspectorate] = 5
	switch province {
	case "VN-SG":
		w[agCultureHCM] = 60
	case "VN-HN":
		w[agCultureHN] = 60
	}
	switch category {
	case "FOOD_SUPPLEMENT", "FOOD", "MEDICINE":
		w[agFoodSafety] = 10
		if dr.kind == "BRAND" {
			w[agFoodSafety] = 60
		}
	}
	return g.pickIndex(w)
}

func (g *gen) violationCategories(agency int, category, label string, decided time.Time, kind string) []string {
	var cats []string
	add := func(c string) {
		if len(cats) < 3 && !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	if agency == agFoodSafety {
		add(g.pickW([]weighted{{"AD_NOT_MATCHING_DOSSIER", 70}, {"HEALTH_PROFESSIONAL_IMAGE_MISUSE", 30}}))
		if g.chance(0.3) {
			add("HEALTH_PROFESSIONAL_IMAGE_MISUSE")
		}
		return cats
	}
	if kind == "MCN" {
		add("UNDISCLOSED_ADVERTISING")
	}
	switch category {
	case "FOOD_SUPPLEMENT", "FOOD":
		add(g.pickW([]weighted{{"AD_NOT_MATCHING_DOSSIER", 50}, {"MISLEADING_CLAIMS", 50}}))
		if category == "FOOD_SUPPLEMENT" && g.chance(0.25) {
			add("HEALTH_PROFESSIONAL_IMAGE_MISUSE")
		}
	case "COSMETICS":
		add("MISLEADING_CLAIMS")
	case "MEDICINE", "MEDICAL_DEVICE":
		add("MISLEADING_CLAIMS")
		if g.chance(0.5) {
			add("HEALTH_PROFESSIONAL_IMAGE_MISUSE")
		}
	case "CRYPTO", "GAMBLING", "TOBACCO":
		add("BANNED_PRODUCT")
	case "FINANCIAL_SERVICE":
		add(g.pickW([]weighted{{"MISLEADING_CLAIMS", 60}, {"FALSE_INFORMATION", 40}}))
	default:
		add(g.pickW([]weighted{{"MISLEADING_CLAIMS", 50}, {"FALSE_INFORMATION", 50}}))
	}
	if g.chance(0.2) {
		add("FALSE_INFORMATION")
	}
	if (label == "NONE" || label == "AMBIGUOUS") && g.chance(0.6) {
		add("UNDISCLOSED_ADVERTISING")
	}
	if !decided.Before(advertisingLaw) {
		if g.chance(0.25) {
			add("PRODUCT_NOT_USED")
		}
		if g.chance(0.15) {
			add("UNVERIFIED_ADVERTISER")
		}
	}
	return cats
}

// history writes the sanction's status history: IN_FORCE on the effective date, then whatever
// path it took, cut short where it would run past the demo's "now".
func (g *gen) history(s *sanction, subjectCreated time.Time) {
	ws := make([]float64, len(statusPaths))
	for i, p := range statusPaths {
		ws[i] = p.W
	}
	path := statusPaths[g.pickIndex(ws)].Steps
	gaps := map[string][2]int{
		"COMPLIED": {10, 60}, "UNDER_COMPLAINT": {5, 40}, "IN_FORCE": {30, 90}, "ANNULLED": {20, 90},
		"UNDER_LITIGATION": {15, 60}, "AMENDED": {10, 60}, "WITHDRAWN_DATA_ERROR": {2, 20},
	}
	end := dateOf(dataEnd)
	date := s.EffectiveOn
	recorded := maxTime(g.workTime(addDays(date, g.between(0, 4))), subjectCreated.Add(time.Hour))
	var facts registry.SanctionFacts
	for i, status := range path {
		if i == 0 {
			facts = registry.FactsOfStatus(registry.SanctionStatus(status))
		} else {
			facts = facts.WithStatus(registry.SanctionStatus(status))
		}
		if i > 0 {
			gap := gaps[status]
			date = addDays(date, g.between(gap[0], gap[1]))
			if date.After(end) {
				break
			}
			recorded = maxTime(g.workTime(addDays(date, g.between(0, 3))), recorded.Add(time.Minute))
		}
		c := statusChange{Status: string(facts.Status()), Standing: string(facts.Standing), Execution: string(facts.Execution), EffectiveOn: date, Reason: statusReasons[status], Agency: s.Agency, RecordedAt: minTime(recorded, dataEnd)}
		if i > 0 && status == "IN_FORCE" {
			c.Reason = statusReasons["IN_FORCE_AFTER_COMPLAINT"]
		}
		s.History = append(s.History, c)
	}
	last := s.History[len(s.History)-1]
	s.Status, s.Standing, s.Execution = last.Status, last.Standing, last.Execution
	for _, h := range s.History {
		if registry.Execution(h.Execution).Executed() && s.ExecutedOn.IsZero() {
			s.ExecutedOn = h.EffectiveOn
		}
	}
	s.Version = len(s.History)
	s.RecordedAt = s.History[0].RecordedAt
	s.UpdatedAt = last.RecordedAt
}

// numberDecisions gives each sanction its decision number: numbers restart per agency each year and
// grow with the date (the agency's other decisions fill the gaps).
func (g *gen) numberDecisions() {
	ss := g.ds.Sanctions
	order := make([]int, len(ss))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(ss[a].Agency, ss[b].Agency), ss[a].DecidedOn.Compare(ss[b].DecidedOn))
	})
	next := map[string]int{}
	for _, i := range order {
		key := fmt.Sprintf("%d/%d", ss[i].Agency, ss[i].DecidedOn.Year())
		if next[key] == 0 {
			next[key] = g.between(5, 80)
		}
		ss[i].DecisionNumber = fmt.Sprintf("%d/QĐ-%s", next[key], demoAgencies[ss[i].Agency].DecisionSuffix)
		next[key] += g.between(1, 25)
	}
}

// source sets the (invented) URL of the published decision and the SHA-256 of its text, and the
// documents of later status changes.
func (g *gen) source(s *sanction) {
	ag := demoAgencies[s.Agency]
	slug := hyphenate(s.DecisionNumber)
	base := fmt.Sprintf("%s/%d", ag.SourceBase, s.DecidedOn.Year())
	for i := range s.History {
		h := &s.History[i]
		switch {
		case h.Status == "AMENDED":
			h.DocumentURL = fmt.Sprintf("%s/%s-sua-doi.pdf", base, slug)
		case h.Status == "ANNULLED":
			h.DocumentURL = fmt.Sprintf("%s/%s-huy-bo.pdf", base, slug)
		case h.Status == "IN_FORCE" && i > 0:
			h.DocumentURL = fmt.Sprintf("%s/%s-giai-quyet-khieu-nai.pdf", base, slug)
		}
	}
	if g.chance(0.08) {
		return // not published online
	}
	s.SourceURL = fmt.Sprintf("%s/%s.pdf", base, slug)
	s.History[0].DocumentURL = s.SourceURL
	var doc strings.Builder
	fmt.Fprintf(&doc, "%s\nQUYẾT ĐỊNH XỬ PHẠT VI PHẠM HÀNH CHÍNH\nSố: %s, ngày %s\n", ag.Name, s.DecisionNumber, s.DecidedOn.Format("02/01/2006"))
	fmt.Fprintf(&doc, "Đối tượng: %s\n", g.subjectName(s))
	for i, v := range s.Violations {
		fmt.Fprintf(&doc, "%d. %s (Điều %d %s)\n", i+1, v.Description, v.Article, v.Instrument)
	}
	fmt.Fprintf(&doc, "Tổng mức phạt: %d đồng. Biện pháp khắc phục: %s.\n(Văn bản minh họa, dữ liệu tổng hợp.)\n", s.FineVND, strings.Join(s.Remedies, ", "))
	sum := sha256.Sum256([]byte(doc.String()))
	s.SourceSHA256 = hex.EncodeToString(sum[:])
}

func (g *gen) subjectName(s *sanction) string {
	switch s.SubjectKind {
	case "INFLUENCER":
		inf := g.ds.Influencers[s.Subject]
		return inf.fullLegalName + " (" + inf.DisplayName + ")"
	case "MCN":
		return g.ds.Mcns[s.Subject].Name
	}
	return g.ds.Brands[s.Subject].Name
}

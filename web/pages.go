package web

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/kolregistry/kolregistry/registry"
)

// ref selects what a link to any record shows.
const ref = `fragment Ref on Node { __typename id
  ... on Influencer { displayName } ... on Mcn { name } ... on Brand { name }
  ... on Sanction { decisionNumber decidedOn } ... on Disclosure { productName publishedAt }
  ... on Agency { name nameEn } ... on PlatformAccount { platform handle }
  ... on Affiliation { kind mcn { name } influencer { displayName } } }`

const sanctionRow = `fragment SanctionRow on Sanction { __typename id url decisionNumber decidedOn status fineVnd
  agency { __typename id name nameEn }
  subject { ... on Influencer { __typename id displayName } ... on Mcn { __typename id name } ... on Brand { __typename id name } }
  violations { category } }`

const timelineSel = `timeline(first: 30, after: $after) { totalCount pageInfo { hasNextPage endCursor }
  nodes { kind on at status auditSeq record { ...Ref } } }`

// recordPage is the page of one type of record.
type recordPage struct {
	collection string
	template   string
	query      string // takes $id (and $after for timelines); selects node(id:) as "node"
}

var recordPages = map[string]recordPage{
	"Influencer": {"influencers", "influencer", `query($id: ID!, $after: String, $lang: Language) {
		vetting: vettingReport(influencerId: $id, lang: $lang) { asOf riskLevel factors { code level reason legalBasis evidence } }
		node(id: $id) { __typename ... on Influencer {
		id url displayName legalName aliases province categories version updatedAt
		credentials { field title issuer validUntil }
		accounts { __typename id permalink platform handle url followerCount followersAsOf identityVerification }
		affiliations { __typename id kind startedOn endedOn current mcn { __typename id name } }
		sanctions(first: 100) { totalCount nodes { ...SanctionRow } }
		history(first: 100) { nodes { seq } }
		` + timelineSel + ` } } }` + ref + sanctionRow},
	"Sanction": {"sanctions", "sanction", `query($id: ID!) { node(id: $id) { __typename ... on Sanction {
		id url decisionNumber decidedOn effectiveOn fineVnd remedies status sourceUrl sourceSha256 recordedAt version
		agency { __typename id name nameEn jurisdiction }
		subject { ... on Influencer { __typename id displayName } ... on Mcn { __typename id name } ... on Brand { __typename id name } }
		violations { category description legalBasis { instrument article clause point } }
		statusHistory { status effectiveOn reason documentUrl recordedAt agency { __typename id name nameEn } }
		relatedDisclosures { ...Ref }
		history(first: 100) { totalCount nodes { seq at action } } } }
		legalInstruments { number titleVi titleEn } }` + ref},
	"Mcn": {"mcns", "mcn", `query($id: ID!, $after: String) { node(id: $id) { __typename ... on Mcn {
		id url name taxCode website province
		members(first: 100) { totalCount nodes { __typename id kind startedOn influencer { __typename id displayName } } }
		sanctions(first: 100) { totalCount nodes { ...SanctionRow } }
		history(first: 100) { nodes { seq } }
		` + timelineSel + ` } } }` + ref + sanctionRow},
	"Brand": {"brands", "brand", `query($id: ID!, $after: String) { node(id: $id) { __typename ... on Brand {
		id url name taxCode industry
		sanctions(first: 100) { totalCount nodes { ...SanctionRow } }
		history(first: 100) { nodes { seq } }
		` + timelineSel + ` } } }` + ref + sanctionRow},
	"Agency": {"agencies", "agency", `query($id: ID!) { node(id: $id) { __typename ... on Agency {
		id url slug name nameEn kind jurisdiction status
		sanctions(first: 50) { totalCount nodes { ...SanctionRow } } } } }` + sanctionRow},
	"Disclosure": {"disclosures", "disclosure", `query($id: ID!) { node(id: $id) { __typename ... on Disclosure {
		id url productName productCategory contentUrl platform publishedAt label labelTiming compensation status version
		influencer { __typename id displayName } account { __typename id platform handle }
		brands { __typename id name } mcn { __typename id name } filedBy { __typename id name nameEn }
		relatedSanctions { ...SanctionRow }
		history(first: 100) { nodes { seq } } } } }` + sanctionRow},
	"PlatformAccount": {"accounts", "account", `query($id: ID!) { node(id: $id) { __typename ... on PlatformAccount {
		id permalink platform handle url platformUserId followerCount followersAsOf identityVerification createdAt
		influencer { __typename id displayName } } } }`},
	"Affiliation": {"affiliations", "affiliation", `query($id: ID!) { node(id: $id) { __typename ... on Affiliation {
		id url kind startedOn endedOn current source version
		influencer { __typename id displayName } mcn { __typename id name } } } }`},
}

// record serves the page of one record: 404 unless the ID names a record of this page's type.
func (h *Handler) record(typ string) func(r *http.Request, v *view) error {
	p := recordPages[typ]
	return func(r *http.Request, v *view) error {
		vars := map[string]any{"id": r.PathValue("id")}
		if after := r.URL.Query().Get("after"); after != "" && strings.Contains(p.query, "$after") {
			vars["after"] = after
		}
		if strings.Contains(p.query, "$lang") {
			vars["lang"] = strings.ToUpper(string(v.Lang))
		}
		d, err := h.query(r, p.query, vars)
		if err != nil {
			return err
		}
		n, _ := d["node"].(map[string]any)
		if n == nil || n["__typename"] != typ {
			return errNotFound
		}
		if typ == "Sanction" {
			titleLegalBases(n, d["legalInstruments"])
		}
		if vet, ok := d["vetting"].(map[string]any); ok {
			if err := h.vettingEvidence(r, vet); err != nil {
				return err
			}
			n["vetting"] = vet
		}
		v.Page, v.Data = p.template, n
		v.Title = recordTitle(v.Lang, typ, n)
		v.Extra = map[string]any{"AuditSeq": latestSeq(n), "JSON": jsonLink(typ, n)}
		return nil
	}
}

// titleLegalBases gives each violation's legal basis the titles of its instrument from the
// legal catalogue (the legalInstruments query), for legalTitle.
func titleLegalBases(n map[string]any, instruments any) {
	titles := map[string]map[string]any{}
	list, _ := instruments.([]any)
	for _, in := range list {
		if m, ok := in.(map[string]any); ok {
			titles[str(m["number"])] = m
		}
	}
	vs, _ := n["violations"].([]any)
	for _, v := range vs {
		vm, _ := v.(map[string]any)
		lb, _ := vm["legalBasis"].(map[string]any)
		if lb == nil {
			continue
		}
		if t, ok := titles[str(lb["instrument"])]; ok {
			lb["titleVi"], lb["titleEn"] = t["titleVi"], t["titleEn"]
		}
	}
}

func recordTitle(lang registry.Lang, typ string, n map[string]any) string {
	switch typ {
	case "Sanction":
		return t(lang, "decision") + " " + str(n["decisionNumber"])
	case "Disclosure":
		return str(n["productName"])
	case "PlatformAccount":
		return registry.Text("Platform", str(n["platform"]), lang) + " @" + str(n["handle"])
	case "Affiliation":
		return t(lang, "affiliation")
	}
	return subjectName(n)
}

// latestSeq is the audit sequence of the record's latest change (its history is oldest first).
func latestSeq(n map[string]any) string {
	hist, _ := n["history"].(map[string]any)
	nodes, _ := hist["nodes"].([]any)
	if len(nodes) == 0 {
		return ""
	}
	last, _ := nodes[len(nodes)-1].(map[string]any)
	return str(last["seq"])
}

// jsonLink is a GraphQL GET address of the record's JSON (with its history for a sanction).
func jsonLink(typ string, n map[string]any) string {
	sel := "id"
	switch typ {
	case "Sanction":
		sel = "id url decisionNumber decidedOn effectiveOn fineVnd status remedies sourceUrl sourceSha256 agency{name} violations{category legalBasis{instrument article clause point}} statusHistory{status effectiveOn reason documentUrl}"
	case "Influencer":
		sel = "id url displayName legalName aliases province categories accounts{platform handle identityVerification}"
	}
	q := "{node(id:\"" + str(n["id"]) + "\"){... on " + typ + "{" + sel + "}}}"
	return "/graphql?query=" + urlQueryEscape(q)
}

// historyLink is a GraphQL GET address of a record's audit history.
func historyLink(id string) string {
	return "/graphql?query=" + urlQueryEscape(`{auditLog(subjectId:"`+id+`",first:100){nodes{seq at action diff actor{slug}}}}`)
}

func (h *Handler) home(r *http.Request, v *view) error {
	d, err := h.query(r, `{
		influencers(first: 1) { totalCount } mcns(first: 1) { totalCount } brands(first: 1) { totalCount }
		disclosures(first: 1) { totalCount } all: sanctions(first: 1) { totalCount }
		inForce: sanctions(first: 1, filter: { active: true }) { totalCount }
		latest: sanctions(first: 10, orderBy: { field: DECIDED_ON, direction: DESC }) { nodes { ...SanctionRow } } }`+sanctionRow, nil)
	if err != nil {
		return err
	}
	v.Page, v.Data, v.Title = "home", d, t(v.Lang, "siteName")
	return nil
}

func (h *Handler) search(r *http.Request, v *view) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v.Page, v.Title = "search", t(v.Lang, "searchResults")
	v.Extra = map[string]any{"Q": q}
	if q == "" {
		return nil
	}
	d, err := h.query(r, `query($q: String!) { search(query: $q, first: 30) { totalCount
		edges { kind matchedField matchedText node {
		  ... on Influencer { __typename id displayName province }
		  ... on PlatformAccount { __typename id platform handle influencer { __typename id displayName } }
		  ... on Mcn { __typename id name } ... on Brand { __typename id name } } } } }`, map[string]any{"q": q})
	if err != nil {
		return err
	}
	v.Data = d
	return nil
}

// sanctionFilterParams are the journalist filters of the list, named as SanctionFilter's
// fields (and so as the CSV export's parameters); the lists among them may repeat.
var sanctionFilterParams = map[string]bool{"agencyId": true, "violation": true, "status": true, "remedy": true,
	"jurisdiction": true, "province": true, "decidedFrom": false, "decidedTo": false, "minFineVnd": false, "maxFineVnd": false}

func (h *Handler) sanctionList(r *http.Request, v *view) error {
	q := r.URL.Query()
	filter := map[string]any{}
	csv := make(map[string][]string)
	for name, isList := range sanctionFilterParams {
		vals := nonEmpty(q[name])
		if len(vals) == 0 {
			continue
		}
		csv[name] = vals
		if isList {
			filter[name] = vals
		} else {
			filter[name] = vals[0]
		}
	}
	// The list of the non-compliant: in force (or under appeal) unless active=all.
	if a := q.Get("active"); a != "all" {
		filter["active"] = true
		csv["active"] = []string{"true"}
	}
	vars := map[string]any{"filter": filter}
	if after := q.Get("after"); after != "" {
		vars["after"] = after
	}
	d, err := h.query(r, `query($filter: SanctionFilter, $after: String) {
		sanctions(filter: $filter, first: 50, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { ...SanctionRow } }
		agencies(first: 100) { nodes { __typename id name nameEn } } }`+sanctionRow, vars)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(csv))
	for k := range csv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, val := range csv[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(urlQueryEscape(k) + "=" + urlQueryEscape(val))
		}
	}
	if v.Lang == registry.EN {
		b.WriteString("&lang=en")
	}
	v.Page, v.Data, v.Title = "sanctions", d, t(v.Lang, "sanctionsInForce")
	v.Extra = map[string]any{"CSV": "/export/sanctions.csv?" + b.String(), "Active": q.Get("active") != "all"}
	return nil
}

func nonEmpty(vals []string) []string {
	var out []string
	for _, s := range vals {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

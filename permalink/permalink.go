// Package permalink is the one place that maps a record to the address of its public page
// (docs/pages.md): <PUBLIC_BASE_URL>/<collection>/<global ID>. The API's url fields, the pages'
// links and the exports' url column all build addresses here, so they never disagree.
package permalink

import "strings"

// Collections maps a GraphQL type to the path segment of its pages.
var Collections = map[string]string{
	"Influencer":      "influencers",
	"PlatformAccount": "accounts",
	"Mcn":             "mcns",
	"Affiliation":     "affiliations",
	"Brand":           "brands",
	"Disclosure":      "disclosures",
	"Agency":          "agencies",
	"Sanction":        "sanctions",
}

// Path is the page's path of a record of GraphQL type typ with global ID id ("" for a type
// without pages). Global IDs are base64url, so they need no escaping.
func Path(typ, id string) string {
	c, ok := Collections[typ]
	if !ok {
		return ""
	}
	return "/" + c + "/" + id
}

// Base is an absolute base address without a trailing slash, e.g. "https://kol.example.vn".
type Base string

// NewBase returns the base of PUBLIC_BASE_URL, or of http://<listenAddr> when it is empty.
func NewBase(publicBaseURL, listenAddr string) Base {
	u := strings.TrimRight(strings.TrimSpace(publicBaseURL), "/")
	if u == "" {
		addr := listenAddr
		if strings.HasPrefix(addr, ":") { // ":8080" listens everywhere; link to this host
			addr = "localhost" + addr
		}
		u = "http://" + addr
	}
	return Base(u)
}

// URL is the absolute address of a record's page.
func (b Base) URL(typ, id string) string { return string(b) + Path(typ, id) }

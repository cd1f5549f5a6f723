package db

// The JSON read (docs/performance.md): a query's whole data object built by ONE statement,
// Postgres writing the JSON (json_build_object, json_agg over correlated subqueries, one per
// nested field), so a request costs one round trip and no per-field work in Go. The resolvers
// hand over the selection (JSONRoot, JSONSel) and fall back to the planned path whenever this
// file does not know a field (ErrNotCompiled).
//
// The lists are the loaders' lists: the same filters (each filter's query()), orderings and
// cursors (pageBounds), children (childList) and maxima (limits.go). What is written here is
// only the wire form of each column, as the resolvers map rows and gqlgen marshals them
// (resolvers/mapping.go); the equivalence test of resolvers compares both byte for byte.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"
)

// ErrNotCompiled: the selection holds something the JSON read does not cover.
var ErrNotCompiled = errors.New("db: selection not covered by the JSON read")

// JSONSel is one member of an object the statement builds.
type JSONSel struct {
	Key      string // the response key: the alias, or the field's name
	Field    string // the GraphQL field, or "__typename"
	Typename string // __typename's value
	// Page is a nested connection's page (forward only); Current is Mcn.members(current:).
	Page    Page
	Current *bool
	// Day is the calendar day Influencer.currentMcn is chosen for (today in Vietnam).
	Day time.Time
	// Sel is the selection below an object or list field; for a connection its members
	// (nodes, totalCount, __typename), each nodes with the nodes' selection.
	Sel []JSONSel
}

// JSONRoot is one root field of a query.
type JSONRoot struct {
	Key      string
	Field    string // influencers, disclosures, sanctions, mcns, brands, agencies; influencer, mcn, brand, agency (by ID); __typename
	Typename string
	// Filter is the list's filter (InfluencerFilter, DisclosureFilter, SanctionFilter,
	// McnFilter, BrandFilter; nil for agencies); Order and Desc its ordering where it has one.
	Filter any
	Order  string
	Desc   bool
	Page   Page
	ID     int64 // entity by ID
	Sel    []JSONSel
}

// jsonType is how one GraphQL object type is written from its table's row.
type jsonType struct {
	name  string // GraphQL type name: global IDs
	from  string // table and alias, e.g. "influencer i"
	idCol string
	cols  map[string]string  // scalar field → SQL expression over the alias
	rels  map[string]jsonRel // fields that read more rows
}

// jsonRel is a field that reads more rows: one row by a foreign key, a child list, a nested
// connection (page), or an object written from the same row (embed).
type jsonRel struct {
	to    string // target type
	fk    string // one: the expression naming the target's id
	list  *childList
	ref   string // list, page: the parent's id expression
	page  func(current *bool) (listQuery, string, order[struct{}])
	embed bool
	// currentMcn: the MCN the "current MCN" rule picks (currentMcnSQL) on JSONSel.Day.
	currentMcn bool
}

// gid writes a global ID (GlobalID) in SQL: base64url without padding of "Type:id".
func gid(typ, col string) string {
	return fmt.Sprintf(`rtrim(translate(encode(convert_to('%s:' || %s::text, 'UTF8'), 'base64'), '+/', '-_'), '=')`, typ, col)
}

// jsonTime writes a timestamptz as gqlgen's DateTime does: RFC 3339 with the fraction's
// trailing zeros dropped, in the session's offset as lib/pq reads it, "Z" when that is zero.
func jsonTime(col string) string {
	return fmt.Sprintf(`(to_char(%[1]s, 'YYYY-MM-DD"T"HH24:MI:SS') || rtrim(rtrim(to_char(%[1]s, '.US'), '0'), '.') || `+
		`CASE WHEN to_char(%[1]s, 'TZH:TZM') = '+00:00' THEN 'Z' ELSE to_char(%[1]s, 'TZH:TZM') END)`, col)
}

// nonNull is a text array that is never null (nil slices are written as []).
func nonNull(col string) string { return "coalesce(" + col + ", '{}'::text[])" }

// untyped makes an order of any row type usable here: only its SQL matters.
func untyped[T any](o order[T]) order[struct{}] {
	return order[struct{}]{name: o.name, col: o.col, typ: o.typ, desc: o.desc}
}

var jsonTypes map[string]*jsonType

func init() {
	fixed := func(q listQuery, col string, o order[struct{}]) func(*bool) (listQuery, string, order[struct{}]) {
		return func(*bool) (listQuery, string, order[struct{}]) { return q, col, o }
	}
	disclosuresOf := func(p DisclosureParent) func(*bool) (listQuery, string, order[struct{}]) {
		q, col := p.query()
		return fixed(q, col, untyped(newestDisclosures))
	}
	sanctionsOf := func(p SanctionParent) func(*bool) (listQuery, string, order[struct{}]) {
		return fixed(SanctionFilter{}.query(), string(p), untyped(newestSanctions))
	}
	jsonTypes = map[string]*jsonType{
		"Influencer": {name: "Influencer", from: "influencer i", idCol: "i.id",
			cols: map[string]string{"id": gid("Influencer", "i.id"), "displayName": "i.display_name", "legalName": "i.legal_name",
				"aliases": nonNull("i.aliases"), "province": "i.province", "categories": nonNull("i.categories"),
				"version": "i.version", "createdAt": jsonTime("i.created_at"), "updatedAt": jsonTime("i.updated_at")},
			rels: map[string]jsonRel{
				"accounts":     {to: "PlatformAccount", list: &accountsOfInfluencer, ref: "i.id"},
				"affiliations": {to: "Affiliation", list: &affiliationsOfInfluencer, ref: "i.id"},
				"disclosures":  {to: "Disclosure", page: disclosuresOf(DisclosuresOfInfluencer), ref: "i.id"},
				"sanctions":    {to: "Sanction", page: sanctionsOf(SanctionsOfInfluencer), ref: "i.id"},
				"currentMcn":   {to: "Mcn", currentMcn: true, ref: "i.id"},
			}},
		"PlatformAccount": {name: "PlatformAccount", from: "platform_account pa", idCol: "pa.id",
			cols: map[string]string{"id": gid("PlatformAccount", "pa.id"), "platform": "pa.platform", "handle": "pa.handle",
				"url": "pa.url", "platformUserId": "pa.platform_user_id", "followerCount": "pa.follower_count",
				"followersAsOf": "pa.followers_as_of", "identityVerification": "pa.identity_verification",
				"createdAt": jsonTime("pa.created_at")},
			rels: map[string]jsonRel{"influencer": {to: "Influencer", fk: "pa.influencer_id"}}},
		"Mcn": {name: "Mcn", from: "mcn m", idCol: "m.id",
			cols: map[string]string{"id": gid("Mcn", "m.id"), "name": "m.name", "taxCode": "m.tax_code", "website": "m.website",
				"province": "m.province", "version": "m.version", "createdAt": jsonTime("m.created_at"), "updatedAt": jsonTime("m.updated_at")},
			rels: map[string]jsonRel{
				"members": {to: "Affiliation", ref: "m.id", page: func(current *bool) (listQuery, string, order[struct{}]) {
					return membersQuery(current), "a.mcn_id", untyped(affiliationByStart)
				}},
				"disclosures": {to: "Disclosure", page: disclosuresOf(DisclosuresOfMcn), ref: "m.id"},
				"sanctions":   {to: "Sanction", page: sanctionsOf(SanctionsOfMcn), ref: "m.id"},
			}},
		"Affiliation": {name: "Affiliation", from: "affiliation a", idCol: "a.id",
			cols: map[string]string{"id": gid("Affiliation", "a.id"), "kind": "a.kind", "startedOn": "a.started_on",
				"endedOn": "a.ended_on", "current": "(a.ended_on IS NULL)", "source": "a.source", "version": "a.version"},
			rels: map[string]jsonRel{"influencer": {to: "Influencer", fk: "a.influencer_id"}, "mcn": {to: "Mcn", fk: "a.mcn_id"}}},
		"Brand": {name: "Brand", from: "brand b", idCol: "b.id",
			cols: map[string]string{"id": gid("Brand", "b.id"), "name": "b.name", "taxCode": "b.tax_code", "industry": "b.industry",
				"version": "b.version", "createdAt": jsonTime("b.created_at"), "updatedAt": jsonTime("b.updated_at")},
			rels: map[string]jsonRel{
				"disclosures": {to: "Disclosure", page: disclosuresOf(DisclosuresOfBrand), ref: "b.id"},
				"sanctions":   {to: "Sanction", page: sanctionsOf(SanctionsOfBrand), ref: "b.id"},
			}},
		"Disclosure": {name: "Disclosure", from: "disclosure d", idCol: "d.id",
			cols: map[string]string{"id": gid("Disclosure", "d.id"), "productName": "d.product_name",
				"productCategory": "d.product_category", "contentUrl": "d.content_url", "platform": "d.platform",
				"publishedAt": jsonTime("d.published_at"), "label": "d.label", "labelTiming": "d.label_timing",
				"compensation": "d.compensation", "status": "d.status", "version": "d.version",
				"createdAt": jsonTime("d.created_at"), "updatedAt": jsonTime("d.updated_at"), "retractionReason": "d.retraction_reason"},
			rels: map[string]jsonRel{
				"influencer":       {to: "Influencer", fk: "d.influencer_id"},
				"account":          {to: "PlatformAccount", fk: "d.account_id"},
				"mcn":              {to: "Mcn", fk: "d.mcn_id"},
				"filedBy":          {to: "Agency", fk: "d.filed_by"},
				"brands":           {to: "Brand", list: &brandsOfDisclosure, ref: "d.id"},
				"relatedSanctions": {to: "Sanction", list: &sanctionsOfDisclosure, ref: "d.id"},
			}},
		"Sanction": {name: "Sanction", from: "sanction s", idCol: "s.id",
			cols: map[string]string{"id": gid("Sanction", "s.id"), "decisionNumber": "s.decision_number", "decidedOn": "s.decided_on",
				"effectiveOn": "s.effective_on", "fineVnd": "s.fine_vnd", "remedies": nonNull("s.remedies"), "status": "s.status",
				"sourceUrl": "s.source_url", "sourceSha256": "s.source_sha256", "recordedAt": jsonTime("s.recorded_at"), "version": "s.version"},
			rels: map[string]jsonRel{
				"agency":             {to: "Agency", fk: "s.agency_id"},
				"violations":         {to: "Violation", list: &violationsOfSanction, ref: "s.id"},
				"relatedDisclosures": {to: "Disclosure", list: &disclosuresOfSanction, ref: "s.id"},
			}},
		"Agency": {name: "Agency", from: "agency g", idCol: "g.id",
			cols: map[string]string{"id": gid("Agency", "g.id"), "slug": "g.slug", "name": "g.name", "nameEn": "g.name_en",
				"kind": "g.kind", "jurisdiction": "g.jurisdiction", "status": "g.status", "createdAt": jsonTime("g.created_at")},
			rels: map[string]jsonRel{"sanctions": {to: "Sanction", page: sanctionsOf(SanctionsOfAgency), ref: "g.id"}}},
		"Violation": {name: "Violation", from: "sanction_violation v",
			cols: map[string]string{"category": "v.category", "description": "v.description"},
			rels: map[string]jsonRel{"legalBasis": {to: "LegalReference", embed: true}}},
		"LegalReference": {name: "LegalReference",
			cols: map[string]string{"instrument": "v.instrument", "article": "v.article", "clause": "v.clause", "point": "v.point"}},
	}
}

// JSONCovers reports whether the JSON read writes field of the GraphQL type typ, and whether
// that field is a nested connection.
func JSONCovers(typ, field string) (covered, connection bool) {
	t, ok := jsonTypes[typ]
	if !ok {
		return false, false
	}
	if _, ok := t.cols[field]; ok {
		return true, false
	}
	r, ok := t.rels[field]
	return ok, ok && r.page != nil
}

// JSONStatement is a compiled JSON read.
type JSONStatement struct {
	SQL  string
	Args []any
}

type jsonBuilder struct{ args []any }

// absolute renumbers the $n placeholders of text, written against args alone, to follow the
// statement's arguments so far, and adds args.
func (b *jsonBuilder) absolute(text string, args []any) string {
	off := len(b.args)
	b.args = append(b.args, args...)
	if len(args) == 0 {
		return text
	}
	var out strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] != '$' {
			out.WriteByte(text[i])
			continue
		}
		j := i + 1
		for j < len(text) && text[j] >= '0' && text[j] <= '9' {
			j++
		}
		n, _ := strconv.Atoi(text[i+1 : j])
		out.WriteString("$" + strconv.Itoa(n+off))
		i = j - 1
	}
	return out.String()
}

// CompileJSON writes the statement that builds the data object of roots, in their order.
func CompileJSON(roots []JSONRoot) (*JSONStatement, error) {
	b := &jsonBuilder{}
	parts := make([]string, 0, 2*len(roots))
	for _, r := range roots {
		expr, err := b.root(r)
		if err != nil {
			return nil, err
		}
		parts = append(parts, pq.QuoteLiteral(r.Key), expr)
	}
	if len(parts) == 0 || len(parts) > 100 {
		return nil, ErrNotCompiled
	}
	return &JSONStatement{SQL: "SELECT json_build_object(" + strings.Join(parts, ", ") + ")::text", Args: b.args}, nil
}

func (b *jsonBuilder) root(r JSONRoot) (string, error) {
	switch r.Field {
	case "__typename":
		return pq.QuoteLiteral(r.Typename) + "::text", nil
	case "influencer", "mcn", "brand", "agency":
		t := jsonTypes[map[string]string{"influencer": "Influencer", "mcn": "Mcn", "brand": "Brand", "agency": "Agency"}[r.Field]]
		id := b.absolute("$1", []any{r.ID})
		obj, err := b.object(t, r.Sel)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("(SELECT %s FROM %s WHERE %s = %s)", obj, t.from, t.idCol, id), nil
	}
	var q listQuery
	var o order[struct{}]
	var typ string
	var err error
	switch f := r.Filter.(type) {
	case InfluencerFilter:
		var ro order[Influencer]
		ro, err = influencerOrder(r.Order, r.Desc)
		q, o, typ = f.query(), untyped(ro), "Influencer"
	case DisclosureFilter:
		var ro order[Disclosure]
		ro, err = disclosureOrder(r.Order, r.Desc)
		q, o, typ = f.query(), untyped(ro), "Disclosure"
	case SanctionFilter:
		var ro order[Sanction]
		ro, err = sanctionOrder(r.Order, r.Desc)
		q, o, typ = f.query(), untyped(ro), "Sanction"
	case McnFilter:
		q, o, typ = f.query(), untyped(mcnByName), "Mcn"
	case BrandFilter:
		q, o, typ = f.query(), untyped(brandByName), "Brand"
	case nil:
		if r.Field != "agencies" {
			return "", ErrNotCompiled
		}
		q, o, typ = agenciesQuery(), untyped(agencyBySlug), "Agency"
	default:
		return "", ErrNotCompiled
	}
	if err != nil {
		return "", ErrNotCompiled
	}
	return b.connection(jsonTypes[typ], q, o, r.Page, r.Sel)
}

// connection writes a connection's members over the list q (its parent condition, if any,
// already in q) in the order o: nodes, edges (cursor, node), pageInfo, totalCount, __typename,
// as the loaders' pages are mapped (finish, resolvers' page): a backward page is scanned in
// reverse and written in the list's order; hasNextPage of a forward page (hasPreviousPage of a
// backward one) is whether a row follows the page's last, the other whether a cursor was given.
func (b *jsonBuilder) connection(t *jsonType, q listQuery, o order[struct{}], p Page, sel []JSONSel) (string, error) {
	// The page's rows: q with the cursor's bounds (checked here even when no nodes are asked,
	// as the loaders' read checks them).
	pg := q
	pg.args = append([]any(nil), q.args...)
	pg.where = append([]string(nil), q.where...)
	scan, err := pageBounds(&pg, o, p)
	if err != nil {
		return "", ErrNotCompiled
	}
	alias := t.from[strings.LastIndexByte(t.from, ' ')+1:]
	// rows selects list from the page's rows, in the list's order.
	rows := func(list string) string {
		from, where := pg.source(scan, p.Limit)
		if !p.Backward { // list's placeholders are numbered already: only the rest is renumbered
			return "SELECT " + list + " " + b.absolute(fmt.Sprintf("FROM %s WHERE %s ORDER BY %s LIMIT %d", from, where, scan, p.Limit), pg.args)
		}
		inner := b.absolute(fmt.Sprintf("SELECT %s.* FROM %s WHERE %s ORDER BY %s LIMIT %d", alias, from, where, scan, p.Limit), pg.args)
		return fmt.Sprintf("SELECT %s FROM (%s) %s ORDER BY %s", list, inner, alias, keysetOrder(o.col, pg.idCol, o.desc))
	}
	list := func(list string) string {
		return fmt.Sprintf("(SELECT coalesce(json_agg(x.j), '[]'::json) FROM (%s) x)", rows(list+" AS j"))
	}
	cursor := cursorSQL(o, pg.idCol)
	parts := make([]string, 0, 2*len(sel))
	for _, s := range sel {
		var expr string
		switch s.Field {
		case "__typename":
			expr = pq.QuoteLiteral(s.Typename) + "::text"
		case "totalCount":
			where := b.absolute(q.whereSQL(), q.args)
			expr = fmt.Sprintf("(SELECT count(*) FROM %s WHERE %s)", q.from, where)
		case "nodes":
			obj, err := b.object(t, s.Sel)
			if err != nil {
				return "", err
			}
			expr = list(obj)
		case "edges":
			edge := make([]string, 0, 2*len(s.Sel))
			for _, e := range s.Sel {
				var m string
				switch e.Field {
				case "__typename":
					m = pq.QuoteLiteral(e.Typename) + "::text"
				case "cursor":
					m = cursor
				case "node":
					if m, err = b.object(t, e.Sel); err != nil {
						return "", err
					}
				default:
					return "", ErrNotCompiled
				}
				edge = append(edge, quoteKey(e.Key), m)
			}
			obj, err := buildObject(edge)
			if err != nil {
				return "", err
			}
			expr = list(obj)
		case "pageInfo":
			info := make([]string, 0, 2*len(s.Sel))
			more := func() string {
				from, where := pg.source(scan, p.Limit+1)
				return fmt.Sprintf("EXISTS (%s)", b.absolute(fmt.Sprintf("SELECT 1 FROM %s WHERE %s ORDER BY %s OFFSET %d", from, where, scan, p.Limit), pg.args))
			}
			for _, e := range s.Sel {
				var m string
				switch e.Field {
				case "__typename":
					m = pq.QuoteLiteral(e.Typename) + "::text"
				case "hasNextPage":
					if p.Backward {
						m = strconv.FormatBool(p.Before != nil)
					} else {
						m = more()
					}
				case "hasPreviousPage":
					if p.Backward {
						m = more()
					} else {
						m = strconv.FormatBool(p.After != nil)
					}
				case "startCursor", "endCursor":
					at := "0"
					if e.Field == "endCursor" {
						at = "-1"
					}
					m = fmt.Sprintf("(SELECT json_agg(x.c) ->> %s FROM (%s) x)", at, rows(cursor+" AS c"))
				default:
					return "", ErrNotCompiled
				}
				info = append(info, quoteKey(e.Key), m)
			}
			if expr, err = buildObject(info); err != nil {
				return "", err
			}
		default:
			return "", ErrNotCompiled
		}
		parts = append(parts, quoteKey(s.Key), expr)
	}
	return buildObject(parts)
}

// cursorSQL writes a row's cursor in the order o (Cursor.Encode of the key the order's key
// function gives: timeKey, dateKey, intKey or the text itself), the row's alias in scope.
func cursorSQL(o order[struct{}], idCol string) string {
	var key string
	switch o.typ {
	case "timestamptz":
		utc := "(" + o.col + " AT TIME ZONE 'UTC')"
		key = fmt.Sprintf(`(to_char(%[1]s, 'YYYY-MM-DD"T"HH24:MI:SS') || rtrim(rtrim(to_char(%[1]s, '.US'), '0'), '.') || 'Z')`, utc)
	case "date":
		key = fmt.Sprintf("to_char(%s, 'YYYY-MM-DD')", o.col)
	case "bigint":
		key = o.col + "::text"
	default:
		key = strings.TrimSuffix(o.col, VietnameseCollation)
	}
	js := `'{"o":' || ` + goJSONString(pq.QuoteLiteral(o.name)) + ` || ',"k":' || ` + goJSONString(key) + ` || ',"i":' || ` + idCol + ` || '}'`
	return fmt.Sprintf(`rtrim(translate(encode(convert_to(%s, 'UTF8'), 'base64'), E'+/\n', '-_'), '=')`, js)
}

// goJSONString writes a text as encoding/json writes a Go string: Postgres's to_json escapes as
// Go does (\b, \f, \n, \r, \t, \u00xx in lower case); Go also escapes <, >, &, U+2028, U+2029.
func goJSONString(text string) string {
	return `replace(replace(replace(replace(replace(to_json((` + text + `)::text)::text, '<', '\u003c'), '>', '\u003e'), '&', '\u0026'), ` +
		`U&'\2028', '\u2028'), U&'\2029', '\u2029')`
}

func quoteKey(k string) string { return pq.QuoteLiteral(k) }

func buildObject(parts []string) (string, error) {
	if len(parts) == 0 || len(parts) > 100 { // a function takes at most 100 arguments
		return "", ErrNotCompiled
	}
	return "json_build_object(" + strings.Join(parts, ", ") + ")", nil
}

// object writes one row of type t (its alias in scope) as the selection asks.
func (b *jsonBuilder) object(t *jsonType, sel []JSONSel) (string, error) {
	parts := make([]string, 0, 2*len(sel))
	for _, s := range sel {
		expr, err := b.member(t, s)
		if err != nil {
			return "", err
		}
		parts = append(parts, quoteKey(s.Key), expr)
	}
	return buildObject(parts)
}

func (b *jsonBuilder) member(t *jsonType, s JSONSel) (string, error) {
	if s.Field == "__typename" {
		return pq.QuoteLiteral(s.Typename) + "::text", nil
	}
	if c, ok := t.cols[s.Field]; ok {
		return c, nil
	}
	r, ok := t.rels[s.Field]
	if !ok {
		return "", ErrNotCompiled
	}
	to := jsonTypes[r.to]
	switch {
	case r.embed:
		return b.object(to, s.Sel)
	case r.currentMcn:
		obj, err := b.object(to, s.Sel)
		if err != nil {
			return "", err
		}
		day := b.absolute("$1::date", []any{dateKey(s.Day)})
		return fmt.Sprintf("(SELECT %s FROM %s WHERE %s = (%s))", obj, to.from, to.idCol, currentMcnSQL(r.ref, day)), nil
	case r.fk != "":
		obj, err := b.object(to, s.Sel)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("(SELECT %s FROM %s WHERE %s = %s)", obj, to.from, to.idCol, r.fk), nil
	case r.list != nil:
		obj, err := b.object(to, s.Sel)
		if err != nil {
			return "", err
		}
		c := r.list
		return fmt.Sprintf("(SELECT coalesce(json_agg(x.j), '[]'::json) FROM (SELECT %s AS j FROM %s WHERE %s = %s ORDER BY %s LIMIT %d) x)",
			obj, c.from, c.parentCol, r.ref, c.orderBy, c.limit), nil
	case r.page != nil:
		q, col, o := r.page(s.Current)
		q.where = append(append([]string(nil), q.where...), col+" = "+r.ref)
		return b.connection(to, q, o, s.Page, s.Sel)
	}
	return "", ErrNotCompiled
}

// ReadJSON runs a compiled JSON read and returns the data object as gqlgen would write it.
func (d *DB) ReadJSON(ctx context.Context, st *JSONStatement) ([]byte, error) {
	var raw []byte
	if err := d.queryRow(ctx, st.SQL, st.Args, &raw); err != nil {
		return nil, err
	}
	return compactJSON(raw), nil
}

// compactJSON copies Postgres's json text without the spaces it puts between members, and
// writes the string escapes that differ from gqlgen's as gqlgen does: \b and \f as \u0008 and
// \u000C, \u00xx in upper-case hex. Postgres escapes nothing else (graphql.MarshalString).
// It also writes the escapes json.Marshal adds when it copies a json.RawMessage (HTML-safe:
// <, > and & as \u003c, \u003e and \u0026; U+2028 and U+2029 as \u2028 and \u2029), so the
// result is the bytes the client gets, and the transport copies it without re-encoding it
// (server.marshalResponse).
func compactJSON(src []byte) []byte {
	const hexUpper = "0123456789ABCDEF"
	const hexLower = "0123456789abcdef"
	dst := make([]byte, 0, len(src)+len(src)/16)
	i := 0
	for i < len(src) {
		// Outside a string: copy up to the next space or quote.
		start := i
		for i < len(src) && !compactOutside[src[i]] {
			i++
		}
		dst = append(dst, src[start:i]...)
		if i >= len(src) {
			break
		}
		if src[i] != '"' {
			i++ // a space between members
			continue
		}
		dst = append(dst, '"')
		i++
		// Inside a string: copy up to the next byte that needs a look.
	str:
		for i < len(src) {
			start := i
			for i < len(src) && !compactInside[src[i]] {
				i++
			}
			dst = append(dst, src[start:i]...)
			if i >= len(src) {
				break
			}
			switch c := src[i]; c {
			case '"':
				dst = append(dst, c)
				i++
				break str
			case '\\':
				if i+1 >= len(src) {
					return append(dst, src[i:]...)
				}
				i++
				switch e := src[i]; e {
				case 'b':
					dst = append(dst, `\u0008`...)
				case 'f':
					dst = append(dst, `\u000C`...)
				case 'u':
					dst = append(dst, '\\', 'u')
					for k := 1; k <= 4 && i+1 < len(src); k++ {
						i++
						h := src[i]
						if h >= 'a' && h <= 'f' {
							h = hexUpper[h-'a'+10]
						}
						dst = append(dst, h)
					}
				default:
					dst = append(dst, '\\', e)
				}
				i++
			case '<', '>', '&':
				dst = append(dst, '\\', 'u', '0', '0', hexLower[c>>4], hexLower[c&0xF])
				i++
			default: // 0xE2: U+2028 and U+2029 are E2 80 A8 and E2 80 A9
				if i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8 {
					dst = append(dst, '\\', 'u', '2', '0', '2', hexLower[src[i+2]&0xF])
					i += 3
				} else {
					dst = append(dst, c)
					i++
				}
			}
		}
	}
	return dst
}

// compactOutside and compactInside are the bytes compactJSON stops at outside and inside a
// string; it copies the runs between them whole.
var compactOutside, compactInside = func() (out, in [256]bool) {
	for _, c := range []byte{' ', '\n', '\t', '\r', '"'} {
		out[c] = true
	}
	for _, c := range []byte{'"', '\\', '<', '>', '&', 0xE2} {
		in[c] = true
	}
	return out, in
}()

package db

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lib/pq"
)

// A record's state is its public fields after a write, as the API names and shows them. It holds
// the record's own fields and the children only it writes (an influencer's credentials, a
// sanction's violations and status history, a disclosure's brands); a relation is an ID on
// the side that records it (an affiliation names its influencer and MCN). Derived fields
// (currentMcn, Affiliation.current, counts) are left out: they change without a write.
// IDs are global IDs, instants api_time, dates api_date. docs/transparency.md lists the
// fields.
//
// Each field is one SQL expression (the write path and `audit verify` read a record the same
// way, through stateDefs); the object is put together here, in canonical form: keys sorted,
// values as SQL wrote them, database ids turned into global IDs. Building it in PostgreSQL
// (jsonb_build_object, api_id) cost more than everything else audit verify does.
var stateDefs = map[string]*stateDef{
	"Agency": {table: "agency", alias: "g", fields: []stateField{
		{"id", "g.id", idField("Agency")}, {"slug", "g.slug", textField}, {"name", "g.name", textField},
		{"nameEn", "g.name_en", textField}, {"kind", "g.kind", textField}, {"jurisdiction", "g.jurisdiction", textField},
		{"status", "g.status", textField}, {"createdAt", "api_time(g.created_at)", textField},
	}},
	"Influencer": {table: "influencer", alias: "i", fields: []stateField{
		{"id", "i.id", idField("Influencer")}, {"displayName", "i.display_name", textField},
		{"legalName", "i.legal_name", textField}, {"aliases", "to_json(i.aliases)", jsonField},
		{"province", "i.province", textField}, {"categories", "to_json(i.categories)", jsonField},
		{"version", "i.version", numField}, {"createdAt", "api_time(i.created_at)", textField},
		{"updatedAt", "api_time(i.updated_at)", textField},
		{"credentials", `coalesce((SELECT json_agg(json_build_object('field', c.field, 'title', c.title,
				'issuer', c.issuer, 'validUntil', api_date(c.valid_until)) ORDER BY c.id)
			FROM influencer_credential c WHERE c.influencer_id = i.id), '[]')`, jsonField},
	}},
	"PlatformAccount": {table: "platform_account", alias: "a", fields: []stateField{
		{"id", "a.id", idField("PlatformAccount")}, {"influencer", "a.influencer_id", idField("Influencer")},
		{"platform", "a.platform", textField}, {"handle", "a.handle", textField}, {"url", "a.url", textField},
		{"platformUserId", "a.platform_user_id", textField}, {"followerCount", "a.follower_count", numField},
		{"followersAsOf", "api_date(a.followers_as_of)", textField},
		{"identityVerification", "a.identity_verification", textField}, {"createdAt", "api_time(a.created_at)", textField},
	}},
	"Mcn": {table: "mcn", alias: "m", fields: []stateField{
		{"id", "m.id", idField("Mcn")}, {"name", "m.name", textField}, {"taxCode", "m.tax_code", textField},
		{"website", "m.website", textField}, {"province", "m.province", textField}, {"version", "m.version", numField},
		{"createdAt", "api_time(m.created_at)", textField}, {"updatedAt", "api_time(m.updated_at)", textField},
	}},
	"Affiliation": {table: "affiliation", alias: "f", fields: []stateField{
		{"id", "f.id", idField("Affiliation")}, {"influencer", "f.influencer_id", idField("Influencer")},
		{"mcn", "f.mcn_id", idField("Mcn")}, {"kind", "f.kind", textField},
		{"startedOn", "api_date(f.started_on)", textField}, {"endedOn", "api_date(f.ended_on)", textField},
		{"source", "f.source", textField}, {"version", "f.version", numField},
	}},
	"Brand": {table: "brand", alias: "b", fields: []stateField{
		{"id", "b.id", idField("Brand")}, {"name", "b.name", textField}, {"taxCode", "b.tax_code", textField},
		{"industry", "b.industry", textField}, {"version", "b.version", numField},
		{"createdAt", "api_time(b.created_at)", textField}, {"updatedAt", "api_time(b.updated_at)", textField},
	}},
	"Disclosure": {table: "disclosure", alias: "d", fields: []stateField{
		{"id", "d.id", idField("Disclosure")}, {"influencer", "d.influencer_id", idField("Influencer")},
		{"account", "d.account_id", idField("PlatformAccount")}, {"mcn", "d.mcn_id", idField("Mcn")},
		{"productName", "d.product_name", textField}, {"productCategory", "d.product_category", textField},
		{"contentUrl", "d.content_url", textField}, {"platform", "d.platform", textField},
		{"publishedAt", "api_time(d.published_at)", textField}, {"label", "d.label", textField},
		{"labelTiming", "d.label_timing", textField}, {"compensation", "d.compensation", textField},
		{"status", "d.status", textField}, {"retractionReason", "d.retraction_reason", textField},
		{"filedBy", "d.filed_by", idField("Agency")}, {"version", "d.version", numField},
		{"createdAt", "api_time(d.created_at)", textField}, {"updatedAt", "api_time(d.updated_at)", textField},
		{"brands", `(SELECT array_agg(b.brand_id ORDER BY b.brand_id) FROM disclosure_brand b WHERE b.disclosure_id = d.id)`,
			idListField("Brand")},
	}},
	"Sanction": {table: "sanction", alias: "s", fields: []stateField{
		{"id", "s.id", idField("Sanction")},
		{"subject", `api_id(CASE s.subject_kind WHEN 'INFLUENCER' THEN 'Influencer' WHEN 'MCN' THEN 'Mcn' ELSE 'Brand' END,
			coalesce(s.influencer_id, s.mcn_id, s.brand_id))`, textField},
		{"agency", "s.agency_id", idField("Agency")}, {"decisionNumber", "s.decision_number", textField},
		{"decidedOn", "api_date(s.decided_on)", textField}, {"effectiveOn", "api_date(s.effective_on)", textField},
		{"fineVnd", "s.fine_vnd", numField}, {"remedies", "to_json(s.remedies)", jsonField},
		{"status", "s.status", textField}, {"sourceUrl", "s.source_url", textField},
		{"sourceSha256", "s.source_sha256", textField}, {"recordedAt", "api_time(s.recorded_at)", textField},
		{"version", "s.version", numField}, {"penalty", "s.penalty", textField},
		{"additionalPenalties", "to_json(s.additional_penalties)", jsonField},
		{"paymentDeadline", "api_date(s.payment_deadline)", textField}, {"signatoryTitle", "s.signatory_title", textField},
		{"violationRecordNumber", "s.violation_record_number", textField}, {"standing", "s.standing", textField},
		{"execution", "s.execution", textField}, {"executedOn", "api_date(s.executed_on)", textField},
		{"violations", `coalesce((SELECT json_agg(json_build_object('category', v.category,
				'legalBasis', json_build_object('instrument', v.instrument, 'article', v.article,
					'clause', v.clause, 'point', v.point, 'amendedBy', v.amended_by), 'description', v.description)
				ORDER BY v.position)
			FROM sanction_violation v WHERE v.sanction_id = s.id), '[]')`, jsonField},
		{"statusHistory", `coalesce((SELECT json_agg(json_build_object('status', h.status,
				'standing', h.standing, 'execution', h.execution,
				'effectiveOn', api_date(h.effective_on), 'reason', h.reason, 'documentUrl', h.document_url,
				'agency', api_id('Agency', h.agency_id), 'recordedAt', api_time(h.recorded_at))
				ORDER BY h.effective_on, h.id)
			FROM sanction_status_change h WHERE h.sanction_id = s.id), '[]')`, jsonField},
		{"relatedDisclosures", `(SELECT array_agg(r.disclosure_id ORDER BY r.disclosure_id)
			FROM sanction_disclosure r WHERE r.sanction_id = s.id)`, idListField("Disclosure")},
	}},
}

// stateDef is how one type's state is read: its table, the table's alias in the field
// expressions, and the fields (sorted by name once, the order of the canonical object).
type stateDef struct {
	table, alias string
	fields       []stateField
	columns      string // "<alias>.id, expr, expr, …" in field order
}

type stateField struct {
	name, expr string
	kind       fieldKind
}

// fieldKind says how a field's SQL value is written in the state.
type fieldKind struct {
	kind   uint8
	idType string
}

const (
	textKind   = iota // a string, or null
	numKind           // an integer as SQL writes it, or null
	jsonKind          // JSON text (a list, an object), put in canonical form
	idKind            // a database id (bigint), written as the global ID of idType, or null
	idListKind        // a bigint[] of database ids, written as a list of global IDs (null: [])
)

var (
	textField = fieldKind{kind: textKind}
	numField  = fieldKind{kind: numKind}
	jsonField = fieldKind{kind: jsonKind}
)

func idField(typ string) fieldKind     { return fieldKind{idKind, typ} }
func idListField(typ string) fieldKind { return fieldKind{idListKind, typ} }

func init() {
	for _, d := range stateDefs {
		sort.Slice(d.fields, func(i, j int) bool { return d.fields[i].name < d.fields[j].name })
		cols := []string{d.alias + ".id"}
		for _, f := range d.fields {
			cols = append(cols, f.expr)
		}
		d.columns = strings.Join(cols, ", ")
	}
}

// selectSQL reads the id and the fields of the type's records that match where (a condition
// on the alias, may be empty).
func (d *stateDef) selectSQL(where string) string {
	q := "SELECT " + d.columns + " FROM " + d.table + " " + d.alias
	if where != "" {
		q += " WHERE " + where
	}
	return q
}

// stateSQL reads the states of the records of a type by id ($1, an array): states' statement.
func stateSQL(subjectType string) string {
	d := stateDefs[subjectType]
	return d.selectSQL(d.alias + `.id = ANY($1)`)
}

// jsonSQL reads the id and the state as one jsonb value, for comparisons made in SQL
// (adoptFields); the same fields, the same values.
func (d *stateDef) jsonSQL() string {
	args := make([]string, len(d.fields))
	for i, f := range d.fields {
		expr := f.expr
		switch f.kind.kind {
		case idKind:
			expr = "api_id('" + f.kind.idType + "', " + expr + ")"
		case idListKind:
			expr = "coalesce((SELECT jsonb_agg(api_id('" + f.kind.idType + "', x) ORDER BY o) FROM unnest(" + expr +
				") WITH ORDINALITY AS u(x, o)), '[]')"
		}
		args[i] = "'" + f.name + "', " + expr
	}
	return "SELECT " + d.alias + ".id, jsonb_build_object(" + strings.Join(args, ", ") + ") FROM " + d.table + " " + d.alias
}

// stateRow holds what one row of selectSQL scans into.
type stateRow struct {
	id   int64
	vals []sql.RawBytes
	dest []any
}

func (d *stateDef) newRow() *stateRow {
	r := &stateRow{vals: make([]sql.RawBytes, len(d.fields))}
	r.dest = append(r.dest, &r.id)
	for i := range r.vals {
		r.dest = append(r.dest, &r.vals[i])
	}
	return r
}

// render appends the row's state in canonical form (docs/transparency.md, "Entry format").
func (d *stateDef) render(dst []byte, r *stateRow) ([]byte, error) {
	dst = append(dst, '{')
	for i, f := range d.fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = append(dst, f.name...)
		dst = append(dst, '"', ':')
		v := r.vals[i]
		var err error
		switch {
		case v == nil && f.kind.kind == idListKind:
			dst = append(dst, '[', ']')
		case v == nil:
			dst = append(dst, "null"...)
		case f.kind.kind == numKind:
			dst = append(dst, v...)
		case f.kind.kind == textKind:
			dst = appendJSONString(dst, v)
		case f.kind.kind == idKind:
			if dst, err = appendGlobalID(dst, f.kind.idType, v); err != nil {
				return dst, fmt.Errorf("%s %d, %s: %w", d.table, r.id, f.name, err)
			}
		case f.kind.kind == idListKind:
			if dst, err = appendGlobalIDs(dst, f.kind.idType, v); err != nil {
				return dst, fmt.Errorf("%s %d, %s: %w", d.table, r.id, f.name, err)
			}
		default:
			var ok bool
			n := len(dst)
			if dst, ok = appendCanonical(dst, v); !ok {
				c, err := canonical(json.RawMessage(v))
				if err != nil {
					return dst, fmt.Errorf("%s %d, %s: %w", d.table, r.id, f.name, err)
				}
				dst = append(dst[:n], c...)
			}
		}
	}
	return append(dst, '}'), nil
}

// appendGlobalID appends, quoted, the global ID of the database id SQL wrote as digits.
func appendGlobalID(dst []byte, typ string, digits []byte) ([]byte, error) {
	n, err := strconv.ParseInt(string(digits), 10, 64)
	if err != nil {
		return dst, err
	}
	dst = append(dst, '"')
	dst = append(dst, GlobalID(typ, n)...)
	return append(dst, '"'), nil
}

// appendGlobalIDs appends the list of global IDs of a bigint[] as SQL writes it: {1,2,3}.
func appendGlobalIDs(dst []byte, typ string, arr []byte) ([]byte, error) {
	if len(arr) < 2 || arr[0] != '{' || arr[len(arr)-1] != '}' {
		return dst, fmt.Errorf("not an array: %q", arr)
	}
	dst = append(dst, '[')
	if inner := arr[1 : len(arr)-1]; len(inner) > 0 {
		for i, part := range bytes.Split(inner, []byte{','}) {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendGlobalID(dst, typ, part); err != nil {
				return dst, err
			}
		}
	}
	return append(dst, ']'), nil
}

// appendJSONString appends s as a JSON string the way encodeEntry writes it: as is when it
// needs no escape, else through encoding/json without HTML escaping.
func appendJSONString(dst []byte, s []byte) []byte {
	plain := utf8.Valid(s)
	for i := 0; plain && i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || (c == 0xE2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9)) {
			plain = false
		}
	}
	if plain {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	b, _ := encodeEntry(string(s))
	return append(dst, b...)
}

// SubjectTypes are the record types the log holds state for, in a fixed order.
func SubjectTypes() []string {
	out := make([]string, 0, len(stateDefs))
	for t := range stateDefs {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// states reads the state of records of one type, in canonical JSON, by id.
func states(ctx context.Context, q querier, subjectType string, ids []int64) (map[int64][]byte, error) {
	d, ok := stateDefs[subjectType]
	if !ok {
		return nil, fmt.Errorf("no state query for %s records", subjectType)
	}
	rows, err := q.QueryContext(ctx, stateSQL(subjectType), pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("read %s state: %w", subjectType, err)
	}
	defer rows.Close()
	out := make(map[int64][]byte, len(ids))
	r := d.newRow()
	for rows.Next() {
		if err := rows.Scan(r.dest...); err != nil {
			return nil, fmt.Errorf("read %s state: %w", subjectType, err)
		}
		if out[r.id], err = d.render(nil, r); err != nil {
			return nil, fmt.Errorf("%s state: %w", subjectType, err)
		}
	}
	return out, rows.Err()
}

// GlobalID is the ID the API gives a record: base64url, unpadded, of "Type:id" (the SQL
// function api_id computes the same).
func GlobalID(typ string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + strconv.FormatInt(id, 10)))
}

// ParseGlobalID splits a global ID into its type and database id; ok is false for a string
// that is not one.
func ParseGlobalID(s string) (typ string, id int64, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", 0, false
	}
	typ, num, found := strings.Cut(string(b), ":")
	id, err = strconv.ParseInt(num, 10, 64)
	if !found || typ == "" || err != nil || id <= 0 || strconv.FormatInt(id, 10) != num {
		return "", 0, false
	}
	return typ, id, true
}

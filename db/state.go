package db

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/lib/pq"
)

// A record's state is its public fields after a write, as the API names and shows them, built
// here in SQL so that the write path and `audit verify` read a record the same way. It holds
// the record's own fields and the children only it writes (an influencer's credentials, a
// sanction's violations and status history, a disclosure's brands); a relation is an ID on
// the side that records it (an affiliation names its influencer and MCN). Derived fields
// (currentMcn, Affiliation.current, counts) are left out: they change without a write.
// IDs are global IDs (api_id), instants api_time, dates api_date. docs/transparency.md lists
// the fields.
var stateQueries = map[string]string{
	"Agency": `SELECT g.id, jsonb_build_object('id', api_id('Agency', g.id), 'slug', g.slug, 'name', g.name,
			'nameEn', g.name_en, 'kind', g.kind, 'jurisdiction', g.jurisdiction, 'status', g.status,
			'createdAt', api_time(g.created_at))
		FROM agency g`,
	"Influencer": `SELECT i.id, jsonb_build_object('id', api_id('Influencer', i.id), 'displayName', i.display_name,
			'legalName', i.legal_name, 'aliases', to_jsonb(i.aliases), 'province', i.province,
			'categories', to_jsonb(i.categories), 'version', i.version,
			'createdAt', api_time(i.created_at), 'updatedAt', api_time(i.updated_at),
			'credentials', coalesce((SELECT jsonb_agg(jsonb_build_object('field', c.field, 'title', c.title,
					'issuer', c.issuer, 'validUntil', api_date(c.valid_until)) ORDER BY c.id)
				FROM influencer_credential c WHERE c.influencer_id = i.id), '[]'))
		FROM influencer i`,
	"PlatformAccount": `SELECT a.id, jsonb_build_object('id', api_id('PlatformAccount', a.id),
			'influencer', api_id('Influencer', a.influencer_id), 'platform', a.platform, 'handle', a.handle,
			'url', a.url, 'platformUserId', a.platform_user_id, 'followerCount', a.follower_count,
			'followersAsOf', api_date(a.followers_as_of), 'identityVerification', a.identity_verification,
			'createdAt', api_time(a.created_at))
		FROM platform_account a`,
	"Mcn": `SELECT m.id, jsonb_build_object('id', api_id('Mcn', m.id), 'name', m.name, 'taxCode', m.tax_code,
			'website', m.website, 'province', m.province, 'version', m.version,
			'createdAt', api_time(m.created_at), 'updatedAt', api_time(m.updated_at))
		FROM mcn m`,
	"Affiliation": `SELECT f.id, jsonb_build_object('id', api_id('Affiliation', f.id),
			'influencer', api_id('Influencer', f.influencer_id), 'mcn', api_id('Mcn', f.mcn_id), 'kind', f.kind,
			'startedOn', api_date(f.started_on), 'endedOn', api_date(f.ended_on), 'source', f.source,
			'version', f.version)
		FROM affiliation f`,
	"Brand": `SELECT b.id, jsonb_build_object('id', api_id('Brand', b.id), 'name', b.name, 'taxCode', b.tax_code,
			'industry', b.industry, 'version', b.version,
			'createdAt', api_time(b.created_at), 'updatedAt', api_time(b.updated_at))
		FROM brand b`,
	"Disclosure": `SELECT d.id, jsonb_build_object('id', api_id('Disclosure', d.id),
			'influencer', api_id('Influencer', d.influencer_id), 'account', api_id('PlatformAccount', d.account_id),
			'mcn', api_id('Mcn', d.mcn_id), 'productName', d.product_name, 'productCategory', d.product_category,
			'contentUrl', d.content_url, 'platform', d.platform, 'publishedAt', api_time(d.published_at),
			'label', d.label, 'labelTiming', d.label_timing, 'compensation', d.compensation, 'status', d.status,
			'retractionReason', d.retraction_reason, 'filedBy', api_id('Agency', d.filed_by), 'version', d.version,
			'createdAt', api_time(d.created_at), 'updatedAt', api_time(d.updated_at),
			'brands', coalesce((SELECT jsonb_agg(api_id('Brand', b.brand_id) ORDER BY b.brand_id)
				FROM disclosure_brand b WHERE b.disclosure_id = d.id), '[]'))
		FROM disclosure d`,
	"Sanction": `SELECT s.id, jsonb_build_object('id', api_id('Sanction', s.id),
			'subject', api_id(CASE s.subject_kind WHEN 'INFLUENCER' THEN 'Influencer' WHEN 'MCN' THEN 'Mcn' ELSE 'Brand' END,
				coalesce(s.influencer_id, s.mcn_id, s.brand_id)),
			'agency', api_id('Agency', s.agency_id), 'decisionNumber', s.decision_number,
			'decidedOn', api_date(s.decided_on), 'effectiveOn', api_date(s.effective_on), 'fineVnd', s.fine_vnd,
			'remedies', to_jsonb(s.remedies), 'status', s.status, 'sourceUrl', s.source_url,
			'sourceSha256', s.source_sha256, 'recordedAt', api_time(s.recorded_at), 'version', s.version,
			'penalty', s.penalty, 'additionalPenalties', to_jsonb(s.additional_penalties),
			'paymentDeadline', api_date(s.payment_deadline), 'signatoryTitle', s.signatory_title,
			'violationRecordNumber', s.violation_record_number, 'standing', s.standing, 'execution', s.execution,
			'executedOn', api_date(s.executed_on),
			'violations', coalesce((SELECT jsonb_agg(jsonb_build_object('category', v.category,
					'legalBasis', jsonb_build_object('instrument', v.instrument, 'article', v.article,
						'clause', v.clause, 'point', v.point, 'amendedBy', v.amended_by), 'description', v.description)
					ORDER BY v.position)
				FROM sanction_violation v WHERE v.sanction_id = s.id), '[]'),
			'statusHistory', coalesce((SELECT jsonb_agg(jsonb_build_object('status', h.status,
					'standing', h.standing, 'execution', h.execution,
					'effectiveOn', api_date(h.effective_on), 'reason', h.reason, 'documentUrl', h.document_url,
					'agency', api_id('Agency', h.agency_id), 'recordedAt', api_time(h.recorded_at))
					ORDER BY h.effective_on, h.id)
				FROM sanction_status_change h WHERE h.sanction_id = s.id), '[]'),
			'relatedDisclosures', coalesce((SELECT jsonb_agg(api_id('Disclosure', r.disclosure_id) ORDER BY r.disclosure_id)
				FROM sanction_disclosure r WHERE r.sanction_id = s.id), '[]'))
		FROM sanction s`,
}

// stateAlias is the table alias of each state query, for its WHERE clause.
var stateAlias = map[string]string{"Agency": "g", "Influencer": "i", "PlatformAccount": "a", "Mcn": "m",
	"Affiliation": "f", "Brand": "b", "Disclosure": "d", "Sanction": "s"}

// SubjectTypes are the record types the log holds state for, in a fixed order.
func SubjectTypes() []string {
	out := make([]string, 0, len(stateQueries))
	for t := range stateQueries {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// states reads the state of records of one type, in canonical JSON, by id.
func states(ctx context.Context, q querier, subjectType string, ids []int64) (map[int64][]byte, error) {
	base, ok := stateQueries[subjectType]
	if !ok {
		return nil, fmt.Errorf("no state query for %s records", subjectType)
	}
	rows, err := q.QueryContext(ctx, base+` WHERE `+stateAlias[subjectType]+`.id = ANY($1)`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("read %s state: %w", subjectType, err)
	}
	defer rows.Close()
	out := make(map[int64][]byte, len(ids))
	for rows.Next() {
		var id int64
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, fmt.Errorf("read %s state: %w", subjectType, err)
		}
		if out[id], err = canonical(json.RawMessage(raw)); err != nil {
			return nil, fmt.Errorf("%s %d state: %w", subjectType, id, err)
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

package server

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/auth"
)

// mutationStep is one mutation of the idempotency walk: a valid input (built from the records
// the steps before it wrote) and another, also valid, input to try under the same key.
type mutationStep struct {
	name, record string
	input, other func(ids map[string]string) map[string]any
}

// payload is a mutation payload as these tests read it.
type payload struct {
	Record     *struct{ ID string } `json:"record"`
	Replayed   bool                 `json:"replayed"`
	UserErrors []struct {
		Field []string `json:"field"`
		Code  string   `json:"code"`
	} `json:"userErrors"`
}

func (p payload) errs() string {
	var out []string
	for _, e := range p.UserErrors {
		out = append(out, strings.Join(e.Field, ".")+" "+e.Code)
	}
	return strings.Join(out, ", ")
}

// Every mutation, through the API: a key longer than the table holds is INVALID, a retry with the
// same key and input replays the first result, the same key with another input is
// IDEMPOTENCY_KEY_REUSED — the two refusals and the replay each write nothing.
func TestWrites_IdempotencyKeyOfEveryMutation(t *testing.T) {
	s := newWriteServer(t, Config{})
	tok, err := auth.Issue(s.key.priv, auth.TokenRequest{Agency: s.agency.Slug, Scopes: auth.Scopes, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	run := rand.Int64N(1e9)
	violation := []any{map[string]any{"category": "MISLEADING_CLAIMS",
		"legalBasis": map[string]any{"instrument": "38/2021/NĐ-CP", "article": 51, "clause": 1, "point": "a"}}}
	steps := []mutationStep{
		{"registerInfluencer", "influencer",
			func(map[string]string) map[string]any { return map[string]any{"displayName": "Minh Idem"} },
			func(map[string]string) map[string]any { return map[string]any{"displayName": "Minh Idem 2"} }},
		{"addPlatformAccount", "account",
			func(ids map[string]string) map[string]any {
				return map[string]any{"influencerId": ids["registerInfluencer"], "platform": "TIKTOK", "handle": fmt.Sprintf("minh.idem.%d", run)}
			},
			func(ids map[string]string) map[string]any {
				return map[string]any{"influencerId": ids["registerInfluencer"], "platform": "YOUTUBE", "handle": fmt.Sprintf("minh.idem.%d", run)}
			}},
		{"registerMcn", "mcn",
			func(map[string]string) map[string]any { return map[string]any{"name": fmt.Sprintf("MCN Idem %d", run)} },
			func(map[string]string) map[string]any {
				return map[string]any{"name": fmt.Sprintf("MCN Idem %d bis", run)}
			}},
		{"recordAffiliation", "affiliation",
			func(ids map[string]string) map[string]any {
				return map[string]any{"influencerId": ids["registerInfluencer"], "mcnId": ids["registerMcn"], "kind": "NON_EXCLUSIVE", "startedOn": "2024-01-01"}
			},
			func(ids map[string]string) map[string]any {
				return map[string]any{"influencerId": ids["registerInfluencer"], "mcnId": ids["registerMcn"], "kind": "NON_EXCLUSIVE", "startedOn": "2024-02-01"}
			}},
		{"registerBrand", "brand",
			func(map[string]string) map[string]any {
				return map[string]any{"name": fmt.Sprintf("Brand Idem %d", run)}
			},
			func(map[string]string) map[string]any {
				return map[string]any{"name": fmt.Sprintf("Brand Idem %d bis", run)}
			}},
		{"fileDisclosure", "disclosure",
			func(ids map[string]string) map[string]any {
				return map[string]any{"influencerId": ids["registerInfluencer"], "platform": "TIKTOK", "brandIds": []string{ids["registerBrand"]}, "productName": "Sữa hạt",
					"productCategory": "FOOD", "publishedAt": "2025-05-02T10:00:00Z", "label": "QUANG_CAO", "labelTiming": "BEFORE_AND_DURING", "compensation": "CASH_FEE"}
			},
			func(ids map[string]string) map[string]any {
				return map[string]any{"influencerId": ids["registerInfluencer"], "platform": "TIKTOK", "brandIds": []string{ids["registerBrand"]}, "productName": "Sữa hạt không đường",
					"productCategory": "FOOD", "publishedAt": "2025-05-02T10:00:00Z", "label": "QUANG_CAO", "labelTiming": "BEFORE_AND_DURING", "compensation": "CASH_FEE"}
			}},
		{"recordSanction", "sanction",
			func(ids map[string]string) map[string]any {
				return map[string]any{"subjectId": ids["registerInfluencer"], "decisionNumber": fmt.Sprintf("%d/QĐ-XPHC", run%1e6), "decidedOn": "2025-03-20",
					"violations": violation, "fineVnd": 70000000}
			},
			func(ids map[string]string) map[string]any {
				return map[string]any{"subjectId": ids["registerInfluencer"], "decisionNumber": fmt.Sprintf("%d/QĐ-XPHC", run%1e6), "decidedOn": "2025-03-20",
					"violations": violation, "fineVnd": 80000000}
			}},
		{"updateInfluencer", "influencer",
			func(ids map[string]string) map[string]any {
				return map[string]any{"influencerId": ids["registerInfluencer"], "expectedVersion": 1, "province": "VN-SG"}
			},
			func(ids map[string]string) map[string]any {
				return map[string]any{"influencerId": ids["registerInfluencer"], "expectedVersion": 1, "province": "VN-HN"}
			}},
		{"amendDisclosure", "disclosure",
			func(ids map[string]string) map[string]any {
				return map[string]any{"disclosureId": ids["fileDisclosure"], "expectedVersion": 1, "label": "TAI_TRO"}
			},
			func(ids map[string]string) map[string]any {
				return map[string]any{"disclosureId": ids["fileDisclosure"], "expectedVersion": 1, "productName": "Sữa đậu"}
			}},
		{"amendSanction", "sanction",
			func(ids map[string]string) map[string]any {
				return map[string]any{"sanctionId": ids["recordSanction"], "expectedVersion": 1, "reason": "sai số tiền", "fineVnd": 75000000}
			},
			func(ids map[string]string) map[string]any {
				return map[string]any{"sanctionId": ids["recordSanction"], "expectedVersion": 1, "reason": "sai số tiền", "fineVnd": 76000000}
			}},
		{"changeSanctionStatus", "sanction",
			func(ids map[string]string) map[string]any {
				return map[string]any{"sanctionId": ids["recordSanction"], "status": "COMPLIED", "effectiveOn": "2025-06-01", "reason": "đã nộp phạt", "expectedVersion": 2}
			},
			func(ids map[string]string) map[string]any {
				return map[string]any{"sanctionId": ids["recordSanction"], "status": "UNDER_COMPLAINT", "effectiveOn": "2025-06-01", "reason": "khiếu nại", "expectedVersion": 2}
			}},
		{"retractDisclosure", "disclosure",
			func(ids map[string]string) map[string]any {
				return map[string]any{"disclosureId": ids["fileDisclosure"], "expectedVersion": 2, "reason": "nộp nhầm"}
			},
			func(ids map[string]string) map[string]any {
				return map[string]any{"disclosureId": ids["fileDisclosure"], "expectedVersion": 2, "reason": "trùng hồ sơ"}
			}},
		{"endAffiliation", "affiliation",
			func(ids map[string]string) map[string]any {
				return map[string]any{"affiliationId": ids["recordAffiliation"], "endedOn": "2025-01-01", "expectedVersion": 1}
			},
			func(ids map[string]string) map[string]any {
				return map[string]any{"affiliationId": ids["recordAffiliation"], "endedOn": "2025-02-01", "expectedVersion": 1}
			}},
	}
	if len(steps) != 13 {
		t.Fatalf("%d mutations walked, the schema has 13", len(steps))
	}

	ids := map[string]string{}
	for _, st := range steps {
		doc := fmt.Sprintf(`mutation($input: %sInput!) { %s(input: $input) { record: %s { id } replayed userErrors { field code message } } }`,
			strings.ToUpper(st.name[:1])+st.name[1:], st.name, st.record)
		send := func(t *testing.T, in map[string]any, key string) payload {
			t.Helper()
			in["idempotencyKey"] = key
			r := s.query(t, doc, map[string]any{"input": in}, "Authorization", "Bearer "+tok)
			if r.status != http.StatusOK || len(r.gql.Errors) > 0 {
				t.Fatalf("HTTP %d %s", r.status, r.body)
			}
			var data map[string]payload
			if err := json.Unmarshal(r.gql.Data, &data); err != nil {
				t.Fatal(err)
			}
			return data[st.name]
		}
		// nothing runs a request and checks that it left every table as it was.
		nothing := func(t *testing.T, what string, f func() payload) payload {
			t.Helper()
			before := tableCounts(t, s.store)
			p := f()
			if d := changed(before, tableCounts(t, s.store)); len(d) > 0 {
				t.Errorf("%s wrote rows: %v", what, d)
			}
			return p
		}
		t.Run(st.name, func(t *testing.T) {
			key := fmt.Sprintf("%s-%d", st.name, run)
			p := nothing(t, "a 201-byte key", func() payload { return send(t, st.input(ids), strings.Repeat("k", 201)) })
			if p.errs() != "input.idempotencyKey INVALID" || p.Record != nil || p.Replayed {
				t.Errorf("201-byte key: %+v", p)
			}

			first := send(t, st.input(ids), key)
			if len(first.UserErrors) > 0 || first.Record == nil || first.Replayed {
				t.Fatalf("first write: %+v (%s)", first, first.errs())
			}
			ids[st.name] = first.Record.ID

			again := nothing(t, "a replay", func() payload { return send(t, st.input(ids), key) })
			if len(again.UserErrors) > 0 || again.Record == nil || again.Record.ID != first.Record.ID || !again.Replayed {
				t.Errorf("replay: %+v (%s), first %+v", again, again.errs(), first)
			}

			other := nothing(t, "another input", func() payload { return send(t, st.other(ids), key) })
			if other.errs() != "input.idempotencyKey IDEMPOTENCY_KEY_REUSED" || other.Record != nil || other.Replayed {
				t.Errorf("same key, other input: %+v", other)
			}
		})
	}
}

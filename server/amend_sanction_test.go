package server

import (
	"encoding/json"
	"testing"
)

// amendSanction corrects what a decision says beside its fine through the API: the fields reach
// the store, the record reads back corrected, and the audit diff in the changes feed holds each
// changed field {from, to}; an amendment that changes nothing is a user error.
func TestWrites_AmendSanctionCorrectsTheDecisionsDetails(t *testing.T) {
	s := newFollowServer(t)
	subject := s.registerInfluencer(t, "Amend KOL")
	id := s.recordSanction(t, subject)
	const amend = `mutation($in: AmendSanctionInput!) { amendSanction(input: $in) {
		sanction { version signatoryTitle violationRecordNumber additionalPenalties paymentDeadline penalty }
		userErrors { field code message } } }`
	var d struct {
		P struct {
			Sanction *struct {
				Version               int      `json:"version"`
				SignatoryTitle        *string  `json:"signatoryTitle"`
				ViolationRecordNumber *string  `json:"violationRecordNumber"`
				AdditionalPenalties   []string `json:"additionalPenalties"`
				PaymentDeadline       *string  `json:"paymentDeadline"`
				Penalty               string   `json:"penalty"`
			} `json:"sanction"`
			UserErrors []struct {
				Field   []string `json:"field"`
				Code    string   `json:"code"`
				Message string   `json:"message"`
			} `json:"userErrors"`
		} `json:"amendSanction"`
	}
	s.mutate(t, amend, map[string]any{"in": map[string]any{"sanctionId": id, "expectedVersion": 1, "reason": "sửa",
		"signatoryTitle": "Phó Cục trưởng", "violationRecordNumber": "15/BB-VPHC", "additionalPenalties": []string{"CONFISCATION"},
		"paymentDeadline": "2025-03-30"}}, &d)
	got := d.P.Sanction
	if len(d.P.UserErrors) > 0 || got == nil || got.Version != 2 || got.SignatoryTitle == nil || *got.SignatoryTitle != "Phó Cục trưởng" ||
		got.ViolationRecordNumber == nil || *got.ViolationRecordNumber != "15/BB-VPHC" || len(got.AdditionalPenalties) != 1 ||
		got.PaymentDeadline == nil || *got.PaymentDeadline != "2025-03-30" || got.Penalty != "FINE" {
		b, _ := json.Marshal(d)
		t.Fatalf("amendSanction: %s", b)
	}
	s.mutate(t, amend, map[string]any{"in": map[string]any{"sanctionId": id, "expectedVersion": 2, "reason": "không đổi",
		"signatoryTitle": "Phó Cục trưởng"}}, &d)
	if len(d.P.UserErrors) != 1 || d.P.UserErrors[0].Code != "INVALID" || d.P.Sanction != nil {
		b, _ := json.Marshal(d)
		t.Errorf("a no-op amendment: %s", b)
	}
	var feed struct {
		C struct {
			Nodes []changeNode `json:"nodes"`
		} `json:"changes"`
	}
	s.mutate(t, changesQuery, map[string]any{"actions": []string{"amendSanction"}, "first": 10}, &feed)
	if len(feed.C.Nodes) != 1 {
		t.Fatalf("%d amendSanction events, want 1", len(feed.C.Nodes))
	}
	var diff map[string]any
	json.Unmarshal(feed.C.Nodes[0].Diff, &diff)
	if sig, _ := json.Marshal(diff["signatoryTitle"]); string(sig) != `{"from":null,"to":"Phó Cục trưởng"}` {
		t.Errorf("diff %s", feed.C.Nodes[0].Diff)
	}
}

package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// A court's review of another agency's decision is announced to sanctionStatusChanged like the
// issuer's own changes, so the issuing agency (subscribed to its subjects) hears of it.
func TestLiveAlerts_AReviewReachesTheIssuersSubscription(t *testing.T) {
	key := newEdKey(t)
	s, bus := replica(t, key, "kolregistry:test:"+rand.Text()+":events")
	issuer := accredit(t, s.store, "cuc-review", "VN")
	court := accredit(t, s.store, "toa-review", "VN-HN")
	if _, err := s.store.SQL().ExecContext(context.Background(), `UPDATE agency SET kind = 'COURT' WHERE id = $1`, court.ID); err != nil {
		t.Fatal(err)
	}
	bearer := func(slug, scopes string) string {
		return "Bearer " + signToken(t, jwt.SigningMethodEdDSA, key.priv, key.kid, validClaims(slug, scopes))
	}
	issuerToken, courtToken := bearer(issuer.Slug, "influencers:write sanctions:write"), bearer(court.Slug, "sanctions:review")

	var reg struct {
		P struct{ Influencer struct{ ID string } } `json:"registerInfluencer"`
	}
	mustData(t, s.query(t, `mutation { registerInfluencer(input: {displayName: "Khởi Kiện Live"}) { influencer { id } } }`, nil,
		"Authorization", issuerToken), &reg)
	var rec struct {
		P struct{ Sanction liveSanction } `json:"recordSanction"`
	}
	mustData(t, s.query(t, `mutation($in: RecordSanctionInput!) { recordSanction(input: $in) { sanction { `+liveSanctionFields+` } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"subjectId": reg.P.Influencer.ID, "decisionNumber": fmt.Sprintf("%d/QĐ-XPHC", mrand.IntN(999999)+1),
			"decidedOn": "2025-03-20", "fineVnd": 70000000, "standing": "UNDER_LITIGATION",
			"violations": []map[string]any{{"category": "MISLEADING_CLAIMS", "legalBasis": map[string]any{"instrument": "38/2021/NĐ-CP", "article": 34, "clause": 5}}},
		}}, "Authorization", issuerToken), &rec)
	if rec.P.Sanction.ID == "" {
		t.Fatal("recordSanction returned no sanction")
	}

	ws := dialLive(t, s.URL, nil)
	ws.subscribe(t, "issuer", fmt.Sprintf(`subscription { sanctionStatusChanged(influencerIds: [%q]) { id standing statusHistory { agency { id } } } }`,
		reg.P.Influencer.ID))
	for deadline := time.Now().Add(10 * time.Second); bus.Subscribers() < 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the subscription was not registered")
		}
	}
	var rev struct {
		P struct {
			Sanction   struct{ Standing string }
			UserErrors []struct{ Message string }
		} `json:"reviewSanction"`
	}
	mustData(t, s.query(t, `mutation($in: ReviewSanctionInput!) { reviewSanction(input: $in) { sanction { standing } userErrors { message } } }`,
		map[string]any{"in": map[string]any{"sanctionId": rec.P.Sanction.ID, "standing": "ANNULLED", "effectiveOn": "2025-09-10",
			"reason": "Bản án hủy quyết định", "documentUrl": "https://toaan.gov.vn/ban-an/1.pdf", "expectedVersion": rec.P.Sanction.Version,
		}}, "Authorization", courtToken), &rev)
	if rev.P.Sanction.Standing != "ANNULLED" {
		t.Fatalf("reviewSanction: %+v", rev.P)
	}
	m := ws.next(t)
	var p struct {
		Data struct {
			S struct {
				ID            string
				Standing      string
				StatusHistory []struct{ Agency struct{ ID string } }
			} `json:"sanctionStatusChanged"`
		} `json:"data"`
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil || m.ID != "issuer" {
		t.Fatalf("want the review on %q, got %s %q: %s", "issuer", m.Type, m.ID, m.Payload)
	}
	h := p.Data.S.StatusHistory
	if p.Data.S.ID != rec.P.Sanction.ID || p.Data.S.Standing != "ANNULLED" || len(h) != 2 || h[1].Agency.ID == h[0].Agency.ID {
		t.Errorf("announced %+v; want %s ANNULLED, its last entry by the court", p.Data.S, rec.P.Sanction.ID)
	}
}

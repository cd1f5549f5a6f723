package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kolregistry/kolregistry/db"
)

// subscriberPayload is a subscriber mutation's payload as this test reads it.
type subscriberPayload struct {
	payload
	Secret *string `json:"secret"`
	Queued *int    `json:"queued"`
}

// Every subscriber mutation takes an idempotency key with the agencies' rules
// (docs/idempotency.md): a key longer than the table holds is INVALID, a retry with the same
// key and input replays the first result and writes nothing, the same key with another input is
// IDEMPOTENCY_KEY_REUSED and writes nothing.
func TestWebhooks_SubscriberMutationsAreIdempotent(t *testing.T) {
	s := newSubscriberServer(t, true)
	a := s.registerInfluencer(t, "Idem Watch A")
	b := s.registerInfluencer(t, "Idem Watch B")
	c := s.registerInfluencer(t, "Idem Watch C")
	// A second endpoint and two items to aim the "other input" of the ID-only mutations at.
	otherEndpoint, _ := s.watch(t, []map[string]any{{"recordId": a}, {"recordId": b}}, "https://127.0.0.1:1/other")
	var itemIDs []string
	rows, err := s.store.SQL().Query(`SELECT id FROM watchlist_item ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		itemIDs = append(itemIDs, db.GlobalID("WatchlistItem", id))
	}
	rows.Close()
	if len(itemIDs) != 2 {
		t.Fatalf("items: %v", itemIDs)
	}
	item1, item2 := itemIDs[0], itemIDs[1]

	steps := []struct {
		name, input, record, extra string
		in, other                  func(ids map[string]string) map[string]any
	}{
		{"createWatchlist", "CreateWatchlistInput", "watchlist", "",
			func(map[string]string) map[string]any {
				return map[string]any{"name": "idem", "items": []map[string]any{{"recordId": a}}}
			},
			func(map[string]string) map[string]any {
				return map[string]any{"name": "idem", "items": []map[string]any{{"recordId": c}}}
			}},
		{"addWatchlistItems", "AddWatchlistItemsInput", "watchlist", "",
			func(ids map[string]string) map[string]any {
				return map[string]any{"watchlistId": ids["createWatchlist"], "items": []map[string]any{{"recordId": b}}}
			},
			func(ids map[string]string) map[string]any {
				return map[string]any{"watchlistId": ids["createWatchlist"], "items": []map[string]any{{"recordId": c}}}
			}},
		{"removeWatchlistItem", "RemoveWatchlistItemInput", "watchlist", "",
			func(map[string]string) map[string]any { return map[string]any{"itemId": item1} },
			func(map[string]string) map[string]any { return map[string]any{"itemId": item2} }},
		{"createWebhookEndpoint", "CreateWebhookEndpointInput", "endpoint", "secret",
			func(ids map[string]string) map[string]any {
				return map[string]any{"watchlistId": ids["createWatchlist"], "url": "https://127.0.0.1:1/idem"}
			},
			func(ids map[string]string) map[string]any {
				return map[string]any{"watchlistId": ids["createWatchlist"], "url": "https://127.0.0.1:1/idem2"}
			}},
		{"rotateWebhookSecret", "RotateWebhookSecretInput", "endpoint", "secret",
			func(ids map[string]string) map[string]any {
				return map[string]any{"endpointId": ids["createWebhookEndpoint"]}
			},
			func(map[string]string) map[string]any { return map[string]any{"endpointId": otherEndpoint} }},
		{"setWebhookEndpointActive", "SetWebhookEndpointActiveInput", "endpoint", "",
			func(ids map[string]string) map[string]any {
				return map[string]any{"endpointId": ids["createWebhookEndpoint"], "active": false}
			},
			func(ids map[string]string) map[string]any {
				return map[string]any{"endpointId": ids["createWebhookEndpoint"], "active": true}
			}},
		{"replayWebhookDeliveries", "ReplayWebhookDeliveriesInput", "endpoint", "queued",
			func(ids map[string]string) map[string]any {
				return map[string]any{"endpointId": otherEndpoint, "fromSeq": 1}
			},
			func(ids map[string]string) map[string]any {
				return map[string]any{"endpointId": otherEndpoint, "fromSeq": 2}
			}},
	}
	ids := map[string]string{}
	for _, st := range steps {
		doc := fmt.Sprintf(`mutation($input: %s!) { %s(input: $input) { record: %s { id } %s replayed userErrors { field code message } } }`,
			st.input, st.name, st.record, st.extra)
		send := func(t *testing.T, in map[string]any, key string) subscriberPayload {
			t.Helper()
			in["idempotencyKey"] = key
			r := s.query(t, doc, map[string]any{"input": in}, "Authorization", s.sub)
			if r.status != http.StatusOK || len(r.gql.Errors) > 0 {
				t.Fatalf("HTTP %d %s", r.status, r.body)
			}
			var data map[string]subscriberPayload
			if err := json.Unmarshal(r.gql.Data, &data); err != nil {
				t.Fatal(err)
			}
			return data[st.name]
		}
		nothing := func(t *testing.T, what string, f func() subscriberPayload) subscriberPayload {
			t.Helper()
			before := tableCounts(t, s.store)
			p := f()
			if d := changed(before, tableCounts(t, s.store)); len(d) > 0 {
				t.Errorf("%s wrote rows: %v", what, d)
			}
			return p
		}
		secretOf := func(endpoint string) string {
			var sec string
			s.store.SQL().QueryRow(`SELECT secret FROM webhook_endpoint WHERE id = $1`, dbID(t, endpoint)).Scan(&sec)
			return sec
		}
		t.Run(st.name, func(t *testing.T) {
			key := "idem-" + st.name
			p := nothing(t, "a 201-byte key", func() subscriberPayload { return send(t, st.in(ids), strings.Repeat("k", 201)) })
			if p.errs() != "input.idempotencyKey INVALID" || p.Record != nil || p.Replayed {
				t.Errorf("201-byte key: %+v", p)
			}

			first := send(t, st.in(ids), key)
			if len(first.UserErrors) > 0 || first.Record == nil || first.Replayed {
				t.Fatalf("first write: %+v (%s)", first, first.errs())
			}
			ids[st.name] = first.Record.ID
			secretAfterFirst := ""
			if st.record == "endpoint" {
				secretAfterFirst = secretOf(first.Record.ID)
			}

			again := nothing(t, "a replay", func() subscriberPayload { return send(t, st.in(ids), key) })
			if len(again.UserErrors) > 0 || again.Record == nil || again.Record.ID != first.Record.ID || !again.Replayed {
				t.Errorf("replay: %+v (%s), first %+v", again, again.errs(), first)
			}
			switch st.extra {
			case "secret": // the secret the first write gave, not a new one: nothing rotated again
				if first.Secret == nil || again.Secret == nil || *again.Secret != *first.Secret || secretOf(first.Record.ID) != secretAfterFirst {
					t.Errorf("secret: first %v, replay %v, stored now %q", first.Secret, again.Secret, secretOf(first.Record.ID))
				}
			case "queued":
				if first.Queued == nil || *first.Queued == 0 || again.Queued == nil || *again.Queued != 0 {
					t.Errorf("queued: first %v, replay %v", first.Queued, again.Queued)
				}
			}

			other := nothing(t, "another input", func() subscriberPayload { return send(t, st.other(ids), key) })
			if other.errs() != "input.idempotencyKey IDEMPOTENCY_KEY_REUSED" || other.Record != nil || other.Replayed {
				t.Errorf("same key, other input: %+v", other)
			}
			if st.record == "endpoint" && secretOf(first.Record.ID) != secretAfterFirst {
				t.Error("a refused key reuse changed the endpoint's secret")
			}
		})
	}
	// Another mutation under a used key is refused too; a key is the subscriber's own: the
	// agency's keys are elsewhere.
	r := s.query(t, `mutation { setWebhookEndpointActive(input: {endpointId: "`+otherEndpoint+`", active: false, idempotencyKey: "idem-createWatchlist"}) {
		replayed userErrors { field code } } }`, nil, "Authorization", s.sub)
	if !strings.Contains(r.body, "IDEMPOTENCY_KEY_REUSED") {
		t.Errorf("a key used by createWatchlist, for setWebhookEndpointActive: %s", r.body)
	}
	var active bool
	s.store.SQL().QueryRow(`SELECT active FROM webhook_endpoint WHERE id = $1`, dbID(t, otherEndpoint)).Scan(&active)
	if !active {
		t.Error("the refused setWebhookEndpointActive(active: false) ran")
	}
}

// dbID is the database id of a global ID.
func dbID(t *testing.T, id string) int64 {
	t.Helper()
	_, n, ok := db.ParseGlobalID(id)
	if !ok {
		t.Fatalf("%q is not a global ID", id)
	}
	return n
}

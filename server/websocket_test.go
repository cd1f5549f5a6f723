package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"

	"github.com/kolregistry/kolregistry/events"
	"github.com/kolregistry/kolregistry/internal/testwait"
)

// rawSocket opens a graphql-transport-ws socket without the protocol's handshake.
func rawSocket(t *testing.T, baseURL string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(baseURL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	return conn
}

// closeCode sends the messages, then reads until the server closes the socket, and returns the
// close code (-1 when the socket ended without one, or stayed open for 5 s).
func closeCode(t *testing.T, conn *websocket.Conn, msgs ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	for _, m := range msgs {
		if err := conn.Write(ctx, websocket.MessageText, []byte(m)); err != nil {
			break // the server may already have closed
		}
	}
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			if ce, ok := errors.AsType[websocket.CloseError](err); ok {
				return int(ce.Code), ce.Reason
			}
			return -1, err.Error()
		}
		var m wsMessage
		if json.Unmarshal(b, &m) == nil && m.Type == "ping" {
			_ = conn.Write(ctx, websocket.MessageText, []byte(`{"type":"pong"}`))
		}
	}
}

func TestWebSocket_CloseCodesOfGraphQLTransportWS(t *testing.T) {
	t.Parallel()
	key := newEdKey(t)
	store := openStore(t)
	s := newTestServer(t, Config{Authenticator: authenticator(t, store, key)})
	const init = `{"type":"connection_init","payload":{}}`
	const sub = `{"id":"a","type":"subscribe","payload":{"query":"subscription { sanctionRecorded { id } }"}}`
	for _, c := range []struct {
		name string
		msgs []string
		want int
	}{
		{"not JSON", []string{`{"type":`}, 4400},
		{"unknown type", []string{`{"type":"hello"}`}, 4400},
		{"a server's message", []string{init, `{"type":"next","id":"a","payload":{}}`}, 4400},
		{"subscribe without an id", []string{init, `{"type":"subscribe","payload":{"query":"subscription { sanctionRecorded { id } }"}}`}, 4400},
		{"subscribe before connection_init", []string{sub}, 4401},
		{"refused token in connection_init", []string{`{"type":"connection_init","payload":{"Authorization":"Bearer not-a-token"}}`}, 4403},
		{"same id twice", []string{init, sub, sub}, 4409},
		{"second connection_init", []string{init, init}, 4429},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, reason := closeCode(t, rawSocket(t, s.URL), c.msgs...)
			if code != c.want {
				t.Errorf("closed with %d %q; want %d", code, reason, c.want)
			}
		})
	}

	// A good token in connection_init is accepted (the socket spends the agency's budget).
	agency := accredit(t, store, "cuc-ws-init", "VN")
	token := signToken(t, jwt.SigningMethodEdDSA, key.priv, key.kid, validClaims(agency.Slug, "sanctions:write"))
	conn := rawSocket(t, s.URL)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := conn.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init","payload":{"Authorization":"Bearer `+token+`"}}`)); err != nil {
		t.Fatal(err)
	}
	if _, b, err := conn.Read(ctx); err != nil || !strings.Contains(string(b), "connection_ack") {
		t.Errorf("connection_init with a valid token: %s %v; want connection_ack", b, err)
	}
}

func TestWebSocket_CapPerClientIP(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Config{MaxWebSocketsPerIP: 3})
	var open []*wsClient
	for range 3 {
		open = append(open, dialLive(t, s.URL, nil))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a fourth socket from one address: %v (%v); want HTTP 429", resp, err)
	}
	var body gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || len(body.Errors) == 0 || body.Errors[0].Extensions["code"] != "RATE_LIMITED" {
		t.Errorf("refusal body %+v (%v); want RATE_LIMITED", body, err)
	}
	// Closing one frees its place.
	open[0].conn.Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/graphql",
			&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err == nil {
			c.CloseNow()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no socket accepted after one of three closed: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestWebSocket_SubscriptionsSpendTheCallersBudget(t *testing.T) {
	t.Parallel()
	bus := events.New(nil, events.Options{})
	t.Cleanup(func() { bus.Close() })
	// A budget of 50 points a minute; each subscription below costs 1 + 1 + (1 + 20 × 1) = 23.
	s := newTestServer(t, Config{Events: bus, RateLimitAnon: 50})
	ws := dialLive(t, s.URL, nil)
	query := `subscription { sanctionRecorded { id statusHistory { status } } }`
	ws.subscribe(t, "1", query)
	ws.subscribe(t, "2", query)
	for deadline := time.Now().Add(10 * time.Second); bus.Subscribers() < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the bus holds %d subscriptions, want 2", bus.Subscribers())
		}
	}
	ws.subscribe(t, "3", query)
	m := ws.next(t)
	if m.ID != "3" || errorCode(t, m) != "RATE_LIMITED" {
		t.Errorf("a third subscription over budget: got %s %q %s; want RATE_LIMITED", m.Type, m.ID, m.Payload)
	}
	// The same budget as HTTP: the address is now refused there too.
	if r := s.query(t, `{ influencers(first: 20) { nodes { id } } }`, nil); r.status != http.StatusTooManyRequests || r.code() != "RATE_LIMITED" {
		t.Errorf("HTTP after the socket spent the budget: %d %s; want 429 RATE_LIMITED", r.status, r.body)
	}
	if bus.Subscribers() != 2 {
		t.Errorf("%d subscriptions open; the refused one must not be", bus.Subscribers())
	}
}

func TestWebSocket_QueriesAreServedOverHTTPOnly(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, Config{})
	ws := dialLive(t, s.URL, nil)
	ws.subscribe(t, "q", `{ influencers(first: 100) { nodes { id } } }`)
	if m := ws.next(t); m.ID != "q" || errorCode(t, m) != "BAD_USER_INPUT" {
		t.Errorf("a query over a socket: got %s %q %s; want BAD_USER_INPUT", m.Type, m.ID, m.Payload)
	}
}

func TestWebSocket_GoingAwayClosesEverySocketWith1001(t *testing.T) {
	t.Parallel()
	sockets := NewWebSockets()
	bus := events.New(nil, events.Options{}) // in-process
	s := newTestServer(t, Config{WebSockets: sockets, Events: bus})
	var conns []*websocket.Conn
	for i := range 2 {
		c := rawSocket(t, s.URL)
		msgs := []string{`{"type":"connection_init"}`}
		if i == 1 {
			msgs = append(msgs, `{"id":"1","type":"subscribe","payload":{"query":"subscription { sanctionRecorded { id } }"}}`)
		}
		for _, m := range msgs {
			if err := c.Write(t.Context(), websocket.MessageText, []byte(m)); err != nil {
				t.Fatal(err)
			}
		}
		if _, b, err := c.Read(t.Context()); err != nil || !strings.Contains(string(b), "connection_ack") {
			t.Fatalf("init: %s %v", b, err)
		}
		conns = append(conns, c)
	}
	for deadline := time.Now().Add(5 * time.Second); sockets.Open() < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d sockets open, want 2", sockets.Open())
		}
	}
	testwait.Until(t, 5*time.Second, "the subscribe to reach the bus", func() bool { return bus.Subscribers() == 1 })
	sockets.GoingAway()
	for _, c := range conns {
		if code, reason := closeCode(t, c); code != int(websocket.StatusGoingAway) {
			t.Errorf("socket closed with %d %q; want 1001 going away", code, reason)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := sockets.Wait(ctx); err != nil {
		t.Errorf("sockets still open after going away: %d", sockets.Open())
	}
	_, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.URL, "http")+"/graphql", nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a handshake after going away: %v %v; want 503", resp, err)
	}
}

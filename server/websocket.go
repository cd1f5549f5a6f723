package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/cache"
	"github.com/kolregistry/kolregistry/events"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/ratelimit"
)

// WebSockets are metered like HTTP (docs/limits.md, docs/alerts.md): a cap of open sockets
// per client IP and per process, every operation priced by the cost model and charged to the
// caller's budget when it starts, and the close codes of graphql-transport-ws.

// Defaults of the WebSocket caps.
const (
	// DefaultMaxWebSocketsPerIP is Config.MaxWebSocketsPerIP's default (WS_MAX_CONNECTIONS_PER_IP).
	DefaultMaxWebSocketsPerIP = 20
	// DefaultMaxWebSockets is Config.MaxWebSockets's default (WS_MAX_CONNECTIONS).
	DefaultMaxWebSockets = 5000
)

// Close codes of graphql-transport-ws (github.com/enisdenjo/graphql-ws, PROTOCOL.md) and
// RFC 6455's "going away".
const (
	closeGoingAway        = 1001
	closeBadRequest       = 4400 // a message that is not valid JSON or not of the protocol
	closeUnauthorized     = 4401 // subscribe before connection_ack
	closeForbidden        = 4403 // connection_init with credentials that are refused
	closeInitTimeout      = 4408 // no connection_init in time
	closeSubscriberExists = 4409 // subscribe with an id already in use on the socket
	closeTooManyInits     = 4429 // a second connection_init
)

// maxOperationID bounds a subscribe's id (it is echoed in close reasons and every message).
const maxOperationID = 128

// WebSockets tracks one handler's open sockets: per client IP against its cap, and all of
// them for shutdown. Make one with NewWebSockets and pass it in Config.WebSockets to send
// 1001 "going away" to every socket when the http.Server shuts down:
//
//	srv.RegisterOnShutdown(sockets.GoingAway)
//	srv.Shutdown(ctx)
//	sockets.Wait(ctx)
type WebSockets struct {
	mu      sync.Mutex
	perIP   map[netip.Addr]int
	open    int
	conns   map[*guardedConn]struct{}
	closing bool
	wg      sync.WaitGroup
}

// NewWebSockets returns an empty tracker.
func NewWebSockets() *WebSockets {
	return &WebSockets{perIP: map[netip.Addr]int{}, conns: map[*guardedConn]struct{}{}}
}

type admission int

const (
	admitted admission = iota
	tooManyFromIP
	tooMany
	shuttingDown
)

// admit counts a handshake from ip against the caps.
func (s *WebSockets) admit(ip netip.Addr, perIP, total int) admission {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closing:
		return shuttingDown
	case s.perIP[ip] >= perIP:
		return tooManyFromIP
	case s.open >= total:
		return tooMany
	}
	s.perIP[ip]++
	s.open++
	s.wg.Add(1)
	return admitted
}

func (s *WebSockets) release(ip netip.Addr) {
	s.mu.Lock()
	if s.perIP[ip]--; s.perIP[ip] <= 0 {
		delete(s.perIP, ip)
	}
	s.open--
	s.mu.Unlock()
	s.wg.Done()
}

// Open is how many sockets are open (or being opened).
func (s *WebSockets) Open() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open
}

func (s *WebSockets) add(c *guardedConn) {
	s.mu.Lock()
	closing := s.closing
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	if closing {
		c.goAway()
	}
}

func (s *WebSockets) remove(c *guardedConn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// GoingAway closes every open socket with 1001 "going away" and refuses new handshakes with
// 503: clients reconnect, to another replica. It returns once the close frames are on their
// way; Wait waits for the sockets to end.
func (s *WebSockets) GoingAway() {
	s.mu.Lock()
	s.closing = true
	conns := make([]*guardedConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.goAway()
	}
}

// Wait returns once every socket has ended, or with ctx's error.
func (s *WebSockets) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// websocketTransport serves subscriptions over graphql-transport-ws and the legacy graphql-ws.
//
// Any origin may connect: like the CORS policy (middleware.go), the data is public and nothing
// ambient authenticates a socket (no cookies; a browser cannot set Authorization on one), so a
// page on another site gains nothing by opening one that it could not fetch itself. That is why
// the same-origin check of coder/websocket is relaxed rather than forgotten; CORS_ORIGINS narrows
// sockets to the same origins as reads (wsOrigins). A token may come in
// the Authorization header of the handshake or in connection_init's payload.
func websocketTransport(cfg Config, logger *slog.Logger, c *caches) graphql.Transport {
	limit := wsReadLimit
	return websocketOnly{
		Websocket: transport.Websocket{
			Implementation: transport.CoderWebsocketImplementation{
				AcceptOptions: websocket.AcceptOptions{OriginPatterns: wsOrigins(cfg.CORSOrigins)},
			},
			InitTimeout:           wsInitTimeout,
			KeepAlivePingInterval: wsKeepAlive,
			PingPongInterval:      wsKeepAlive,
			PayloadReadLimit:      &limit,
			ErrorFunc: func(ctx context.Context, err error) {
				// A client that goes away without a close frame is ordinary, not worth a log line.
				if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, context.Canceled) ||
					websocket.CloseStatus(err) != -1 {
					return
				}
				logger.InfoContext(ctx, "websocket error", "request_id", RequestID(ctx), "error", err.Error())
			},
		},
		sockets:    cfg.WebSockets,
		limiter:    c.limiter,
		persisted:  c.persisted,
		authn:      cfg.Authenticator,
		logger:     logger,
		perConn:    cmpOr(cfg.MaxSubscriptionsPerConnection, DefaultMaxSubscriptionsPerConnection),
		perIP:      cmpOr(cfg.MaxWebSocketsPerIP, DefaultMaxWebSocketsPerIP),
		maxSockets: cmpOr(cfg.MaxWebSockets, DefaultMaxWebSockets),
	}
}

func cmpOr(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// websocketOnly claims only WebSocket handshakes: gqlgen's transport claims any request with
// an Upgrade header, so a query from `curl --http2` (Upgrade: h2c) would be refused.
type websocketOnly struct {
	transport.Websocket
	sockets                    *WebSockets
	limiter                    *ratelimit.Limiter
	persisted                  *cache.PersistedQueries
	authn                      Authenticator
	logger                     *slog.Logger
	perConn, perIP, maxSockets int
}

func (websocketOnly) Supports(r *http.Request) bool { return isWebSocketUpgrade(r) }

// Do admits the handshake against the caps, then serves the socket through the protocol guard
// and the metered executor.
func (t websocketOnly) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ip := t.limiter.ClientIP(r)
	switch t.sockets.admit(ip, t.perIP, t.maxSockets) {
	case shuttingDown:
		w.Header().Set("Retry-After", "1")
		writeError(w, r, http.StatusServiceUnavailable, errcode.Internal, "the server is shutting down; reconnect")
		return
	case tooManyFromIP:
		w.Header().Set("Retry-After", "10")
		writeError(w, r, http.StatusTooManyRequests, errcode.RateLimited, fmt.Sprintf(
			"at most %d WebSockets may be open from one client address; close one first (docs/limits.md)", t.perIP))
		return
	case tooMany:
		w.Header().Set("Retry-After", "10")
		writeError(w, r, http.StatusTooManyRequests, errcode.RateLimited,
			"this server holds as many WebSockets as it may; retry later or on another replica")
		return
	}
	defer t.sockets.release(ip)
	ws := t.Websocket
	ws.Implementation = guardedImplementation{inner: ws.Implementation, sockets: t.sockets}
	ws.InitFunc = t.init(r)
	ws.Do(w, r, socketExecutor{GraphExecutor: exec, limiter: t.limiter, persisted: t.persisted, r: r})
}

// init authenticates a token sent in connection_init (4403 when refused) and bounds the
// socket's subscriptions.
func (t websocketOnly) init(r *http.Request) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		if token := p.Authorization(); token != "" {
			if _, ok := auth.FromContext(ctx); ok {
				return refuseInit(ctx, "send credentials in the handshake or in connection_init, not both")
			}
			if t.authn == nil {
				return refuseInit(ctx, "this server does not accept credentials")
			}
			req := r.Clone(ctx)
			req.Header.Set("Authorization", token)
			actx, err := t.authn.Authenticate(req)
			if err != nil {
				if e, ok := errcode.As(err); !ok || e.Code != errcode.Unauthenticated {
					t.logger.ErrorContext(ctx, "websocket authentication failed", "request_id", RequestID(ctx), "error", err.Error())
				}
				return refuseInit(ctx, "Forbidden")
			}
			ctx = actx
		}
		return events.WithConnectionLimit(ctx, t.perConn), nil, nil
	}
}

func refuseInit(ctx context.Context, reason string) (context.Context, *transport.InitPayload, error) {
	ctx = transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, closeForbidden), reason)
	return ctx, nil, errors.New(reason)
}

// socketExecutor charges every operation started on a socket to its caller's budget, as the
// HTTP transport does: the operation's price when it is valid (a subscription is charged once,
// when it starts), 1 point when it is not, plus the bytes of a document it persists
// (persisted.go). Over budget it is refused with RATE_LIMITED. Queries
// and mutations are refused: they are served over HTTP, where the deadline, the response cap
// and the response cache apply.
type socketExecutor struct {
	graphql.GraphExecutor
	limiter   *ratelimit.Limiter
	persisted *cache.PersistedQueries
	r         *http.Request
}

func (e socketExecutor) CreateOperationContext(ctx context.Context, params *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	ctx, pending := withPendingPersist(ctx, e.persisted)
	opCtx, errs := e.GraphExecutor.CreateOperationContext(ctx, params)
	cost := 1
	if errs == nil {
		if opCtx.Operation.Operation != ast.Subscription {
			errs = gqlerror.List{{Message: "WebSockets carry subscriptions only; send queries and mutations with POST /graphql",
				Extensions: map[string]any{"code": string(errcode.BadUserInput)}}}
		} else if s := extension.GetComplexityStats(graphql.WithOperationContext(ctx, opCtx)); s != nil {
			cost = s.Complexity + pending.cost()
		}
	}
	if res := e.limiter.Charge(ctx, e.r, cost); !res.Allowed {
		return opCtx, gqlerror.List{{Message: ratelimit.Message(res), Extensions: map[string]any{"code": string(errcode.RateLimited)}}}
	}
	if errs == nil {
		pending.commit(ctx)
	}
	return opCtx, capErrors(errs)
}

// guardedImplementation wraps every accepted socket in the protocol guard.
type guardedImplementation struct {
	inner   transport.WebsocketImplementation
	sockets *WebSockets
}

func (g guardedImplementation) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	conn, err := g.inner.Accept(w, r, o)
	if err != nil {
		return nil, err
	}
	c := &guardedConn{WebsocketConn: conn, sockets: g.sockets,
		strict: conn.Subprotocol() == "graphql-transport-ws", active: map[string]bool{}}
	g.sockets.add(c)
	return c, nil
}

// guardedConn enforces graphql-transport-ws on the client's messages, closing with the codes
// the protocol defines, where gqlgen closes every violation with 1002 or ignores it (a repeated
// connection_init, a reused subscription id). The legacy graphql-ws passes through unchanged.
type guardedConn struct {
	transport.WebsocketConn
	sockets *WebSockets
	strict  bool // graphql-transport-ws

	mu     sync.Mutex
	inited bool
	active map[string]bool // ids of the running operations
}

// Optional interfaces gqlgen looks for on the connection.
var (
	_ transport.WebsocketReadLimiter   = (*guardedConn)(nil)
	_ transport.WebsocketReadDeadliner = (*guardedConn)(nil)
)

func (c *guardedConn) SetReadLimit(n int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(n)
	}
}

func (c *guardedConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

func (c *guardedConn) NextReader() (int, io.Reader, error) {
	typ, r, err := c.WebsocketConn.NextReader()
	if err != nil || !c.strict {
		return typ, r, err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return typ, nil, err
	}
	if code, reason := c.check(b); code != 0 {
		_ = c.WebsocketConn.WriteClose(code, reason)
		return typ, nil, transport.ErrWebsocketClosed
	}
	return typ, bytes.NewReader(b), nil
}

// check applies the protocol to one client message: 0 when it may pass.
func (c *guardedConn) check(b []byte) (int, string) {
	var m struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return closeBadRequest, "Invalid message received"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch m.Type {
	case "connection_init":
		if c.inited {
			return closeTooManyInits, "Too many initialisation requests"
		}
		c.inited = true
	case "subscribe":
		switch {
		case !c.inited:
			return closeUnauthorized, "Unauthorized"
		case m.ID == "" || len(m.ID) > maxOperationID:
			return closeBadRequest, "Invalid message received: subscribe needs an id of 1 to " + strconv.Itoa(maxOperationID) + " bytes"
		case c.active[m.ID]:
			return closeSubscriberExists, "Subscriber for " + m.ID + " already exists"
		}
		c.active[m.ID] = true
	case "complete":
		delete(c.active, m.ID)
	case "ping", "pong":
	default:
		return closeBadRequest, "Invalid message received"
	}
	return 0, ""
}

// WriteJSON frees an operation's id once the server has ended it (complete or error).
func (c *guardedConn) WriteJSON(v any) error {
	if c.strict {
		if typ, id := messageTypeID(v); typ == "complete" || typ == "error" {
			c.mu.Lock()
			delete(c.active, id)
			c.mu.Unlock()
		}
	}
	return c.WebsocketConn.WriteJSON(v)
}

// messageTypeID reads the Type and ID of gqlgen's (unexported) message struct.
func messageTypeID(v any) (string, string) {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return "", ""
	}
	str := func(name string) string {
		if f := rv.FieldByName(name); f.IsValid() && f.Kind() == reflect.String {
			return f.String()
		}
		return ""
	}
	return str("Type"), str("ID")
}

// WriteClose gives gqlgen's closes their graphql-transport-ws codes: it closes every protocol
// violation with 1002.
func (c *guardedConn) WriteClose(code int, reason string) error {
	if c.strict && code == transport.WebsocketCloseProtocolError {
		code = closeBadRequest
		if reason == "connection initialisation timeout" {
			code, reason = closeInitTimeout, "Connection initialisation timeout"
		}
	}
	return c.WebsocketConn.WriteClose(code, reason)
}

func (c *guardedConn) Close() error {
	c.sockets.remove(c)
	return c.WebsocketConn.Close()
}

// goAway starts the close handshake with 1001; the reader then ends and gqlgen tears the
// socket down (its own close comes second and is ignored).
func (c *guardedConn) goAway() {
	_ = c.WebsocketConn.WriteClose(closeGoingAway, "server shutting down")
}

// isWebSocketUpgrade reports whether r asks to switch to the WebSocket protocol.
func isWebSocketUpgrade(r *http.Request) bool {
	for _, v := range r.Header.Values("Upgrade") {
		for p := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), "websocket") {
				return true
			}
		}
	}
	return false
}

// wsOrigins are coder/websocket's origin patterns for the CORS origins: any when none are set,
// else each origin matched as scheme://host (the request's own host is always allowed).
func wsOrigins(origins []string) []string {
	if len(origins) == 0 || slices.Contains(origins, "*") {
		return []string{"*"}
	}
	return origins
}

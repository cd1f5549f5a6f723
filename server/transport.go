package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/ratelimit"
)

// httpTransport is GraphQL over HTTP for /graphql: POST with an application/json body, GET
// with URL parameters for queries only. It stands in for gqlgen's GET and POST transports so
// that one place decides statuses and shapes. Those transports answer some refusals without
// extensions.code (bad GET variables, a mutation over GET, an unsupported method), echo a
// malformed body back in the error message, answer an over-long body with 200, and put
// "data": null in request errors; this one does none of that.
type httpTransport struct {
	parserTokenLimit int
	// caches: response cache, rate limit and query cost (cache.go); nil runs every operation plainly.
	caches *caches
	// maxResponseBytes caps a response (deadline.go); zero: DefaultMaxResponseBytes.
	maxResponseBytes int64
}

var _ graphql.Transport = httpTransport{}

// Supports claims every request, so that methods and content types this endpoint does not
// serve get a GraphQL-shaped refusal from Do rather than gqlgen's bare "transport not supported".
func (httpTransport) Supports(*http.Request) bool { return true }

// requestError is a request refused before GraphQL sees it, always BAD_USER_INPUT.
type requestError struct {
	status int
	msg    string
}

func badRequest(format string, args ...any) *requestError {
	return &requestError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func (t httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	var params *graphql.RawParams
	var reqErr *requestError
	switch r.Method {
	case http.MethodGet:
		params, reqErr = readGET(r)
	case http.MethodPost:
		params, reqErr = readPOST(r)
	default:
		w.Header().Set("Allow", corsAllowMethods)
		reqErr = &requestError{http.StatusMethodNotAllowed, "send queries with GET or POST, mutations with POST"}
	}
	if reqErr != nil {
		writeError(w, r, reqErr.status, errcode.BadUserInput, reqErr.msg)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	ctx := r.Context()
	var pending *pendingPersist
	if t.caches != nil {
		ctx, pending = withPendingPersist(ctx, t.caches.persisted)
	}
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if r.Method == http.MethodGet && t.notAQuery(params, opCtx, errs) {
		refuseGETMutation(w, r)
		return
	}
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), capErrors(errs))
		status := statusForRequestError(responseMediaType(r), resp.Errors)
		writeJSON(w, r, status, errorBody{Errors: resp.Errors, Extensions: resp.Extensions})
		return
	}
	if info := infoFrom(ctx); info != nil {
		info.operation = string(opCtx.Operation.Operation)
		info.operationName = opCtx.Operation.Name
	}
	if opCtx.Operation.Operation == ast.Subscription {
		writeError(w, r, http.StatusBadRequest, errcode.BadUserInput,
			"subscriptions are served over WebSocket at this URL (graphql-transport-ws or graphql-ws): see docs/alerts.md")
		return
	}

	if pending != nil {
		t.persist(ctx, opCtx, pending)
	}
	t.execute(ctx, w, r, exec, opCtx)
}

// persist stores the document the request registers as a persisted query, now that its
// operation parsed, validated and passed the cost check, if the budget allows the operation's
// price plus the stored bytes (persisted.go); the sum is the price execute charges and reports.
func (t httpTransport) persist(ctx context.Context, opCtx *graphql.OperationContext, pending *pendingPersist) {
	n := pending.cost()
	if n == 0 {
		return
	}
	s := extension.GetComplexityStats(graphql.WithOperationContext(ctx, opCtx))
	if s == nil {
		return
	}
	s.Complexity += n
	if res, ok := ratelimit.Spend(ctx, s.Complexity); !ok || res.Allowed {
		pending.commit(ctx)
	}
}

// notAQuery reports whether a GET request asks for an operation other than a query, which
// GraphQL over HTTP says must get 405 and never run. When the document did not validate (a
// schema without mutations refuses "mutation { … }" as invalid), it is parsed once more to tell.
func (t httpTransport) notAQuery(params *graphql.RawParams, opCtx *graphql.OperationContext, errs gqlerror.List) bool {
	if errs == nil {
		return opCtx.Operation.Operation != ast.Query
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, t.parserTokenLimit)
	if err != nil {
		return false
	}
	op := doc.Operations.ForName(params.OperationName)
	return op != nil && op.Operation != ast.Query
}

func refuseGETMutation(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", http.MethodPost)
	writeError(w, r, http.StatusMethodNotAllowed, errcode.BadUserInput,
		"GET requests may only run queries; send mutations with POST")
}

// readGET reads the parameters of a GET request from the URL.
func readGET(r *http.Request) (*graphql.RawParams, *requestError) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("the URL query string is malformed")
	}
	p := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	if !utf8.ValidString(p.Query) || !utf8.ValidString(p.OperationName) {
		return nil, badRequest("the request is not valid UTF-8")
	}
	if v := q.Get("variables"); v != "" {
		if e := decodeObject("variables", []byte(v), &p.Variables); e != nil {
			return nil, e
		}
	}
	if v := q.Get("extensions"); v != "" {
		if e := decodeObject("extensions", []byte(v), &p.Extensions); e != nil {
			return nil, e
		}
	}
	return p, requireQuery(p)
}

func decodeObject(name string, b []byte, dst *map[string]any) *requestError {
	if !validJSONText(b) {
		return badRequest("%s is not valid UTF-8", name)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(dst); err != nil || dec.More() {
		return badRequest("%s must be a JSON object", name)
	}
	return nil
}

// postBody is the JSON body of a POST request.
type postBody struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

// readPOST reads the parameters of a POST request from its application/json body, which
// limitBody has already capped.
func readPOST(r *http.Request) (*graphql.RawParams, *requestError) {
	mt, mtParams, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != mediaJSON {
		return nil, &requestError{http.StatusUnsupportedMediaType, "send the request body as application/json"}
	}
	if cs, ok := mtParams["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, &requestError{http.StatusUnsupportedMediaType, "the request body must be UTF-8"}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if tooLarge, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, &requestError{http.StatusRequestEntityTooLarge,
				fmt.Sprintf("request body is larger than the limit of %d bytes", tooLarge.Limit)}
		}
		return nil, badRequest("could not read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badRequest("the request body is empty; send a JSON object with a query")
	}
	if !validJSONText(body) {
		return nil, badRequest("the request body is not valid UTF-8")
	}
	var b postBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&b); err != nil {
		return nil, badRequest("%s", describeJSONError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badRequest("the request body must hold one JSON object and nothing after it")
	}
	p := &graphql.RawParams{Query: b.Query, OperationName: b.OperationName, Variables: b.Variables, Extensions: b.Extensions}
	return p, requireQuery(p)
}

// describeJSONError says what is wrong with a body without echoing it.
func describeJSONError(err error) string {
	if e, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		switch e.Field {
		case "":
			return "the request body must be a JSON object"
		case "query", "operationName":
			return e.Field + " must be a string"
		case "variables", "extensions":
			return e.Field + " must be a JSON object"
		}
	}
	if e, ok := errors.AsType[*json.SyntaxError](err); ok {
		return fmt.Sprintf("the request body is not valid JSON: %s (at byte %d)", e.Error(), e.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "the request body is not valid JSON: it ends too early"
	}
	return "the request body must be a JSON object with query, operationName, variables and extensions"
}

// requireQuery refuses a request without a document, unless it names a persisted query.
func requireQuery(p *graphql.RawParams) *requestError {
	if p.Query == "" && p.Extensions["persistedQuery"] == nil {
		return badRequest("query is required")
	}
	return nil
}

// validJSONText reports whether b is UTF-8 and its \u escapes encode Unicode scalar values.
// encoding/json silently turns both kinds of damage into U+FFFD, which would then be stored
// or searched for as if the client had sent it.
func validJSONText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if i+1 < len(b) && b[i+1] != 'u' {
			i++ // a two-character escape such as \\ or \"
			continue
		}
		r, ok := hexEscape(b, i)
		if !ok {
			return true // malformed escape: the JSON decoder reports it
		}
		if !utf16.IsSurrogate(r) {
			i += 5
			continue
		}
		// A high surrogate must be followed by a low one; a low one may not stand alone.
		low, ok := hexEscape(b, i+6)
		if r >= 0xDC00 || !ok || low < 0xDC00 || low > 0xDFFF {
			return false
		}
		i += 11
	}
	return true
}

// hexEscape decodes the \uXXXX escape at b[i:].
func hexEscape(b []byte, i int) (rune, bool) {
	if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range b[i+2 : i+6] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

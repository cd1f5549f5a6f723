package server

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph"
	"github.com/kolregistry/kolregistry/resolvers"
)

// These tests run writes through server.New with the production authenticator: real JWT
// verification against a JWKS file and the agency row read from Postgres.

// edKey is an Ed25519 signing key and its kid (the RFC 7638 thumbprint, as `keys generate` sets it).
type edKey struct {
	kid  string
	priv ed25519.PrivateKey
}

func newEdKey(t *testing.T) edKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	kid, err := auth.Thumbprint(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return edKey{kid: kid, priv: priv}
}

func (k edKey) pub() ed25519.PublicKey { return k.priv.Public().(ed25519.PublicKey) }

// authenticator writes the public halves of keys as a JWKS file and verifies tokens against it.
func authenticator(t *testing.T, store *db.DB, keys ...edKey) *auth.Authenticator {
	t.Helper()
	var doc auth.JWKS
	for _, k := range keys {
		j, err := auth.PublicJWK(k.pub(), k.kid)
		if err != nil {
			t.Fatal(err)
		}
		doc.Keys = append(doc.Keys, j)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(auth.Config{KeysPath: path})
	if err != nil {
		t.Fatal(err)
	}
	return auth.NewAuthenticator(v, store)
}

// accredit adds an active agency with a slug unique to this run (the package database outlives
// one run of the test binary under -count).
func accredit(t *testing.T, store *db.DB, base, jurisdiction string) db.Agency {
	t.Helper()
	slug := fmt.Sprintf("%s-%d", base, time.Now().UnixNano())
	a, err := store.AddAgency(context.Background(), db.NewAgency{
		Slug: slug, Name: "Cục Phát thanh " + slug, Kind: "BROADCASTING_AUTHORITY", Jurisdiction: jurisdiction,
	})
	if err != nil {
		t.Fatalf("add agency: %v", err)
	}
	return a
}

// writeServer is a test server whose authenticator trusts one Ed25519 key, with one agency.
type writeServer struct {
	*testServer
	key    edKey
	agency db.Agency
}

func newWriteServer(t *testing.T, cfg Config) *writeServer {
	t.Helper()
	key := newEdKey(t)
	store := openStore(t)
	cfg.Authenticator = authenticator(t, store, key)
	s := newTestServer(t, cfg)
	return &writeServer{testServer: s, key: key, agency: accredit(t, s.store, "cuc-ptth", "VN")}
}

// validClaims are claims the server accepts for sub, granting scope; tests change or delete members.
func validClaims(sub, scope string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss": auth.DefaultIssuer, "aud": []string{auth.DefaultAudience}, "sub": sub,
		"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "nbf": now.Unix(),
		"jti": fmt.Sprintf("jti-%d", now.UnixNano()), "scope": scope,
	}
}

// signToken signs c with any method and key under kid ("" for no kid header).
func signToken(t *testing.T, m jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tableCounts is the row count of every table, and the audit head's seq: what a refused write
// must leave unchanged.
func tableCounts(t *testing.T, store *db.DB) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	rows, err := store.SQL().QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(tables, "audit_event") || !slices.Contains(tables, "brand") {
		t.Fatalf("tables %v lack audit_event or brand", tables)
	}
	out := make(map[string]int64, len(tables)+1)
	for _, name := range tables {
		var n int64
		if err := store.SQL().QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM %q`, name)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[name] = n
	}
	var seq int64
	if err := store.SQL().QueryRowContext(ctx, `SELECT seq FROM audit_head`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	out["audit_head.seq"] = seq
	return out
}

// changed lists the counts that differ between two snapshots.
func changed(before, after map[string]int64) []string {
	var out []string
	for k, v := range after {
		if before[k] != v {
			out = append(out, fmt.Sprintf("%s %d→%d", k, before[k], v))
		}
	}
	slices.Sort(out)
	return out
}

const registerBrand = `mutation($input: RegisterBrandInput!) {
  registerBrand(input: $input) { brand { id name } userErrors { field code message } }
}`

func brandInput(name string) map[string]any {
	return map[string]any{"input": map[string]any{"name": name, "industry": "COSMETICS"}}
}

// Every forged, stale or malformed credential on a mutation is refused with 401 UNAUTHENTICATED
// before anything runs, and writes nothing.
func TestWrites_TokenMatrixIsRefusedAndWritesNothing(t *testing.T) {
	s := newWriteServer(t, Config{})
	slug := s.agency.Slug
	const scope = auth.ScopeBrandsWrite
	outsider := newEdKey(t)
	suspended := accredit(t, s.store, "so-vhtt-suspended", "VN-HN")
	if _, err := s.store.SuspendAgency(context.Background(), suspended.Slug); err != nil {
		t.Fatal(err)
	}

	now := time.Now()
	with := func(member string, val any) jwt.MapClaims { c := validClaims(slug, scope); c[member] = val; return c }
	without := func(member string) jwt.MapClaims { c := validClaims(slug, scope); delete(c, member); return c }
	edDSA := jwt.SigningMethodEdDSA
	pubPEM := func() []byte {
		der, err := x509.MarshalPKIXPublicKey(s.key.pub())
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}()

	// A valid token whose payload is swapped for another agency's, or for more scopes, keeping
	// the signature.
	valid := signToken(t, edDSA, s.key.priv, s.key.kid, validClaims(slug, auth.ScopeSanctionsWrite))
	parts := strings.Split(valid, ".")
	tampered := func(c jwt.MapClaims) string {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2]
	}
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"` + s.key.kid + `","typ":"JWT"}`))

	cases := []struct{ name, header string }{
		{"alg none", "Bearer " + signToken(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, s.key.kid, validClaims(slug, scope))},
		{"alg none, signature stripped from a valid token", "Bearer " + noneHeader + "." + parts[1] + "."},
		{"HS256 keyed with the public key's raw bytes", "Bearer " + signToken(t, jwt.SigningMethodHS256, []byte(s.key.pub()), s.key.kid, validClaims(slug, scope))},
		{"HS256 keyed with the public key's PEM", "Bearer " + signToken(t, jwt.SigningMethodHS256, pubPEM, s.key.kid, validClaims(slug, scope))},
		{"expired", "Bearer " + signToken(t, edDSA, s.key.priv, s.key.kid, with("exp", now.Add(-2*time.Minute).Unix()))},
		{"nbf in the future", "Bearer " + signToken(t, edDSA, s.key.priv, s.key.kid, with("nbf", now.Add(2*time.Minute).Unix()))},
		{"wrong iss", "Bearer " + signToken(t, edDSA, s.key.priv, s.key.kid, with("iss", "https://evil.example"))},
		{"wrong aud", "Bearer " + signToken(t, edDSA, s.key.priv, s.key.kid, with("aud", []string{"another-api"}))},
		{"missing exp", "Bearer " + signToken(t, edDSA, s.key.priv, s.key.kid, without("exp"))},
		{"missing sub", "Bearer " + signToken(t, edDSA, s.key.priv, s.key.kid, without("sub"))},
		{"unknown kid", "Bearer " + signToken(t, edDSA, s.key.priv, "no-such-kid", validClaims(slug, scope))},
		{"no kid", "Bearer " + signToken(t, edDSA, s.key.priv, "", validClaims(slug, scope))},
		{"tampered payload: more scopes", "Bearer " + tampered(validClaims(slug, scope))},
		{"tampered payload: another agency", "Bearer " + tampered(validClaims(suspended.Slug+"-x", auth.ScopeSanctionsWrite))},
		{"signed by a key outside the set, under its own kid", "Bearer " + signToken(t, edDSA, outsider.priv, outsider.kid, validClaims(slug, scope))},
		{"signed by a key outside the set, under a trusted kid", "Bearer " + signToken(t, edDSA, outsider.priv, s.key.kid, validClaims(slug, scope))},
		{"agency not accredited", "Bearer " + signToken(t, edDSA, s.key.priv, s.key.kid, validClaims("no-such-agency", scope))},
		{"agency suspended", "Bearer " + signToken(t, edDSA, s.key.priv, s.key.kid, validClaims(suspended.Slug, scope))},
		{"garbage", "Bearer not-a-jwt"},
		{"garbage in three parts", "Bearer a.b.c"},
		{"Bearer with nothing after", "Bearer"},
		{"Bearer and a space with nothing after", "Bearer "},
		{"empty header", ""},
		{"another scheme", "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:admin"))},
		{"token without a scheme", signToken(t, edDSA, s.key.priv, s.key.kid, validClaims(slug, scope))},
	}
	before := tableCounts(t, s.store)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.query(t, registerBrand, brandInput(fmt.Sprintf("Matrix %d %s", i, c.name)), "Authorization", c.header)
			if r.status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" {
				t.Fatalf("HTTP %d %s", r.status, r.body)
			}
			if r.header.Get("WWW-Authenticate") == "" {
				t.Error("no WWW-Authenticate header")
			}
			if r.gql.Data != nil || len(r.gql.Errors) != 1 {
				t.Errorf("want one error and no data: %s", r.body)
			}
			// The client learns that the token is refused, never which check failed or why inside.
			for _, leak := range []string{"kid", "signature", "alg", "pq:", "sql"} {
				if strings.Contains(strings.ToLower(r.gql.Errors[0].Message), leak) {
					t.Errorf("message says %q: %s", leak, r.gql.Errors[0].Message)
				}
			}
		})
	}
	if d := changed(before, tableCounts(t, s.store)); len(d) > 0 {
		t.Errorf("refused tokens wrote rows: %v", d)
	}

	// The same server then accepts a good token, so the refusals above were about the tokens.
	good := signToken(t, edDSA, s.key.priv, s.key.kid, validClaims(slug, scope))
	r := s.query(t, registerBrand, brandInput("Matrix control brand"), "Authorization", "Bearer "+good)
	if r.status != http.StatusOK || len(r.gql.Errors) > 0 || !strings.Contains(string(r.gql.Data), `"name":"Matrix control brand"`) {
		t.Fatalf("valid token: HTTP %d %s", r.status, r.body)
	}
}

func TestWrites_ScopeAndAnonymity(t *testing.T) {
	s := newWriteServer(t, Config{})
	ctx := context.Background()
	issue := func(scopes ...string) string {
		tok, err := auth.Issue(s.key.priv, auth.TokenRequest{Agency: s.agency.Slug, Scopes: scopes, TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		return "Bearer " + tok
	}

	t.Run("no token is UNAUTHENTICATED and writes nothing", func(t *testing.T) {
		before := tableCounts(t, s.store)
		r := s.query(t, registerBrand, brandInput("Anonymous brand"), nil...)
		if r.code() != "UNAUTHENTICATED" || strings.Contains(string(r.gql.Data), "Anonymous brand") {
			t.Fatalf("HTTP %d %s", r.status, r.body)
		}
		if d := changed(before, tableCounts(t, s.store)); len(d) > 0 {
			t.Errorf("wrote rows: %v", d)
		}
	})

	t.Run("missing scope is FORBIDDEN and writes nothing", func(t *testing.T) {
		before := tableCounts(t, s.store)
		r := s.query(t, registerBrand, brandInput("Out of scope brand"), "Authorization",
			issue(auth.ScopeSanctionsWrite, auth.ScopeInfluencersWrite))
		if r.code() != "FORBIDDEN" || strings.Contains(string(r.gql.Data), "Out of scope brand") {
			t.Fatalf("HTTP %d %s", r.status, r.body)
		}
		if !strings.Contains(r.gql.Errors[0].Message, auth.ScopeBrandsWrite) {
			t.Errorf("message does not name the missing scope: %s", r.gql.Errors[0].Message)
		}
		if d := changed(before, tableCounts(t, s.store)); len(d) > 0 {
			t.Errorf("wrote rows: %v", d)
		}
	})

	t.Run("a valid token writes the row and one audit event", func(t *testing.T) {
		before := tableCounts(t, s.store)
		name := fmt.Sprintf("Scoped brand %d", time.Now().UnixNano())
		r := s.query(t, registerBrand, brandInput(name), "Authorization", issue(auth.ScopeBrandsWrite))
		var data struct {
			RegisterBrand struct {
				Brand *struct {
					ID   string
					Name string
				}
				UserErrors []any
			}
		}
		if r.status != http.StatusOK || len(r.gql.Errors) > 0 || json.Unmarshal(r.gql.Data, &data) != nil {
			t.Fatalf("HTTP %d %s", r.status, r.body)
		}
		if data.RegisterBrand.Brand == nil || data.RegisterBrand.Brand.Name != name || len(data.RegisterBrand.UserErrors) != 0 {
			t.Fatalf("payload %s", r.gql.Data)
		}
		after := tableCounts(t, s.store)
		if after["brand"] != before["brand"]+1 || after["audit_event"] != before["audit_event"]+1 ||
			after["audit_head.seq"] != before["audit_head.seq"]+1 {
			t.Errorf("counts changed by %v", changed(before, after))
		}
		var actor int64
		var action, subjectType string
		if err := s.store.SQL().QueryRowContext(ctx, `SELECT actor_id, action, subject_type FROM audit_event
			WHERE seq = $1`, after["audit_head.seq"]).Scan(&actor, &action, &subjectType); err != nil {
			t.Fatal(err)
		}
		if actor != s.agency.ID || action != "registerBrand" || subjectType != "Brand" {
			t.Errorf("audit event: actor %d action %s subject %s; want agency %d", actor, action, subjectType, s.agency.ID)
		}
		if n, err := s.store.VerifyChain(ctx); err != nil || n < after["audit_event"] {
			t.Errorf("chain: %d events verified, %v", n, err)
		}
	})
}

// viewer reports the presented token's agency, as its row is now, and its known scopes.
func TestWrites_ViewerShowsTheAgencyAndItsScopes(t *testing.T) {
	s := newWriteServer(t, Config{})
	const q = `{ viewer { anonymous scopes agency { id slug name jurisdiction kind status } } }`
	type viewer struct {
		Viewer struct {
			Anonymous bool
			Scopes    []string
			Agency    *struct{ ID, Slug, Name, Jurisdiction, Kind, Status string }
		}
	}
	read := func(header ...string) viewer {
		t.Helper()
		r := s.query(t, q, nil, header...)
		var v viewer
		if r.status != http.StatusOK || len(r.gql.Errors) > 0 || json.Unmarshal(r.gql.Data, &v) != nil {
			t.Fatalf("HTTP %d %s", r.status, r.body)
		}
		return v
	}

	if v := read(); !v.Viewer.Anonymous || v.Viewer.Agency != nil || v.Viewer.Scopes == nil || len(v.Viewer.Scopes) != 0 {
		t.Errorf("anonymous viewer = %+v", v.Viewer)
	}

	// A scope this version does not know grants nothing and is not reported.
	c := validClaims(s.agency.Slug, "sanctions:write future:scope brands:write")
	tok := signToken(t, jwt.SigningMethodEdDSA, s.key.priv, s.key.kid, c)
	v := read("Authorization", "Bearer "+tok)
	if v.Viewer.Anonymous || !slices.Equal(v.Viewer.Scopes, []string{auth.ScopeSanctionsWrite, auth.ScopeBrandsWrite}) {
		t.Errorf("viewer = %+v", v.Viewer)
	}
	a := v.Viewer.Agency
	if a == nil || a.Slug != s.agency.Slug || a.Name != s.agency.Name || a.Jurisdiction != "VN" ||
		a.Kind != "BROADCASTING_AUTHORITY" || a.Status != "ACTIVE" {
		t.Fatalf("viewer agency = %+v, want %+v", a, s.agency)
	}
	// The agency's ID is a global ID that refetches the same agency.
	r := s.query(t, `query($id: ID!) { node(id: $id) { ... on Agency { slug } } }`, map[string]any{"id": a.ID})
	if !strings.Contains(string(r.gql.Data), `"slug":"`+s.agency.Slug+`"`) {
		t.Errorf("node(%s): %s", a.ID, r.body)
	}

	// Once suspended, the same token no longer authenticates at all.
	if _, err := s.store.SuspendAgency(context.Background(), s.agency.Slug); err != nil {
		t.Fatal(err)
	}
	if r := s.query(t, q, nil, "Authorization", "Bearer "+tok); r.status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" {
		t.Errorf("suspended agency's viewer: HTTP %d %s", r.status, r.body)
	}
}

// registryHead is signed with Config.SigningKey, and unsigned without one.
func TestWrites_RegistryHeadSignature(t *testing.T) {
	const q = `{ registryHead { seq hash signedAt signature publicKey } }`
	type head struct {
		RegistryHead struct {
			Seq       int64
			Hash      string
			SignedAt  time.Time
			Signature *string
			PublicKey *string
		}
	}
	read := func(s *testServer) head {
		t.Helper()
		r := s.query(t, q, nil)
		var h head
		if r.status != http.StatusOK || len(r.gql.Errors) > 0 || json.Unmarshal(r.gql.Data, &h) != nil {
			t.Fatalf("HTTP %d %s", r.status, r.body)
		}
		return h
	}

	unsigned := read(newTestServer(t, Config{}))
	if unsigned.RegistryHead.Signature != nil || unsigned.RegistryHead.PublicKey != nil {
		t.Errorf("without a key: %+v", unsigned.RegistryHead)
	}

	key := newEdKey(t)
	s := newWriteServer(t, Config{SigningKey: key.priv})
	tok, err := auth.Issue(s.key.priv, auth.TokenRequest{Agency: s.agency.Slug, Scopes: []string{auth.ScopeBrandsWrite}, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if r := s.query(t, registerBrand, brandInput("Head brand"), "Authorization", "Bearer "+tok); len(r.gql.Errors) > 0 {
		t.Fatalf("write: %s", r.body)
	}
	h := read(s.testServer).RegistryHead
	var seq int64
	var hash string
	if err := s.store.SQL().QueryRowContext(context.Background(),
		`SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1`).Scan(&seq, &hash); err != nil {
		t.Fatal(err)
	}
	if h.Seq != seq || h.Hash != hash {
		t.Errorf("head %d %s, latest event %d %s", h.Seq, h.Hash, seq, hash)
	}
	if h.Signature == nil || h.PublicKey == nil {
		t.Fatalf("with a key: unsigned %+v", h)
	}
	if *h.PublicKey != base64.StdEncoding.EncodeToString(key.pub()) {
		t.Errorf("publicKey %s is not the signing key's", *h.PublicKey)
	}
	sig, err := base64.StdEncoding.DecodeString(*h.Signature)
	if err != nil {
		t.Fatal(err)
	}
	// The documented message (graph/audit.graphqls): a client verifies it with the public key alone.
	msg := fmt.Sprintf("kolregistry-head:%d:%s:%s", h.Seq, h.Hash, h.SignedAt.UTC().Format(time.RFC3339))
	if !ed25519.Verify(key.pub(), []byte(msg), sig) {
		t.Errorf("signature does not verify %q", msg)
	}
	if ed25519.Verify(key.pub(), []byte(fmt.Sprintf("kolregistry-head:%d:%s:%s", h.Seq+1, h.Hash,
		h.SignedAt.UTC().Format(time.RFC3339))), sig) {
		t.Error("signature verifies another seq")
	}
}

// Every mutation is guarded by @hasScope with a scope the auth package grants: a mutation added
// without it would be open to anonymous writers.
func TestWrites_EveryMutationHasAKnownScope(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{
		Resolvers:  resolvers.New(nil),
		Directives: graph.DirectiveRoot{HasScope: resolvers.HasScope},
	}).Schema()
	if schema.Mutation == nil {
		t.Fatal("the schema has no Mutation type")
	}
	n := 0
	for _, f := range schema.Mutation.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		n++
		d := f.Directives.ForName("hasScope")
		if d == nil {
			t.Errorf("Mutation.%s has no @hasScope", f.Name)
			continue
		}
		if len(f.Directives.ForNames("hasScope")) != 1 {
			t.Errorf("Mutation.%s has several @hasScope", f.Name)
		}
		arg := d.Arguments.ForName("scope")
		if arg == nil || arg.Value == nil {
			t.Errorf("Mutation.%s: @hasScope without a scope", f.Name)
			continue
		}
		if !auth.KnownScope(arg.Value.Raw) {
			t.Errorf("Mutation.%s: @hasScope(scope: %q) is not a scope auth grants (%v)", f.Name, arg.Value.Raw, auth.Scopes)
		}
	}
	if n == 0 {
		t.Fatal("Mutation has no fields")
	}
}

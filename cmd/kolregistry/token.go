package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/db"
)

const tokenUsage = `usage: kolregistry token issue --key DIR/signing.pem --agency SLUG --scope "sanctions:write …" [--ttl 1h] [--kid KID] [--json]

Prints the signed JWT alone on the last line of stdout (details on stderr), or with --json one
object {token, agency, scopes, expiresAt, kid}. With DATABASE_URL set the agency must exist and be active.`

// runToken is `kolregistry token issue`: it prints the signed JWT alone on the last line of
// stdout (details go to stderr), so TOKEN=$(kolregistry token issue …) works.
func runToken(ctx context.Context, args []string) error {
	return tokenCommand(ctx, args, os.Stdout, os.Stderr)
}

func tokenCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return group("token", tokenUsage, args, stdout, map[string]func([]string) error{
		"issue": func(args []string) error { return tokenIssue(ctx, args, stdout, stderr) },
	})
}

func tokenIssue(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("token issue", tokenUsage)
	keyPath := fs.String("key", "", "PEM private key (PKCS#8), e.g. DIR/signing.pem from `keys generate`")
	agency := fs.String("agency", "", "agency slug (the token's sub)")
	scope := fs.String("scope", "", "space-separated scopes: "+strings.Join(auth.Scopes, " "))
	ttl := ttlFlag(time.Hour)
	fs.Var(&ttl, "ttl", "lifetime of the token, e.g. 1h, 720h or 30d; at most JWT_MAX_TTL (default 90d)")
	kid := fs.String("kid", "", "key id for the header (default: the key's RFC 7638 thumbprint, as in jwks.json)")
	asJSON := fs.Bool("json", false, "print {token, agency, scopes, expiresAt, kid} as one JSON object instead")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if *keyPath == "" || *agency == "" || *scope == "" {
		return fs.usageErr("--key, --agency and --scope are required")
	}
	scopes, err := auth.ParseScopes(*scope)
	if err != nil {
		return err
	}
	if time.Duration(ttl) <= 0 {
		return fmt.Errorf("--ttl %s: must be positive", time.Duration(ttl))
	}
	maxTTL, err := auth.MaxTTLFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	if time.Duration(ttl) > maxTTL {
		return fmt.Errorf("--ttl %s is longer than the maximum token lifetime %s (JWT_MAX_TTL; the server refuses such tokens)", time.Duration(ttl), maxTTL)
	}
	key, err := auth.LoadSigningKey(*keyPath)
	if err != nil {
		return err
	}
	if err := checkAgency(ctx, *agency, stderr); err != nil {
		return err
	}
	now := time.Now()
	tok, err := auth.Issue(key, auth.TokenRequest{
		Agency:   *agency,
		Scopes:   scopes,
		TTL:      time.Duration(ttl),
		MaxTTL:   maxTTL,
		KeyID:    *kid,
		Issuer:   envOr("JWT_ISSUER", auth.DefaultIssuer),
		Audience: envOr("JWT_AUDIENCE", auth.DefaultAudience),
		Now:      now,
	})
	if err != nil {
		return err
	}
	expires := now.Add(time.Duration(ttl)).UTC().Truncate(time.Second).Format(time.RFC3339)
	if *asJSON {
		return writeJSON(stdout, map[string]any{"token": tok, "agency": *agency, "scopes": scopes,
			"expiresAt": expires, "kid": tokenKid(tok)})
	}
	fmt.Fprintf(stderr, "token for agency %s, scopes %q, expires %s\n", *agency, strings.Join(scopes, " "), expires)
	fmt.Fprintln(stdout, tok)
	return nil
}

// checkAgency refuses to sign for an agency that does not exist or is suspended, when
// DATABASE_URL says where to look. Without it the token is signed unchecked (the key may live
// on a machine without database access): the server checks the agency on every request anyway.
func checkAgency(ctx context.Context, slug string, stderr io.Writer) error {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		fmt.Fprintf(stderr, "DATABASE_URL is not set: agency %q not checked\n", slug)
		return nil
	}
	d, err := db.Open(ctx, url, "")
	if err != nil {
		return fmt.Errorf("check agency %q: %w", slug, err)
	}
	defer d.Close()
	a, err := d.AgencyBySlug(ctx, slug)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("no agency %q (add it with `kolregistry agency add`)", slug)
	}
	if err != nil {
		return err
	}
	if a.Status != db.AgencyActive {
		return fmt.Errorf("agency %q is %s: its tokens would be refused", slug, a.Status)
	}
	return nil
}

// tokenKid is the kid in a signed token's header (the key's thumbprint unless --kid chose one).
func tokenKid(tok string) string {
	head, _, _ := strings.Cut(tok, ".")
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return ""
	}
	var h struct {
		Kid string `json:"kid"`
	}
	json.Unmarshal(raw, &h)
	return h.Kid
}

// ttlFlag is a lifetime flag: a Go duration or a whole number of days (auth.ParseTTL).
type ttlFlag time.Duration

func (f *ttlFlag) String() string { return time.Duration(*f).String() }

func (f *ttlFlag) Set(s string) error {
	d, err := auth.ParseTTL(s)
	if err != nil {
		return err
	}
	*f = ttlFlag(d)
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

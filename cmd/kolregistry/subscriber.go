package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/db"
)

const subscriberUsage = `usage: kolregistry subscriber add --name N [--key DIR/signing.pem] [--ttl 720h] [--json]

Registers a subscriber (a newsroom, a brand: not an agency) that manages watchlists and webhooks
(docs/webhooks.md). With --key it also prints a token with the watchlists:write scope on the last
line of stdout (sub "subscriber:N"). Needs DATABASE_URL.`

// runSubscriber is `kolregistry subscriber add`.
func runSubscriber(ctx context.Context, args []string) error {
	return subscriberCommand(ctx, args, os.Stdout, os.Stderr)
}

func subscriberCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return group("subscriber", subscriberUsage, args, stdout, map[string]func([]string) error{
		"add": func(args []string) error {
			fs := newFlags("subscriber add", subscriberUsage)
			name := fs.String("name", "", "the subscriber's name: lower-case letters, digits and dashes")
			keyPath := fs.String("key", "", "PEM private key (PKCS#8) to sign its token with; none: no token")
			ttl := ttlFlag(30 * 24 * time.Hour)
			fs.Var(&ttl, "ttl", "lifetime of the token, e.g. 720h or 30d; at most JWT_MAX_TTL (default 90d)")
			asJSON := fs.Bool("json", false, "print {name, token, expiresAt} as one JSON object")
			if err := fs.parse(args, stdout); err != nil {
				return err
			}
			if *name == "" {
				return fs.usageErr("--name is required")
			}
			url, err := databaseURL()
			if err != nil {
				return err
			}
			d, err := db.Open(ctx, url, "")
			if err != nil {
				return err
			}
			defer d.Close()
			s, err := d.AddSubscriber(ctx, *name)
			if errors.Is(err, db.ErrSubscriberExists) {
				return fmt.Errorf("subscriber %q exists", *name)
			}
			if err != nil {
				return err
			}
			out := map[string]any{"name": s.Name}
			if *keyPath != "" {
				maxTTL, err := auth.MaxTTLFromEnv(os.Getenv)
				if err != nil {
					return err
				}
				key, err := auth.LoadSigningKey(*keyPath)
				if err != nil {
					return err
				}
				now := time.Now()
				tok, err := auth.Issue(key, auth.TokenRequest{
					Agency: auth.SubscriberPrefix + s.Name, Scopes: []string{auth.ScopeWatchlistsWrite},
					TTL: time.Duration(ttl), MaxTTL: maxTTL, Now: now,
					Issuer: envOr("JWT_ISSUER", auth.DefaultIssuer), Audience: envOr("JWT_AUDIENCE", auth.DefaultAudience),
				})
				if err != nil {
					return err
				}
				out["token"] = tok
				out["expiresAt"] = now.Add(time.Duration(ttl)).UTC().Truncate(time.Second).Format(time.RFC3339)
			}
			if *asJSON {
				return writeJSON(stdout, out)
			}
			fmt.Fprintf(stderr, "subscriber %s registered\n", s.Name)
			if tok, ok := out["token"].(string); ok {
				fmt.Fprintf(stderr, "token with scope watchlists:write, expires %s\n", out["expiresAt"])
				fmt.Fprintln(stdout, tok)
			}
			return nil
		},
	})
}

package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/translog"
)

// runKeys is `kolregistry keys generate --out DIR [--force]`.
func runKeys(ctx context.Context, args []string) error {
	return keysCommand(args, os.Stdout)
}

const keysUsage = `usage:
  kolregistry keys generate --out DIR [--force]   the token signing key pair: DIR/signing.pem, DIR/jwks.json
  kolregistry keys verifier --key FILE            the transparency log's verifier key for signing key FILE`

func keysCommand(args []string, stdout io.Writer) error {
	return group("keys", keysUsage, args, stdout, map[string]func([]string) error{
		"generate": func(args []string) error { return generateCommand(args, stdout) },
		"verifier": func(args []string) error { return verifierCommand(args, stdout) },
	})
}

func generateCommand(args []string, stdout io.Writer) error {
	fs := newFlags("keys generate", "usage: kolregistry keys generate --out DIR [--force]")
	out := fs.String("out", "", "directory to write signing.pem (private, 0600) and jwks.json (public) into")
	force := fs.Bool("force", false, "replace an existing signing.pem (tokens signed with the old key stop verifying once jwks.json is deployed)")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if *out == "" {
		return fs.usageErr("--out is required")
	}
	kid, err := generateKeys(*out, *force)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (private Ed25519 key, keep it offline: it signs agency tokens)\n", filepath.Join(*out, signingKeyFile))
	fmt.Fprintf(stdout, "wrote %s (public key set, kid %s)\n", filepath.Join(*out, jwksFile), kid)
	fmt.Fprintf(stdout, "serve with JWT_KEYS=%s\n", filepath.Join(*out, jwksFile))
	return nil
}

const (
	signingKeyFile = "signing.pem"
	jwksFile       = "jwks.json"
)

// generateKeys writes a new Ed25519 key pair into dir and returns its kid (the RFC 7638
// thumbprint, which `token issue` also uses by default). Without force an existing signing.pem
// is never replaced, even by a concurrent run: the file is linked into place, not renamed.
func generateKeys(dir string, force bool) (kid string, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("generate keys in %s: %w", dir, err)
		}
	}()
	keyPath := filepath.Join(dir, signingKeyFile)
	if _, err := os.Lstat(keyPath); err == nil && !force {
		return "", fmt.Errorf("%s already exists; pass --force to replace it", keyPath)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", err
	}
	jwk, err := auth.PublicJWK(pub, "")
	if err != nil {
		return "", err
	}
	jwks, err := json.MarshalIndent(auth.JWKS{Keys: []auth.JWK{jwk}}, "", "  ")
	if err != nil {
		return "", err
	}
	if err := writeFileAtomic(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600, force); err != nil {
		return "", err
	}
	if err := writeFileAtomic(filepath.Join(dir, jwksFile), append(jwks, '\n'), 0o644, true); err != nil {
		return "", err
	}
	return jwk.Kid, nil
}

// writeFileAtomic writes data to a temporary file in path's directory with mode perm, then
// moves it into place: by rename when replace is set, else by link, which fails if path exists.
func writeFileAtomic(path string, data []byte, perm os.FileMode, replace bool) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(perm); err != nil { // CreateTemp makes 0600; set before any byte is written
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if replace {
		return os.Rename(tmp, path)
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists; pass --force to replace it", path)
		}
		return err
	}
	return nil
}

// verifierCommand is `kolregistry keys verifier --key FILE`: the note verifier key of the
// transparency log signed with FILE (the REGISTRY_SIGNING_KEY PEM) under REGISTRY_LOG_ORIGIN.
func verifierCommand(args []string, stdout io.Writer) error {
	fs := newFlags("keys verifier", "usage: kolregistry keys verifier --key FILE")
	keyPath := fs.String("key", "", "the registry signing key (PEM, Ed25519), as REGISTRY_SIGNING_KEY")
	if err := fs.parse(args, stdout); err != nil {
		return err
	}
	if *keyPath == "" {
		return fs.usageErr("--key is required")
	}
	signer, err := auth.LoadSigningKey(*keyPath)
	if err != nil {
		return err
	}
	key, ok := signer.(ed25519.PrivateKey)
	if !ok {
		return fmt.Errorf("%s: a %T key; the log is signed with Ed25519 only", *keyPath, signer)
	}
	vkey, err := translog.VerifierKey(logOrigin(), key)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, vkey)
	return nil
}

// logOrigin is REGISTRY_LOG_ORIGIN, or the default origin.
func logOrigin() string {
	if o := os.Getenv("REGISTRY_LOG_ORIGIN"); o != "" {
		return o
	}
	return translog.DefaultOrigin
}

package translog

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// DefaultOrigin is the log's origin when REGISTRY_LOG_ORIGIN is not set.
const DefaultOrigin = "kolregistry.local/log"

// Checkpoint is the body of a C2SP tlog-checkpoint: the log's origin, its size and root hash.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Text is the checkpoint body: "<origin>\n<size>\n<base64 root>\n".
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// ParseCheckpoint reads a checkpoint body; extension lines after the root are allowed and ignored.
func ParseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) < 4 || !strings.HasSuffix(text, "\n") {
		return Checkpoint{}, errors.New("checkpoint: want origin, size and root hash lines")
	}
	origin := strings.TrimSuffix(lines[0], "\n")
	size, err := strconv.ParseInt(strings.TrimSuffix(lines[1], "\n"), 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != strings.TrimSuffix(lines[1], "\n") {
		return Checkpoint{}, fmt.Errorf("checkpoint: bad tree size %q", strings.TrimSuffix(lines[1], "\n"))
	}
	root, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(lines[2], "\n"))
	if err != nil || len(root) != tlog.HashSize {
		return Checkpoint{}, fmt.Errorf("checkpoint: bad root hash %q", strings.TrimSuffix(lines[2], "\n"))
	}
	if origin == "" {
		return Checkpoint{}, errors.New("checkpoint: empty origin")
	}
	c := Checkpoint{Origin: origin, Size: size}
	copy(c.Root[:], root)
	return c, nil
}

// NewSigner makes the note signer of the log from its Ed25519 key: the key's name is the
// origin (as C2SP tlog-checkpoint recommends). It also returns the verifier key,
// "<origin>+<key hash>+<key>", that clients pass to `kolregistry log verify --key`.
func NewSigner(origin string, key ed25519.PrivateKey) (note.Signer, string, error) {
	vkey, err := note.NewEd25519VerifierKey(origin, key.Public().(ed25519.PublicKey))
	if err != nil {
		return nil, "", fmt.Errorf("verifier key for %q: %w", origin, err)
	}
	// vkey is name+hash+base64(alg||pub); the signer key is PRIVATE+KEY+name+hash+base64(alg||seed).
	parts := strings.SplitN(vkey, "+", 3)
	skey := "PRIVATE+KEY+" + parts[0] + "+" + parts[1] + "+" +
		base64.StdEncoding.EncodeToString(append([]byte{1}, key.Seed()...))
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, "", fmt.Errorf("signer for %q: %w", origin, err)
	}
	return s, vkey, nil
}

// VerifierKey is the verifier key of the log signed by key under origin.
func VerifierKey(origin string, key ed25519.PrivateKey) (string, error) {
	_, vkey, err := NewSigner(origin, key)
	return vkey, err
}

// Sign returns the signed note of c.
func Sign(c Checkpoint, s note.Signer) ([]byte, error) {
	return note.Sign(&note.Note{Text: c.Text()}, s)
}

// ErrOrigin is returned when a checkpoint's origin is not its signer's name.
var ErrOrigin = errors.New("checkpoint origin is not the verifier key's name")

// Open checks the signed checkpoint msg with the verifier key vkey and returns its body.
func Open(msg []byte, vkey string) (Checkpoint, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("verifier key: %w", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("%w: %q, key %q", ErrOrigin, c.Origin, v.Name())
	}
	return c, nil
}

// Body splits a note into its text (the checkpoint body), without checking any signature.
func Body(msg []byte) string {
	if i := bytes.Index(msg, []byte("\n\n")); i >= 0 {
		return string(msg[:i+1])
	}
	return string(msg)
}

// Identity is the log's name and, when a key is configured, its signer.
type Identity struct {
	Origin string
	// Signer is nil when no signing key is configured: checkpoints are then bare bodies.
	Signer note.Signer
	// VerifierKey verifies Signer's notes ("" when unsigned).
	VerifierKey string
}

// NewIdentity is the log named origin (DefaultOrigin when empty), signed with key unless nil.
func NewIdentity(origin string, key ed25519.PrivateKey) (Identity, error) {
	if origin == "" {
		origin = DefaultOrigin
	}
	id := Identity{Origin: origin}
	if strings.ContainsAny(origin, "+\n") || strings.IndexFunc(origin, unicode.IsSpace) >= 0 {
		return id, fmt.Errorf("log origin %q: no spaces or '+' allowed", origin)
	}
	if key == nil {
		return id, nil
	}
	var err error
	id.Signer, id.VerifierKey, err = NewSigner(origin, key)
	return id, err
}

// Checkpoint is the signed checkpoint of the tree of size leaves with root; the bare body
// when the log has no signer.
func (id Identity) Checkpoint(size int64, root tlog.Hash) ([]byte, error) {
	c := Checkpoint{Origin: id.Origin, Size: size, Root: root}
	if id.Signer == nil {
		return []byte(c.Text()), nil
	}
	return Sign(c, id.Signer)
}

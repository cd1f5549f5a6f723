package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// docBlock returns the body of the first fenced block of lang in docs/webhooks.md.
func docBlock(t *testing.T, lang string) string {
	t.Helper()
	b, err := os.ReadFile("../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```"+lang+"\n")
	if !ok {
		t.Fatalf("docs/webhooks.md has no %s block", lang)
	}
	block, _, _ := strings.Cut(rest, "```")
	return block
}

// verifyWebhook is the Go snippet of docs/webhooks.md, byte for byte (TestDocs_GoSnippetIsThisCode).
// -- begin snippet
func verifyWebhook(secret string, h http.Header, body []byte, now time.Time) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return fmt.Errorf("bad secret: %w", err)
	}
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || now.Sub(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return errors.New("timestamp missing or too far from now")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(h.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return nil
		}
	}
	return errors.New("no valid signature")
}

// -- end snippet

func TestDocs_GoSnippetIsThisCode(t *testing.T) {
	src, err := os.ReadFile("docs_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(src), "// -- begin snippet\n")
	code, _, _ := strings.Cut(rest, "\n// -- end snippet")
	if strings.TrimSpace(code) != strings.TrimSpace(docBlock(t, "go")) {
		t.Errorf("the Go snippet of docs/webhooks.md differs from verifyWebhook in docs_test.go")
	}
}

// signed is a delivery signed by the server's own code, with a rotation under way.
func signed(t *testing.T) (secret string, h http.Header, body []byte) {
	t.Helper()
	secret, old := NewSecret(), NewSecret()
	body = []byte(`{"type":"registry.change","data":{"seq":7,"note":"Bếp nhà Quỳnh"}}`)
	id, ts := MessageID(7), time.Now().Unix()
	s1, err := Sign(secret, id, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	s0, _ := Sign(old, id, ts, body)
	h = http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	h.Set("webhook-signature", s0+" "+s1)
	return secret, h, body
}

func TestDocs_GoSnippetVerifiesTheServersSignatures(t *testing.T) {
	secret, h, body := signed(t)
	if err := verifyWebhook(secret, h, body, time.Now()); err != nil {
		t.Fatalf("valid delivery refused: %v", err)
	}
	if !Verify(secret, h.Get("webhook-id"), mustInt(h.Get("webhook-timestamp")), body, h.Get("webhook-signature")) {
		t.Fatal("Verify refused a valid delivery")
	}
	if verifyWebhook(NewSecret(), h, body, time.Now()) == nil {
		t.Error("another secret accepted")
	}
	if verifyWebhook(secret, h, append([]byte(nil), append(body, ' ')...), time.Now()) == nil {
		t.Error("a changed body accepted")
	}
	if verifyWebhook(secret, h, body, time.Now().Add(10*time.Minute)) == nil {
		t.Error("an old timestamp accepted")
	}
}

func mustInt(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }

// The Python and Node snippets, run on the same signed delivery (valid) and on a tampered body.
func TestDocs_PythonAndNodeSnippetsVerifyTheServersSignatures(t *testing.T) {
	secret, h, body := signed(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "body"), body, 0o600); err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(dir, "tampered")
	os.WriteFile(tampered, append(body, ' '), 0o600)
	hdr := fmt.Sprintf(`{"webhook-id": %q, "webhook-timestamp": %q, "webhook-signature": %q}`,
		h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature"))
	for _, c := range []struct{ bin, file, code string }{
		{"python3", "v.py", docBlock(t, "python") + fmt.Sprintf(`
import sys, json
print(verify_webhook(%q, json.loads(%q), open(sys.argv[1], "rb").read()))
`, secret, hdr)},
		{"node", "v.js", docBlock(t, "js") + fmt.Sprintf(`
console.log(verifyWebhook(%q, %s, require("fs").readFileSync(process.argv[2])) ? "True" : "False");
`, secret, hdr)},
	} {
		if _, err := exec.LookPath(c.bin); err != nil {
			t.Logf("%s is not installed: its snippet is not run", c.bin)
			continue
		}
		path := filepath.Join(dir, c.file)
		if err := os.WriteFile(path, []byte(c.code), 0o600); err != nil {
			t.Fatal(err)
		}
		for file, want := range map[string]string{filepath.Join(dir, "body"): "True", tampered: "False"} {
			out, err := exec.Command(c.bin, path, file).CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != want {
				t.Errorf("%s snippet on %s: %s (%v), want %s", c.bin, filepath.Base(file), out, err, want)
			}
		}
	}
}

func TestPublic_RefusesNonPublicAddresses(t *testing.T) {
	for _, c := range []struct {
		ip   string
		want bool
	}{
		{"8.8.8.8", true}, {"2606:4700:4700::1111", true}, {"127.0.0.1", false}, {"10.1.2.3", false},
		{"172.16.0.1", false}, {"192.168.1.1", false}, {"169.254.169.254", false}, {"100.64.0.1", false},
		{"0.0.0.0", false}, {"::1", false}, {"fc00::1", false}, {"fe80::1", false}, {"::ffff:127.0.0.1", false},
		{"64:ff9b::a00:1", false}, {"224.0.0.1", false},
	} {
		if got := Public(mustAddr(t, c.ip)); got != c.want {
			t.Errorf("Public(%s) = %v, want %v", c.ip, got, c.want)
		}
	}
}

func TestBackoff_DoublesUpToTheCapAndCoversADay(t *testing.T) {
	var total time.Duration
	n := 0
	for ; total < 24*time.Hour; n++ {
		total += Backoff(n, DefaultFirstRetry, DefaultMaxRetry)
	}
	if Backoff(0, DefaultFirstRetry, DefaultMaxRetry) != 5*time.Second || Backoff(1, DefaultFirstRetry, DefaultMaxRetry) != 10*time.Second ||
		Backoff(40, DefaultFirstRetry, DefaultMaxRetry) != DefaultMaxRetry {
		t.Error("backoff is not 5 s doubling up to the cap")
	}
	if DefaultRetryWindow < 24*time.Hour {
		t.Errorf("retry window %s is under 24 h", DefaultRetryWindow)
	}
	t.Logf("%d attempts in the first 24 h", n)
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

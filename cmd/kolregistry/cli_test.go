package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db/dbtest"
	_ "github.com/lib/pq"
)

// TestMain lets the CLI tests run this test binary as the kolregistry command itself, so they
// see real exit statuses and output streams.
func TestMain(m *testing.M) {
	if os.Getenv("KOLREGISTRY_CLI_TEST") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

type cliResult struct {
	code           int
	stdout, stderr string
}

// kolregistry runs the command line args with env added to the environment.
func kolregistry(t *testing.T, env []string, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "KOLREGISTRY_CLI_TEST=1"), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run kolregistry %q: %v", args, err)
	}
	return cliResult{code, out.String(), errOut.String()}
}

// emptyDatabase creates a database with no tables at all, so any command that did something
// (migrate, seed, agency add…) would leave a table behind.
func emptyDatabase(t *testing.T) (dsn string, tables func() int) {
	t.Helper()
	u, err := url.Parse(dbtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/postgres"
	admin, err := sql.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("kolregistry_cli_empty_%d_%d", os.Getpid(), time.Now().UnixNano()%1_000_000)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		admin.Close()
		if dbtest.Required() {
			t.Fatal(err)
		}
		t.Skip("postgres not reachable:", err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		admin.Close()
	})
	u.Path = "/" + name
	dsn = u.String()
	return dsn, func() int {
		d, err := sql.Open("postgres", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var n int
		if err := d.QueryRow(`SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// Every subcommand, found from the usage texts themselves so that a new one is covered too.
func allCommandLines(t *testing.T) [][]string {
	var lines [][]string
	subRE := regexp.MustCompile(`kolregistry (\w+) (\w+)`)
	for _, c := range commands {
		lines = append(lines, []string{c.name})
		help := kolregistry(t, nil, c.name, "--help")
		seen := map[string]bool{}
		for _, m := range subRE.FindAllStringSubmatch(help.stdout, -1) {
			if m[1] == c.name && !seen[m[2]] && m[2] != "command" {
				seen[m[2]] = true
				lines = append(lines, []string{c.name, m[2]})
			}
		}
	}
	return lines
}

// `--help` prints usage on stdout and exits 0, an unknown flag exits 2 with the usage on stderr;
// neither does anything: an empty database stays empty, no key file is written. Today's bug was
// `migrate --bogus` applying the migrations.
func TestCLI_HelpAndUnknownFlagsDoNothing(t *testing.T) {
	dsn, tables := emptyDatabase(t)
	keysDir := t.TempDir()
	env := []string{"DATABASE_URL=" + dsn, "LISTEN_ADDR=127.0.0.1:0"}
	lines := allCommandLines(t)
	if len(lines) < 15 {
		t.Fatalf("found only %d command lines in the usage texts: %q", len(lines), lines)
	}
	for _, line := range lines {
		name := strings.Join(line, " ")
		for _, help := range []string{"--help", "-h"} {
			args := append(append([]string{}, line...), help, "--out", keysDir)
			if r := kolregistry(t, env, args...); r.code != 0 || !strings.Contains(r.stdout, "usage:") {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q; want 0 and the usage on stdout", name, help, r.code, r.stdout, r.stderr)
			}
		}
		// Flags that the command does take come first, so only the unknown one can stop it.
		args := append(append([]string{}, line...), "--bogus")
		if len(line) == 2 && line[1] == "generate" {
			args = append(append([]string{}, line...), "--out", keysDir, "--bogus")
		}
		if r := kolregistry(t, env, args...); r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "bogus") || !strings.Contains(r.stderr, "usage:") {
			t.Errorf("%s --bogus: exit %d, stdout %q, stderr %q; want 2, nothing on stdout, the error and usage on stderr", name, r.code, r.stdout, r.stderr)
		}
	}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"--help"}, 0},
		{[]string{"help"}, 0},
		{[]string{"help", "migrate"}, 0},
		{[]string{}, 2},
		{[]string{"--bogus"}, 2},
		{[]string{"no-such-command"}, 2},
		{[]string{"migrate", "extra"}, 2},
		{[]string{"seed"}, 2},             // --demo is required
		{[]string{"agency", "nope"}, 2},   // unknown subcommand
		{[]string{"token", "issue"}, 2},   // required flags missing
		{[]string{"audit", "check"}, 2},   // unknown subcommand
		{[]string{"log", "verify"}, 2},    // --url and --key missing
		{[]string{"keys", "generate"}, 2}, // --out missing
	} {
		if r := kolregistry(t, env, c.args...); r.code != c.code {
			t.Errorf("kolregistry %q: exit %d, want %d (stderr %q)", c.args, r.code, c.code, r.stderr)
		}
	}
	if n := tables(); n != 0 {
		t.Errorf("the database has %d tables after only --help and bad flags: something ran", n)
	}
	if entries, _ := os.ReadDir(keysDir); len(entries) != 0 {
		t.Errorf("keys were written by --help or a bad flag: %v", entries)
	}
}

// --version prints the build in one line and exits 0; audit verify --json says ok on stdout
// and exits 2 for an unreachable database, distinct from 1 (tampering, TestAuditVerify_ExitStatuses).
func TestCLI_VersionAndJSON(t *testing.T) {
	r := kolregistry(t, nil, "--version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "kolregistry ") || !strings.Contains(r.stdout, "go1.") {
		t.Fatalf("--version: exit %d, %q", r.code, r.stdout)
	}
	r = kolregistry(t, []string{"DATABASE_URL=postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2"}, "audit", "verify", "--json")
	if r.code != 2 || !strings.Contains(r.stdout, `"checked":false`) {
		t.Fatalf("audit verify --json, unreachable: exit %d, stdout %q", r.code, r.stdout)
	}
}

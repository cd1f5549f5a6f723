// Command kolregistry is the KOL Registry's one binary: the API server and its operator commands.
//
//	kolregistry serve          the GraphQL API
//	kolregistry migrate        apply the embedded migrations (idempotent)
//	kolregistry seed --demo    load the synthetic demo dataset (idempotent)
//	kolregistry audit verify   recompute the audit chain and log, compare the tables with it
//	kolregistry log verify     check a registry's transparency log from its public tiles
//	kolregistry keys generate  the operator's token signing key pair
//	kolregistry agency …       accredit, suspend, list agencies
//	kolregistry token issue    sign an agency token
//	kolregistry --version      the build (version, commit, date)
//
// Every subcommand takes --help (exit 0) and refuses unknown flags (exit 2) before doing
// anything; see flags.go.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/kolregistry/kolregistry/server"
)

// command is one subcommand: it receives the arguments after its name.
type command struct {
	name  string
	usage string
	run   func(ctx context.Context, args []string) error
}

var commands = []command{
	{"serve", "serve                 run the GraphQL API (configured by environment variables: serve --help)", runServe},
	{"migrate", "migrate               apply the embedded migrations (idempotent)", runMigrate},
	{"seed", "seed --demo           load the synthetic demo dataset (idempotent)", runSeed},
	{"audit", "audit verify          recompute the chain and log, compare every record with it [--json]; exit 0 ok, 1 inconsistent, 2 unchecked", runAudit},
	{"log", "log verify            independent check of a registry's log (--url --key [--state] [--export]); exit 0/1/2", runLog},
	{"keys", "keys generate | verifier   generate: --out DIR/signing.pem + DIR/jwks.json; verifier --key FILE: the log's verifier key", runKeys},
	{"agency", "agency                add | suspend | activate | list [--json]: the accredited agencies", runAgency},
	{"subscriber", "subscriber add        register a subscriber (--name [--key --ttl] prints its watchlists:write token)", runSubscriber},
	{"token", "token issue           sign an agency JWT (--key --agency --scope --ttl [--json]); printed on the last line", runToken},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the command line: it returns the exit status (docs/cli.md).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage())
		return exitUsage
	}
	name := args[0]
	switch {
	case name == "--version" || name == "-version" || name == "version":
		fmt.Fprintln(stdout, server.Build())
		return 0
	case name == "help" && len(args) > 1: // `kolregistry help migrate` = `kolregistry migrate --help`
		return run(ctx, []string{args[1], "--help"}, stdout, stderr)
	case isHelp(name):
		fmt.Fprintln(stdout, usage())
		return 0
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		err := c.run(ctx, args[1:])
		var ee *exitError
		switch {
		case err == nil:
			return 0
		case errors.Is(err, errHelp):
			return 0
		case errors.As(err, &ee):
			fmt.Fprintf(stderr, "kolregistry %s: %v\n", name, err)
			return ee.code
		default:
			fmt.Fprintf(stderr, "kolregistry %s: %v\n", name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "kolregistry: unknown command %q\n\n%s\n", name, usage())
	return exitUsage
}

func usage() string {
	var b strings.Builder
	b.WriteString("usage: kolregistry <command> [flags]   (kolregistry <command> --help for its flags)\n" +
		"       kolregistry --version\n\ncommands:\n")
	for _, c := range commands {
		b.WriteString("  " + c.usage + "\n")
	}
	b.WriteString("\nexit status: 0 done, 1 failed (audit/log verify: inconsistent), 2 bad usage (verify: could not check)")
	return b.String()
}

// databaseURL is DATABASE_URL, required by every command that touches the database.
func databaseURL() (string, error) {
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		return "", fmt.Errorf("DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/kolregistry?sslmode=disable)")
	}
	return u, nil
}

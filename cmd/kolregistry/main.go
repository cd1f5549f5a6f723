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
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand: it receives the arguments after its name.
type command struct {
	name  string
	usage string
	run   func(ctx context.Context, args []string) error
}

var commands = []command{
	{"serve", "serve                 run the GraphQL API", runServe},
	{"migrate", "migrate               apply the embedded migrations (idempotent)", runMigrate},
	{"seed", "seed --demo           load the synthetic demo dataset (idempotent)", runSeed},
	{"audit", "audit verify          recompute the chain and log, compare every record with it; exit 0 ok, 1 inconsistent, 2 unchecked", runAudit},
	{"log", "log verify            independent check of a registry's log (--url --key [--state] [--export]); exit 0/1/2", runLog},
	{"keys", "keys generate | verifier   generate: --out DIR/signing.pem + DIR/jwks.json; verifier --key FILE: the log's verifier key", runKeys},
	{"agency", "agency                add | suspend | activate | list: the accredited agencies", runAgency},
	{"token", "token issue           sign an agency JWT (--key --agency --scope --ttl); printed on the last line", runToken},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	for _, c := range commands {
		if c.name == os.Args[1] {
			if err := c.run(ctx, os.Args[2:]); err != nil {
				fmt.Fprintf(os.Stderr, "kolregistry %s: %v\n", c.name, err)
				var ee *exitError
				if errors.As(err, &ee) {
					os.Exit(ee.code)
				}
				os.Exit(1)
			}
			return
		}
	}
	usage()
	os.Exit(2)
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: kolregistry <command> [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintln(os.Stderr, "  "+c.usage)
	}
}

// databaseURL is DATABASE_URL, required by every command that touches the database.
func databaseURL() (string, error) {
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		return "", fmt.Errorf("DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/kolregistry?sslmode=disable)")
	}
	return u, nil
}

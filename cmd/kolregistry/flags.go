package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// The flag conventions every subcommand follows (docs/cli.md):
//
//   - flags are parsed by a flag.FlagSet before anything is done;
//   - -h, --help (or `help` in place of a subcommand) prints the usage on stdout and exits 0;
//   - an unknown flag, a missing required flag or a stray argument prints the error and the
//     usage on stderr and exits 2 (exitUsage), having touched nothing;
//   - --json, where offered, prints one JSON document on stdout instead of the text report.
//
// A subcommand builds its flags with newFlags, parses them with parse, and returns usageErr
// for a bad combination that the FlagSet cannot see (a required flag missing).

// exitUsage is the exit status of a command line that could not be understood (as flag's own
// ExitOnError mode uses). The verify commands share it for "could not check" (exitUnchecked).
const exitUsage = 2

// errHelp reports that usage was printed on request: main exits 0.
var errHelp = flag.ErrHelp

// flags is a subcommand's FlagSet with its synopsis.
type flags struct {
	*flag.FlagSet
	synopsis string // "usage: kolregistry …" lines
}

// newFlags returns an empty FlagSet for `kolregistry name` whose usage starts with synopsis.
func newFlags(name, synopsis string) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // parse prints, on the stream the outcome calls for
	fs.Usage = func() {}
	return &flags{FlagSet: fs, synopsis: synopsis}
}

// usage is the synopsis followed by the flags and their defaults.
func (f *flags) usage() string {
	var b strings.Builder
	b.WriteString(f.synopsis)
	n := 0
	f.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		b.WriteString("\n\nflags:\n")
		f.SetOutput(&b)
		f.PrintDefaults()
		f.SetOutput(io.Discard)
	}
	return strings.TrimRight(b.String(), "\n")
}

// parse parses args. On -h/--help it prints the usage on stdout and returns errHelp; on a bad
// flag or a positional argument (no subcommand takes any) it returns a usage error.
func (f *flags) parse(args []string, stdout io.Writer) error {
	err := f.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintln(stdout, f.usage())
		return errHelp
	case err != nil:
		return f.usageErr("%v", err)
	case f.NArg() > 0:
		return f.usageErr("unexpected arguments %q", f.Args())
	}
	return nil
}

// usageErr is a usage error (exit 2) whose message is followed by the usage.
func (f *flags) usageErr(format string, args ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format+"\n\n%s", append(args, f.usage())...)}
}

// isHelp reports whether arg asks for help in place of a subcommand.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// group dispatches `kolregistry name sub …` for a command with subcommands: `name --help`
// prints usage and exits 0; no subcommand, or an unknown one, is a usage error.
func group(name, usage string, args []string, stdout io.Writer, subs map[string]func(args []string) error) error {
	if len(args) == 0 {
		return &exitError{exitUsage, fmt.Errorf("missing subcommand\n\n%s", usage)}
	}
	if isHelp(args[0]) {
		fmt.Fprintln(stdout, usage)
		return errHelp
	}
	run, ok := subs[args[0]]
	if !ok {
		return &exitError{exitUsage, fmt.Errorf("unknown %s command %q\n\n%s", name, args[0], usage)}
	}
	return run(args[1:])
}

// writeJSON prints v as one JSON document on one line of w (the --json output; pipe it to jq).
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

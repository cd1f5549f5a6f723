package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kolregistry/kolregistry/db"
)

const agencyUsage = `usage:
  kolregistry agency add --slug S --name N --kind K --jurisdiction J [--name-en E]
  kolregistry agency suspend --slug S
  kolregistry agency activate --slug S
  kolregistry agency list [--json]

kolregistry agency <command> --help shows a command's flags.`

// runAgency is `kolregistry agency add|suspend|activate|list`: the operator accredits agencies
// and suspends them (their tokens are refused from the next request on).
func runAgency(ctx context.Context, args []string) error {
	return agencyCommand(ctx, args, os.Stdout)
}

func agencyCommand(ctx context.Context, args []string, stdout io.Writer) error {
	// Each subcommand parses its flags, then connects: bad input needs no database.
	withDB := func(run func(*db.DB) error) error {
		url, err := databaseURL()
		if err != nil {
			return err
		}
		d, err := db.Open(ctx, url, "")
		if err != nil {
			return err
		}
		defer d.Close()
		return run(d)
	}
	setStatus := func(sub string) func([]string) error {
		return func(args []string) error {
			fs := newFlags("agency "+sub, "usage: kolregistry agency "+sub+" --slug S")
			slug := fs.String("slug", "", "the agency's slug")
			if err := fs.parse(args, stdout); err != nil {
				return err
			}
			if *slug == "" {
				return fs.usageErr("--slug is required")
			}
			status := map[string]string{"suspend": db.AgencySuspended, "activate": db.AgencyActive}[sub]
			return withDB(func(d *db.DB) error {
				before, err := d.AgencyBySlug(ctx, *slug)
				if errors.Is(err, db.ErrNotFound) {
					return fmt.Errorf("no agency %q", *slug)
				}
				if err != nil {
					return err
				}
				if before.Status == status {
					fmt.Fprintf(stdout, "agency %s is already %s\n", before.Slug, status)
					return nil
				}
				after, err := d.SetAgencyStatus(ctx, *slug, status)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "agency %s: %s → %s\n", after.Slug, before.Status, after.Status)
				return nil
			})
		}
	}
	return group("agency", agencyUsage, args, stdout, map[string]func([]string) error{
		"add": func(args []string) error {
			fs := newFlags("agency add", "usage: kolregistry agency add --slug S --name N --kind K --jurisdiction J [--name-en E]")
			var a db.NewAgency
			var nameEn string
			fs.StringVar(&a.Slug, "slug", "", "lower-case id used in tokens, e.g. so-tt-tt-hn")
			fs.StringVar(&a.Name, "name", "", "name in Vietnamese")
			fs.StringVar(&nameEn, "name-en", "", "name in English (optional)")
			fs.StringVar(&a.Kind, "kind", "", "one of "+strings.Join(db.AgencyKinds, ", "))
			fs.StringVar(&a.Jurisdiction, "jurisdiction", "", "VN (national) or a province code such as VN-HN")
			if err := fs.parse(args, stdout); err != nil {
				return err
			}
			if nameEn != "" {
				a.NameEn = &nameEn
			}
			if a.Slug == "" || a.Name == "" || a.Kind == "" || a.Jurisdiction == "" {
				return fs.usageErr("--slug, --name, --kind and --jurisdiction are required")
			}
			if err := a.Validate(); err != nil {
				return err
			}
			return withDB(func(d *db.DB) error {
				added, err := d.AddAgency(ctx, a)
				if errors.Is(err, db.ErrAgencyExists) {
					return fmt.Errorf("agency %q already exists (see `kolregistry agency list`)", a.Slug)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "added agency %s (%s, %s, %s)\n", added.Slug, added.Kind, added.Jurisdiction, added.Status)
				return nil
			})
		},
		"suspend":  setStatus("suspend"),
		"activate": setStatus("activate"),
		"list": func(args []string) error {
			fs := newFlags("agency list", "usage: kolregistry agency list [--json]")
			asJSON := fs.Bool("json", false, "print the agencies as a JSON array")
			if err := fs.parse(args, stdout); err != nil {
				return err
			}
			return withDB(func(d *db.DB) error {
				agencies, err := d.ListAgencies(ctx)
				if err != nil {
					return err
				}
				if *asJSON {
					return writeJSON(stdout, agencyJSON(agencies))
				}
				writeAgencyTable(stdout, agencies)
				return nil
			})
		},
	})
}

// agencyJSON is `agency list --json`: one object per agency, names as in the GraphQL Agency type.
func agencyJSON(agencies []db.Agency) []map[string]any {
	out := make([]map[string]any, len(agencies))
	for i, a := range agencies {
		out[i] = map[string]any{"slug": a.Slug, "kind": a.Kind, "jurisdiction": a.Jurisdiction,
			"status": a.Status, "createdAt": a.CreatedAt.UTC().Format(time.RFC3339), "name": a.Name, "nameEn": a.NameEn}
	}
	return out
}

func writeAgencyTable(w io.Writer, agencies []db.Agency) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tKIND\tJURISDICTION\tSTATUS\tCREATED\tNAME\tNAME (EN)")
	for _, a := range agencies {
		en := ""
		if a.NameEn != nil {
			en = *a.NameEn
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Slug, a.Kind, a.Jurisdiction, a.Status,
			a.CreatedAt.UTC().Format(time.DateOnly), a.Name, en)
	}
	tw.Flush()
}

package main

import (
	"context"
	"errors"
	"flag"
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
  kolregistry agency list`

// runAgency is `kolregistry agency add|suspend|activate|list`: the operator accredits agencies
// and suspends them (their tokens are refused from the next request on).
func runAgency(ctx context.Context, args []string) error {
	return agencyCommand(ctx, args, os.Stdout)
}

func agencyCommand(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New(agencyUsage)
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("agency "+sub, flag.ContinueOnError)
	var run func(*db.DB) error
	switch sub {
	case "add":
		var a db.NewAgency
		var nameEn string
		fs.StringVar(&a.Slug, "slug", "", "lower-case id used in tokens, e.g. so-tt-tt-hn")
		fs.StringVar(&a.Name, "name", "", "name in Vietnamese")
		fs.StringVar(&nameEn, "name-en", "", "name in English (optional)")
		fs.StringVar(&a.Kind, "kind", "", "one of "+strings.Join(db.AgencyKinds, ", "))
		fs.StringVar(&a.Jurisdiction, "jurisdiction", "", "VN (national) or a province code such as VN-HN")
		run = func(d *db.DB) error {
			if nameEn != "" {
				a.NameEn = &nameEn
			}
			if a.Slug == "" || a.Name == "" || a.Kind == "" || a.Jurisdiction == "" {
				return errors.New("--slug, --name, --kind and --jurisdiction are required\n" + agencyUsage)
			}
			if err := a.Validate(); err != nil { // before connecting: bad input needs no database
				return err
			}
			added, err := d.AddAgency(ctx, a)
			if errors.Is(err, db.ErrAgencyExists) {
				return fmt.Errorf("agency %q already exists (see `kolregistry agency list`)", a.Slug)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "added agency %s (%s, %s, %s)\n", added.Slug, added.Kind, added.Jurisdiction, added.Status)
			return nil
		}
	case "suspend", "activate":
		slug := fs.String("slug", "", "the agency's slug")
		status := map[string]string{"suspend": db.AgencySuspended, "activate": db.AgencyActive}[sub]
		run = func(d *db.DB) error {
			if *slug == "" {
				return errors.New("--slug is required\n" + agencyUsage)
			}
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
		}
	case "list":
		run = func(d *db.DB) error {
			agencies, err := d.ListAgencies(ctx)
			if err != nil {
				return err
			}
			writeAgencyTable(stdout, agencies)
			return nil
		}
	default:
		return fmt.Errorf("unknown agency command %q\n%s", sub, agencyUsage)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q\n%s", fs.Args(), agencyUsage)
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
	return run(d)
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

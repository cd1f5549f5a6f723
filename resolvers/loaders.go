package resolvers

import (
	"context"
	"net/http"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/vikstrous/dataloadgen"
)

type loadersKey struct{}

// DefaultLoaderWait is how long a loader gathers keys before it sends one batch. gqlgen resolves
// the items of a list concurrently, so siblings normally ask within this window; on a starved CPU
// a batch may split in two, which costs a statement, never a wrong answer.
const DefaultLoaderWait = 3 * time.Millisecond

// Loaders batches the reads of one request: one loader per foreign key, so a page of 50
// influencers with their accounts, MCNs, sanctions and disclosures costs a constant number of
// statements, not one per row.
type Loaders struct {
	store *db.DB // for facets of nested connections (one statement per parent)

	influencer  *dataloadgen.Loader[int64, *db.Influencer]
	account     *dataloadgen.Loader[int64, *db.PlatformAccount]
	mcn         *dataloadgen.Loader[int64, *db.Mcn]
	affiliation *dataloadgen.Loader[int64, *db.Affiliation]
	brand       *dataloadgen.Loader[int64, *db.Brand]
	disclosure  *dataloadgen.Loader[int64, *db.Disclosure]
	agency      *dataloadgen.Loader[int64, *db.Agency]
	sanction    *dataloadgen.Loader[int64, *db.Sanction]

	credentialsByInfluencer  *dataloadgen.Loader[int64, []db.Credential]
	accountsByInfluencer     *dataloadgen.Loader[int64, []db.PlatformAccount]
	affiliationsByInfluencer *dataloadgen.Loader[int64, []db.Affiliation]
	brandsByDisclosure       *dataloadgen.Loader[int64, []db.Brand]
	sanctionsByDisclosure    *dataloadgen.Loader[int64, []db.Sanction]
	disclosuresBySanction    *dataloadgen.Loader[int64, []db.Disclosure]
	violationsBySanction     *dataloadgen.Loader[int64, []db.Violation]
	historyBySanction        *dataloadgen.Loader[int64, []db.StatusChange]

	// Nested connections: one loader per parent kind, keyed by parent and page arguments.
	disclosuresOf      map[db.DisclosureParent]*dataloadgen.Loader[pageKey, db.PageOf[db.Disclosure]]
	disclosureCountsOf map[db.DisclosureParent]*dataloadgen.Loader[pageKey, int]
	sanctionsOf        map[db.SanctionParent]*dataloadgen.Loader[pageKey, db.PageOf[db.Sanction]]
	sanctionCountsOf   map[db.SanctionParent]*dataloadgen.Loader[pageKey, int]
	membersOf          *dataloadgen.Loader[pageKey, db.PageOf[db.Affiliation]]
	memberCountsOf     *dataloadgen.Loader[pageKey, int]
	// history is keyed by subject type in the variant; writes by agency.
	historyOf      *dataloadgen.Loader[pageKey, db.PageOf[db.AuditEvent]]
	historyCountOf *dataloadgen.Loader[pageKey, int]
	writesOf       *dataloadgen.Loader[pageKey, db.PageOf[db.AuditEvent]]
	writeCountsOf  *dataloadgen.Loader[pageKey, int]
	// timelines are keyed by owner kind (db.TimelineOwner) in the variant.
	timelineOf      *dataloadgen.Loader[pageKey, db.PageOf[db.TimelineEvent]]
	timelineCountOf *dataloadgen.Loader[pageKey, int]
}

// WithLoaders returns ctx carrying a fresh set of per-request dataloaders.
func WithLoaders(ctx context.Context, store *db.DB, wait time.Duration) context.Context {
	return context.WithValue(ctx, loadersKey{}, newLoaders(store, wait))
}

// Middleware gives every request its own dataloaders, batching for DefaultLoaderWait.
func Middleware(store *db.DB, next http.Handler) http.Handler {
	return MiddlewareWait(store, DefaultLoaderWait, next)
}

// MiddlewareWait is Middleware with another batching window (tests that count statements
// widen it so that a busy machine cannot split a batch).
func MiddlewareWait(store *db.DB, wait time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(WithLoaders(r.Context(), store, wait)))
	})
}

func newLoaders(s *db.DB, wait time.Duration) *Loaders {
	opt := dataloadgen.WithWait(wait)
	l := &Loaders{
		store:       s,
		influencer:  byID(opt, s.InfluencersByIDs),
		account:     byID(opt, s.AccountsByIDs),
		mcn:         byID(opt, s.McnsByIDs),
		affiliation: byID(opt, s.AffiliationsByIDs),
		brand:       byID(opt, s.BrandsByIDs),
		disclosure:  byID(opt, s.DisclosuresByIDs),
		agency:      byID(opt, s.AgenciesByIDs),
		sanction:    byID(opt, s.SanctionsByIDs),

		credentialsByInfluencer:  byParent(opt, s.CredentialsByInfluencers),
		accountsByInfluencer:     byParent(opt, s.AccountsByInfluencers),
		affiliationsByInfluencer: byParent(opt, s.AffiliationsByInfluencers),
		brandsByDisclosure:       byParent(opt, s.BrandsByDisclosures),
		sanctionsByDisclosure:    byParent(opt, s.SanctionsByDisclosures),
		disclosuresBySanction:    byParent(opt, s.DisclosuresBySanctions),
		violationsBySanction:     byParent(opt, s.ViolationsBySanctions),
		historyBySanction:        byParent(opt, s.StatusHistoryBySanctions),

		disclosuresOf:      map[db.DisclosureParent]*dataloadgen.Loader[pageKey, db.PageOf[db.Disclosure]]{},
		disclosureCountsOf: map[db.DisclosureParent]*dataloadgen.Loader[pageKey, int]{},
		sanctionsOf:        map[db.SanctionParent]*dataloadgen.Loader[pageKey, db.PageOf[db.Sanction]]{},
		sanctionCountsOf:   map[db.SanctionParent]*dataloadgen.Loader[pageKey, int]{},
	}
	for _, p := range []db.DisclosureParent{db.DisclosuresOfInfluencer, db.DisclosuresOfMcn, db.DisclosuresOfBrand} {
		l.disclosuresOf[p] = pages(opt, func(ctx context.Context, ids []int64, _ string, pg db.Page) (map[int64]db.PageOf[db.Disclosure], error) {
			return s.DisclosuresOf(ctx, p, ids, pg)
		})
		l.disclosureCountsOf[p] = counts(opt, func(ctx context.Context, ids []int64, _ string) (map[int64]int, error) {
			return s.CountDisclosuresOf(ctx, p, ids)
		})
	}
	for _, p := range []db.SanctionParent{db.SanctionsOfInfluencer, db.SanctionsOfMcn, db.SanctionsOfBrand, db.SanctionsOfAgency} {
		l.sanctionsOf[p] = pages(opt, func(ctx context.Context, ids []int64, _ string, pg db.Page) (map[int64]db.PageOf[db.Sanction], error) {
			return s.SanctionsOf(ctx, p, ids, pg)
		})
		l.sanctionCountsOf[p] = counts(opt, func(ctx context.Context, ids []int64, _ string) (map[int64]int, error) {
			return s.CountSanctionsOf(ctx, p, ids)
		})
	}
	l.membersOf = pages(opt, func(ctx context.Context, ids []int64, variant string, pg db.Page) (map[int64]db.PageOf[db.Affiliation], error) {
		return s.MembersOfMcns(ctx, ids, currentFromVariant(variant), pg)
	})
	l.memberCountsOf = counts(opt, func(ctx context.Context, ids []int64, variant string) (map[int64]int, error) {
		return s.CountMembersOfMcns(ctx, ids, currentFromVariant(variant))
	})
	l.historyOf = pages(opt, func(ctx context.Context, ids []int64, subjectType string, pg db.Page) (map[int64]db.PageOf[db.AuditEvent], error) {
		return s.EventsOf(ctx, subjectType, ids, pg)
	})
	l.historyCountOf = counts(opt, func(ctx context.Context, ids []int64, subjectType string) (map[int64]int, error) {
		return s.CountEventsOf(ctx, subjectType, ids)
	})
	l.writesOf = pages(opt, func(ctx context.Context, ids []int64, _ string, pg db.Page) (map[int64]db.PageOf[db.AuditEvent], error) {
		return s.EventsByActors(ctx, ids, pg)
	})
	l.writeCountsOf = counts(opt, func(ctx context.Context, ids []int64, _ string) (map[int64]int, error) {
		return s.CountEventsByActors(ctx, ids)
	})
	l.timelineOf = pages(opt, func(ctx context.Context, ids []int64, owner string, pg db.Page) (map[int64]db.PageOf[db.TimelineEvent], error) {
		return s.TimelinesOf(ctx, db.TimelineOwner(owner), ids, pg)
	})
	l.timelineCountOf = counts(opt, func(ctx context.Context, ids []int64, owner string) (map[int64]int, error) {
		return s.CountTimelinesOf(ctx, db.TimelineOwner(owner), ids)
	})
	return l
}

func loadersFrom(ctx context.Context) *Loaders {
	l, _ := ctx.Value(loadersKey{}).(*Loaders)
	if l == nil {
		panic("resolvers: request context has no dataloaders; wrap the handler with resolvers.Middleware")
	}
	return l
}

// byID makes a loader over a by-ids read; a missing row loads as nil, not an error.
func byID[T any](opt dataloadgen.Option, fetch func(context.Context, []int64) (map[int64]T, error)) *dataloadgen.Loader[int64, *T] {
	return dataloadgen.NewLoader(func(ctx context.Context, keys []int64) ([]*T, []error) {
		rows, err := fetch(ctx, keys)
		out := make([]*T, len(keys))
		if err != nil {
			return out, repeat(err, len(keys))
		}
		for i, k := range keys {
			if r, ok := rows[k]; ok {
				out[i] = &r
			}
		}
		return out, nil
	}, opt)
}

// byParent makes a loader over a children-of-many-parents read.
func byParent[T any](opt dataloadgen.Option, fetch func(context.Context, []int64) (map[int64][]T, error)) *dataloadgen.Loader[int64, []T] {
	return dataloadgen.NewLoader(func(ctx context.Context, keys []int64) ([][]T, []error) {
		rows, err := fetch(ctx, keys)
		out := make([][]T, len(keys))
		if err != nil {
			return out, repeat(err, len(keys))
		}
		for i, k := range keys {
			out[i] = rows[k]
		}
		return out, nil
	}, opt)
}

// pageKey is one parent's page of a nested connection. Keys with the same variant and page
// arguments are fetched together in one statement.
type pageKey struct {
	parent  int64
	variant string // a list's own argument, e.g. members(current:)
	args    pageArgs
}

// pageArgs is db.Page in a comparable form.
type pageArgs struct {
	limit             int
	backward          bool
	after, before     db.Cursor
	hasAfter, hasBeft bool
}

func argsOf(p db.Page) pageArgs {
	a := pageArgs{limit: p.Limit, backward: p.Backward}
	if p.After != nil {
		a.after, a.hasAfter = *p.After, true
	}
	if p.Before != nil {
		a.before, a.hasBeft = *p.Before, true
	}
	return a
}

func (a pageArgs) page() db.Page {
	p := db.Page{Limit: a.limit, Backward: a.backward}
	if a.hasAfter {
		after := a.after
		p.After = &after
	}
	if a.hasBeft {
		before := a.before
		p.Before = &before
	}
	return p
}

type group struct {
	variant string
	args    pageArgs
}

// pages makes a loader for a nested connection: one statement per distinct (variant, page).
func pages[T any](opt dataloadgen.Option, fetch func(ctx context.Context, ids []int64, variant string, p db.Page) (map[int64]db.PageOf[T], error)) *dataloadgen.Loader[pageKey, db.PageOf[T]] {
	return dataloadgen.NewLoader(func(ctx context.Context, keys []pageKey) ([]db.PageOf[T], []error) {
		out := make([]db.PageOf[T], len(keys))
		errs := make([]error, len(keys))
		groups := map[group][]int{}
		for i, k := range keys {
			g := group{k.variant, k.args}
			groups[g] = append(groups[g], i)
		}
		for g, idx := range groups {
			ids := make([]int64, len(idx))
			for j, i := range idx {
				ids[j] = keys[i].parent
			}
			res, err := fetch(ctx, ids, g.variant, g.args.page())
			for _, i := range idx {
				out[i], errs[i] = res[keys[i].parent], err
			}
		}
		return out, errs
	}, opt)
}

// counts makes a loader for a nested connection's totalCount: one statement per variant.
func counts(opt dataloadgen.Option, fetch func(ctx context.Context, ids []int64, variant string) (map[int64]int, error)) *dataloadgen.Loader[pageKey, int] {
	return dataloadgen.NewLoader(func(ctx context.Context, keys []pageKey) ([]int, []error) {
		out := make([]int, len(keys))
		errs := make([]error, len(keys))
		byVariant := map[string][]int{}
		for i, k := range keys {
			byVariant[k.variant] = append(byVariant[k.variant], i)
		}
		for v, idx := range byVariant {
			ids := make([]int64, len(idx))
			for j, i := range idx {
				ids[j] = keys[i].parent
			}
			res, err := fetch(ctx, ids, v)
			for _, i := range idx {
				out[i], errs[i] = res[keys[i].parent], err
			}
		}
		return out, errs
	}, opt)
}

func repeat(err error, n int) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}

func currentFromVariant(v string) *bool {
	switch v {
	case "current":
		t := true
		return &t
	case "past":
		f := false
		return &f
	}
	return nil
}

package resolvers

import (
	"context"
	"net/http"
	"sync"
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
// statements, not one per row. Each loader is built on first use (a request touches a few of
// the 36), and the planned read path (plan.go) fills them before the resolvers ask.
type Loaders struct {
	store *db.DB // for facets of nested connections (one statement per parent)
	opt   dataloadgen.Option
	// unplanned turns the planned read path off (tests compare the two).
	unplanned bool

	influencerL  lazy[*dataloadgen.Loader[int64, *db.Influencer]]
	accountL     lazy[*dataloadgen.Loader[int64, *db.PlatformAccount]]
	mcnL         lazy[*dataloadgen.Loader[int64, *db.Mcn]]
	affiliationL lazy[*dataloadgen.Loader[int64, *db.Affiliation]]
	brandL       lazy[*dataloadgen.Loader[int64, *db.Brand]]
	disclosureL  lazy[*dataloadgen.Loader[int64, *db.Disclosure]]
	agencyL      lazy[*dataloadgen.Loader[int64, *db.Agency]]
	sanctionL    lazy[*dataloadgen.Loader[int64, *db.Sanction]]

	credentialsByInfluencerL  lazy[*dataloadgen.Loader[int64, []db.Credential]]
	accountsByInfluencerL     lazy[*dataloadgen.Loader[int64, []db.PlatformAccount]]
	affiliationsByInfluencerL lazy[*dataloadgen.Loader[int64, []db.Affiliation]]
	brandsByDisclosureL       lazy[*dataloadgen.Loader[int64, []db.Brand]]
	sanctionsByDisclosureL    lazy[*dataloadgen.Loader[int64, []db.Sanction]]
	disclosuresBySanctionL    lazy[*dataloadgen.Loader[int64, []db.Disclosure]]
	violationsBySanctionL     lazy[*dataloadgen.Loader[int64, []db.Violation]]
	historyBySanctionL        lazy[*dataloadgen.Loader[int64, []db.StatusChange]]

	// Nested connections: one loader per parent kind, keyed by parent and page arguments.
	mu                  sync.Mutex
	disclosuresOfM      map[db.DisclosureParent]*dataloadgen.Loader[pageKey, db.PageOf[db.Disclosure]]
	disclosureCountsOfM map[db.DisclosureParent]*dataloadgen.Loader[pageKey, int]
	// sanction lists are keyed by parent kind and the list's arguments (db.SanctionList.Key).
	sanctionsOfM      map[sanctionListKey]*dataloadgen.Loader[pageKey, db.PageOf[db.Sanction]]
	sanctionCountsOfM map[sanctionListKey]*dataloadgen.Loader[pageKey, int]
	membersOfL        lazy[*dataloadgen.Loader[pageKey, db.PageOf[db.Affiliation]]]
	memberCountsOfL   lazy[*dataloadgen.Loader[pageKey, int]]
	// history is keyed by subject type in the variant; writes by agency.
	historyOfL      lazy[*dataloadgen.Loader[pageKey, db.PageOf[db.AuditEvent]]]
	historyCountOfL lazy[*dataloadgen.Loader[pageKey, int]]
	writesOfL       lazy[*dataloadgen.Loader[pageKey, db.PageOf[db.AuditEvent]]]
	writeCountsOfL  lazy[*dataloadgen.Loader[pageKey, int]]
	// timelines are keyed by owner kind (db.TimelineOwner) in the variant.
	timelineOfL      lazy[*dataloadgen.Loader[pageKey, db.PageOf[db.TimelineEvent]]]
	timelineCountOfL lazy[*dataloadgen.Loader[pageKey, int]]
	// lastChangeL: the latest audit event about a record (changes.go).
	lastChangeL lazy[*dataloadgen.Loader[refKey, db.LastChange]]
}

// lazy is a value built once, on first use.
type lazy[T any] struct {
	once sync.Once
	v    T
}

func (z *lazy[T]) get(build func() T) T {
	z.once.Do(func() { z.v = build() })
	return z.v
}

// WithLoaders returns ctx carrying a fresh set of per-request dataloaders.
func WithLoaders(ctx context.Context, store *db.DB, wait time.Duration) context.Context {
	return context.WithValue(ctx, loadersKey{}, newLoaders(store, wait))
}

// WithUnplannedLoaders is WithLoaders with the planned read path off: every nested field goes
// through its loader's batching window. Tests compare the two paths with it.
func WithUnplannedLoaders(ctx context.Context, store *db.DB, wait time.Duration) context.Context {
	l := newLoaders(store, wait)
	l.unplanned = true
	return context.WithValue(ctx, loadersKey{}, l)
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

// MiddlewareUnplanned is MiddlewareWait without the planned read path (WithUnplannedLoaders).
func MiddlewareUnplanned(store *db.DB, wait time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(WithUnplannedLoaders(r.Context(), store, wait)))
	})
}

func newLoaders(s *db.DB, wait time.Duration) *Loaders {
	return &Loaders{store: s, opt: dataloadgen.WithWait(wait)}
}

func (l *Loaders) influencer() *dataloadgen.Loader[int64, *db.Influencer] {
	return l.influencerL.get(func() *dataloadgen.Loader[int64, *db.Influencer] { return byID(l.opt, l.store.InfluencersByIDs) })
}

func (l *Loaders) account() *dataloadgen.Loader[int64, *db.PlatformAccount] {
	return l.accountL.get(func() *dataloadgen.Loader[int64, *db.PlatformAccount] { return byID(l.opt, l.store.AccountsByIDs) })
}

func (l *Loaders) mcn() *dataloadgen.Loader[int64, *db.Mcn] {
	return l.mcnL.get(func() *dataloadgen.Loader[int64, *db.Mcn] { return byID(l.opt, l.store.McnsByIDs) })
}

func (l *Loaders) affiliation() *dataloadgen.Loader[int64, *db.Affiliation] {
	return l.affiliationL.get(func() *dataloadgen.Loader[int64, *db.Affiliation] { return byID(l.opt, l.store.AffiliationsByIDs) })
}

func (l *Loaders) brand() *dataloadgen.Loader[int64, *db.Brand] {
	return l.brandL.get(func() *dataloadgen.Loader[int64, *db.Brand] { return byID(l.opt, l.store.BrandsByIDs) })
}

func (l *Loaders) disclosure() *dataloadgen.Loader[int64, *db.Disclosure] {
	return l.disclosureL.get(func() *dataloadgen.Loader[int64, *db.Disclosure] { return byID(l.opt, l.store.DisclosuresByIDs) })
}

func (l *Loaders) agency() *dataloadgen.Loader[int64, *db.Agency] {
	return l.agencyL.get(func() *dataloadgen.Loader[int64, *db.Agency] { return byID(l.opt, l.store.AgenciesByIDs) })
}

func (l *Loaders) sanction() *dataloadgen.Loader[int64, *db.Sanction] {
	return l.sanctionL.get(func() *dataloadgen.Loader[int64, *db.Sanction] { return byID(l.opt, l.store.SanctionsByIDs) })
}

func (l *Loaders) credentialsByInfluencer() *dataloadgen.Loader[int64, []db.Credential] {
	return l.credentialsByInfluencerL.get(func() *dataloadgen.Loader[int64, []db.Credential] {
		return byParent(l.opt, l.store.CredentialsByInfluencers)
	})
}

func (l *Loaders) accountsByInfluencer() *dataloadgen.Loader[int64, []db.PlatformAccount] {
	return l.accountsByInfluencerL.get(func() *dataloadgen.Loader[int64, []db.PlatformAccount] {
		return byParent(l.opt, l.store.AccountsByInfluencers)
	})
}

func (l *Loaders) affiliationsByInfluencer() *dataloadgen.Loader[int64, []db.Affiliation] {
	return l.affiliationsByInfluencerL.get(func() *dataloadgen.Loader[int64, []db.Affiliation] {
		return byParent(l.opt, l.store.AffiliationsByInfluencers)
	})
}

func (l *Loaders) brandsByDisclosure() *dataloadgen.Loader[int64, []db.Brand] {
	return l.brandsByDisclosureL.get(func() *dataloadgen.Loader[int64, []db.Brand] {
		return byParent(l.opt, l.store.BrandsByDisclosures)
	})
}

func (l *Loaders) sanctionsByDisclosure() *dataloadgen.Loader[int64, []db.Sanction] {
	return l.sanctionsByDisclosureL.get(func() *dataloadgen.Loader[int64, []db.Sanction] {
		return byParent(l.opt, l.store.SanctionsByDisclosures)
	})
}

func (l *Loaders) disclosuresBySanction() *dataloadgen.Loader[int64, []db.Disclosure] {
	return l.disclosuresBySanctionL.get(func() *dataloadgen.Loader[int64, []db.Disclosure] {
		return byParent(l.opt, l.store.DisclosuresBySanctions)
	})
}

func (l *Loaders) violationsBySanction() *dataloadgen.Loader[int64, []db.Violation] {
	return l.violationsBySanctionL.get(func() *dataloadgen.Loader[int64, []db.Violation] {
		return byParent(l.opt, l.store.ViolationsBySanctions)
	})
}

func (l *Loaders) historyBySanction() *dataloadgen.Loader[int64, []db.StatusChange] {
	return l.historyBySanctionL.get(func() *dataloadgen.Loader[int64, []db.StatusChange] {
		return byParent(l.opt, l.store.StatusHistoryBySanctions)
	})
}

// lazyIn returns m[k], building it (and m) on first use, under mu.
func lazyIn[K comparable, V any](mu *sync.Mutex, m *map[K]V, k K, build func() V) V {
	mu.Lock()
	defer mu.Unlock()
	if *m == nil {
		*m = map[K]V{}
	}
	v, ok := (*m)[k]
	if !ok {
		v = build()
		(*m)[k] = v
	}
	return v
}

func (l *Loaders) disclosuresOf(p db.DisclosureParent) *dataloadgen.Loader[pageKey, db.PageOf[db.Disclosure]] {
	return lazyIn(&l.mu, &l.disclosuresOfM, p, func() *dataloadgen.Loader[pageKey, db.PageOf[db.Disclosure]] {
		return pages(l.opt, func(ctx context.Context, ids []int64, _ string, pg db.Page) (map[int64]db.PageOf[db.Disclosure], error) {
			return l.store.DisclosuresOf(ctx, p, ids, pg)
		})
	})
}

func (l *Loaders) disclosureCountsOf(p db.DisclosureParent) *dataloadgen.Loader[pageKey, int] {
	return lazyIn(&l.mu, &l.disclosureCountsOfM, p, func() *dataloadgen.Loader[pageKey, int] {
		return counts(l.opt, func(ctx context.Context, ids []int64, _ string) (map[int64]int, error) {
			return l.store.CountDisclosuresOf(ctx, p, ids)
		})
	})
}

// sanctionListKey is one loader of nested sanction lists: a parent kind and the list's arguments.
type sanctionListKey struct {
	parent db.SanctionParent
	list   string // db.SanctionList.Key
}

func (l *Loaders) sanctionsOf(p db.SanctionParent, list db.SanctionList) *dataloadgen.Loader[pageKey, db.PageOf[db.Sanction]] {
	return lazyIn(&l.mu, &l.sanctionsOfM, sanctionListKey{p, list.Key()}, func() *dataloadgen.Loader[pageKey, db.PageOf[db.Sanction]] {
		return pages(l.opt, func(ctx context.Context, ids []int64, _ string, pg db.Page) (map[int64]db.PageOf[db.Sanction], error) {
			return l.store.SanctionsOf(ctx, p, list, ids, pg)
		})
	})
}

func (l *Loaders) sanctionCountsOf(p db.SanctionParent, list db.SanctionList) *dataloadgen.Loader[pageKey, int] {
	return lazyIn(&l.mu, &l.sanctionCountsOfM, sanctionListKey{p, list.Key()}, func() *dataloadgen.Loader[pageKey, int] {
		return counts(l.opt, func(ctx context.Context, ids []int64, _ string) (map[int64]int, error) {
			return l.store.CountSanctionsOf(ctx, p, list, ids)
		})
	})
}

func (l *Loaders) membersOf() *dataloadgen.Loader[pageKey, db.PageOf[db.Affiliation]] {
	return l.membersOfL.get(func() *dataloadgen.Loader[pageKey, db.PageOf[db.Affiliation]] {
		return pages(l.opt, func(ctx context.Context, ids []int64, variant string, pg db.Page) (map[int64]db.PageOf[db.Affiliation], error) {
			return l.store.MembersOfMcns(ctx, ids, currentFromVariant(variant), pg)
		})
	})
}

func (l *Loaders) memberCountsOf() *dataloadgen.Loader[pageKey, int] {
	return l.memberCountsOfL.get(func() *dataloadgen.Loader[pageKey, int] {
		return counts(l.opt, func(ctx context.Context, ids []int64, variant string) (map[int64]int, error) {
			return l.store.CountMembersOfMcns(ctx, ids, currentFromVariant(variant))
		})
	})
}

func (l *Loaders) historyOf() *dataloadgen.Loader[pageKey, db.PageOf[db.AuditEvent]] {
	return l.historyOfL.get(func() *dataloadgen.Loader[pageKey, db.PageOf[db.AuditEvent]] {
		return pages(l.opt, func(ctx context.Context, ids []int64, subjectType string, pg db.Page) (map[int64]db.PageOf[db.AuditEvent], error) {
			return l.store.EventsOf(ctx, subjectType, ids, pg)
		})
	})
}

func (l *Loaders) historyCountOf() *dataloadgen.Loader[pageKey, int] {
	return l.historyCountOfL.get(func() *dataloadgen.Loader[pageKey, int] {
		return counts(l.opt, func(ctx context.Context, ids []int64, subjectType string) (map[int64]int, error) {
			return l.store.CountEventsOf(ctx, subjectType, ids)
		})
	})
}

func (l *Loaders) writesOf() *dataloadgen.Loader[pageKey, db.PageOf[db.AuditEvent]] {
	return l.writesOfL.get(func() *dataloadgen.Loader[pageKey, db.PageOf[db.AuditEvent]] {
		return pages(l.opt, func(ctx context.Context, ids []int64, _ string, pg db.Page) (map[int64]db.PageOf[db.AuditEvent], error) {
			return l.store.EventsByActors(ctx, ids, pg)
		})
	})
}

func (l *Loaders) writeCountsOf() *dataloadgen.Loader[pageKey, int] {
	return l.writeCountsOfL.get(func() *dataloadgen.Loader[pageKey, int] {
		return counts(l.opt, func(ctx context.Context, ids []int64, _ string) (map[int64]int, error) {
			return l.store.CountEventsByActors(ctx, ids)
		})
	})
}

func (l *Loaders) timelineOf() *dataloadgen.Loader[pageKey, db.PageOf[db.TimelineEvent]] {
	return l.timelineOfL.get(func() *dataloadgen.Loader[pageKey, db.PageOf[db.TimelineEvent]] {
		return pages(l.opt, func(ctx context.Context, ids []int64, owner string, pg db.Page) (map[int64]db.PageOf[db.TimelineEvent], error) {
			return l.store.TimelinesOf(ctx, db.TimelineOwner(owner), ids, pg)
		})
	})
}

func (l *Loaders) timelineCountOf() *dataloadgen.Loader[pageKey, int] {
	return l.timelineCountOfL.get(func() *dataloadgen.Loader[pageKey, int] {
		return counts(l.opt, func(ctx context.Context, ids []int64, owner string) (map[int64]int, error) {
			return l.store.CountTimelinesOf(ctx, db.TimelineOwner(owner), ids)
		})
	})
}

func loadersFrom(ctx context.Context) *Loaders {
	var l *Loaders
	switch v := ctx.Value(loadersKey{}).(type) {
	case *Loaders:
		l = v
	case *liveLoaders: // a subscription: the current event's (live.go)
		l = v.cur.Load()
	}
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

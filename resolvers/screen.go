package resolvers

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/graph/model"
	"github.com/kolregistry/kolregistry/registry"
)

// Screening (docs/screening.md): the candidates are read by registry.ReadCandidate, the store
// finds the evidence of all of them in one transaction (db.Screen), registry.Decide weighs it,
// and the vetting reports come from the same db.Vet as vettingReport's.

// ScreenFieldMaxChars is the longest name, handle or address a candidate may give.
const ScreenFieldMaxChars = db.SearchMaxChars

// screenVetWorkers is how many vetting reports of one screening are gathered at once: each
// holds a pooled connection for a few statements, and the pool must keep serving others.
const screenVetWorkers = 4

// Screened is one candidate's outcome with its vetting report (nil when not asked for or
// when nothing matched).
type Screened struct {
	registry.ScreenOutcome
	Vetting *db.Vetting
}

// ReadScreenCandidates checks the candidates' count and sizes (field names the refused one
// as candidates.N.field) and reads each.
func ReadScreenCandidates(cs []registry.ScreenCandidate) ([]registry.ScreenQuery, error) {
	if len(cs) > registry.ScreenMaxCandidates {
		return nil, errcode.BadInput("candidates", "at most %d candidates per screening, got %d", registry.ScreenMaxCandidates, len(cs))
	}
	qs := make([]registry.ScreenQuery, len(cs))
	for i, c := range cs {
		for field, v := range map[string]string{"name": c.Name, "handle": c.Handle, "url": c.URL} {
			if utf8.RuneCountInString(v) > ScreenFieldMaxChars {
				return nil, errcode.BadInput(fmt.Sprintf("candidates.%d.%s", i, field), "%s is longer than %d characters", field, ScreenFieldMaxChars)
			}
		}
		if c.Platform != "" && !c.Platform.Valid() {
			return nil, errcode.BadInput(fmt.Sprintf("candidates.%d.platform", i), "%q is not a platform", c.Platform)
		}
		qs[i] = registry.ReadCandidate(c)
	}
	return qs, nil
}

// Screen screens the candidates, in their order, with the best match's vetting report as of
// day when vet is true.
func Screen(ctx context.Context, store *db.DB, cs []registry.ScreenCandidate, day time.Time, vet bool) ([]Screened, error) {
	qs, err := ReadScreenCandidates(cs)
	if err != nil {
		return nil, err
	}
	found, err := store.Screen(ctx, qs)
	if err != nil {
		return nil, err
	}
	out := make([]Screened, len(qs))
	for i, q := range qs {
		out[i].ScreenOutcome = registry.Decide(q, found[i])
	}
	if !vet {
		return out, nil
	}
	// One report per influencer, however many candidates matched it.
	reports := map[int64]*db.Vetting{}
	for _, s := range out {
		if s.Best != nil {
			reports[s.Best.InfluencerID] = nil
		}
	}
	ids := make([]int64, 0, len(reports))
	for id := range reports {
		ids = append(ids, id)
	}
	vs := make([]db.Vetting, len(ids))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(screenVetWorkers)
	for i, id := range ids {
		g.Go(func() error {
			v, err := store.Vet(gctx, id, day)
			if errors.Is(err, db.ErrNotFound) {
				return nil // cannot happen: nothing is hard-deleted
			}
			vs[i] = v
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i, id := range ids {
		if vs[i].InfluencerID != 0 {
			reports[id] = &vs[i]
		}
	}
	for i := range out {
		if b := out[i].Best; b != nil {
			out[i].Vetting = reports[b.InfluencerID]
		}
	}
	return out, nil
}

// vettingDay is the day a vetting report describes: asOf, or today in Vietnam; a future day is
// BAD_USER_INPUT.
func vettingDay(asOf *time.Time) (time.Time, error) {
	now := time.Now().In(db.VietnamTime)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if asOf == nil {
		return today, nil
	}
	if asOf.After(today) {
		return time.Time{}, errcode.BadInput("asOf", "asOf is in the future; the registry knows only the past")
	}
	return *asOf, nil
}

// VettingDay is vettingDay for the HTTP endpoints.
func VettingDay(asOf *time.Time) (time.Time, error) { return vettingDay(asOf) }

// screenResults maps the outcomes to the API's results, loading every influencer named (best
// and alternatives) in one batch.
func screenResults(ctx context.Context, screened []Screened) ([]*model.ScreenResult, error) {
	l := loadersFrom(ctx).influencer()
	var ids []int64
	for _, s := range screened {
		if s.Best != nil {
			ids = append(ids, s.Best.InfluencerID)
		}
		for _, a := range s.Alternatives {
			ids = append(ids, a.InfluencerID)
		}
	}
	rows, err := l.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*model.Influencer, len(rows))
	for _, r := range rows {
		if r != nil {
			byID[r.ID] = toInfluencer(*r)
		}
	}
	out := make([]*model.ScreenResult, len(screened))
	for i, s := range screened {
		r := &model.ScreenResult{Decision: model.ScreenDecision(s.Decision), Score: s.Score, Alternatives: []*model.Influencer{}}
		for _, e := range s.Explanation {
			r.ExplanationEn, r.ExplanationVi = append(r.ExplanationEn, e.EN), append(r.ExplanationVi, e.VI)
		}
		if s.Best != nil {
			r.Influencer = byID[s.Best.InfluencerID]
		}
		for _, a := range s.Alternatives {
			if m := byID[a.InfluencerID]; m != nil {
				r.Alternatives = append(r.Alternatives, m)
			}
		}
		if s.Vetting != nil && r.Influencer != nil {
			r.Vetting = toVettingReport(*s.Vetting, r.Influencer, model.LanguageEn)
		}
		out[i] = r
	}
	return out, nil
}

// screenCandidates converts the API's candidates.
func screenCandidates(cs []*model.ScreenCandidate) []registry.ScreenCandidate {
	out := make([]registry.ScreenCandidate, len(cs))
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	for i, c := range cs {
		out[i] = registry.ScreenCandidate{Name: str(c.Name), Handle: str(c.Handle), URL: str(c.URL)}
		if c.Platform != nil {
			out[i].Platform = registry.Platform(*c.Platform)
		}
	}
	return out
}

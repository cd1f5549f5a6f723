package resolvers

import (
	"context"
	"encoding/json"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/graph/model"
	"github.com/kolregistry/kolregistry/permalink"
)

// The changes feed and lastChangedAt (docs/mirrors.md).

// maxChangeFilterItems bounds each list filter of changes.
const maxChangeFilterItems = 20

// changeTypes are the subject types an audit event can have: the types filter accepts these.
var changeTypes = map[string]bool{
	"Influencer": true, "PlatformAccount": true, "Mcn": true, "Affiliation": true, "Brand": true,
	"Disclosure": true, "Agency": true, "Sanction": true,
}

// ChangesArgs are the arguments of Query.changes.
type ChangesArgs struct {
	AfterSeq, BeforeSeq *int64
	First, Last         *int
	Types, Actions      []string
	AgencyID, RelatedTo *string
	From, To            *time.Time
}

// changeQuery validates the changes feed's arguments into a filter and a page.
func changeQuery(a ChangesArgs) (db.ChangeFilter, db.Page, error) {
	var f db.ChangeFilter
	if a.Last != nil && (a.First != nil || a.AfterSeq != nil) {
		return f, db.Page{}, errcode.BadInput("last", "last pages back from the head (or beforeSeq): pass it without first and afterSeq")
	}
	if a.BeforeSeq != nil && a.Last == nil {
		return f, db.Page{}, errcode.BadInput("beforeSeq", "beforeSeq goes with last")
	}
	p, err := db.NewPage(a.First, a.Last, nil, nil)
	if err != nil {
		return f, p, err
	}
	if a.AfterSeq != nil {
		if *a.AfterSeq < 0 {
			return f, p, errcode.BadInput("afterSeq", "afterSeq must be 0 or more")
		}
		if *a.AfterSeq > 0 {
			p.After = db.SeqCursor(*a.AfterSeq)
		}
	}
	if a.BeforeSeq != nil {
		if *a.BeforeSeq < 1 {
			return f, p, errcode.BadInput("beforeSeq", "beforeSeq must be 1 or more")
		}
		p.Before = db.SeqCursor(*a.BeforeSeq)
	}
	if a.Types != nil {
		if len(a.Types) == 0 || len(a.Types) > maxChangeFilterItems {
			return f, p, errcode.BadInput("types", "types must hold 1 to %d type names, or be omitted", maxChangeFilterItems)
		}
		for _, t := range a.Types {
			if !changeTypes[t] {
				return f, p, errcode.BadInput("types", "%q is not a type the audit trail records", t)
			}
		}
		f.Types = a.Types
	}
	if a.Actions != nil {
		if len(a.Actions) == 0 || len(a.Actions) > maxChangeFilterItems {
			return f, p, errcode.BadInput("actions", "actions must hold 1 to %d mutation names, or be omitted", maxChangeFilterItems)
		}
		f.Actions = a.Actions
	}
	if a.AgencyID != nil {
		ids, err := idsOf("agencyId", []string{*a.AgencyID}, typeAgency)
		if err != nil {
			return f, p, err
		}
		f.ActorID = ids[0]
	}
	if a.RelatedTo != nil {
		typ, id, err := parseID("relatedTo", *a.RelatedTo)
		if err != nil {
			return f, p, err
		}
		f.RelatedType, f.RelatedID = typ, id
	}
	if a.From != nil && a.To != nil && !a.From.Before(*a.To) {
		return f, p, errcode.BadInput("to", "to must be after from")
	}
	f.From, f.To = a.From, a.To
	return f, p, nil
}

func (r *Resolver) changes(ctx context.Context, a ChangesArgs) (*model.AuditEventConnection, error) {
	f, p, err := changeQuery(a)
	if err != nil {
		return nil, err
	}
	pg, err := r.store.Changes(ctx, f, p)
	if err != nil {
		return nil, err
	}
	return auditEventConnection(pg, func(ctx context.Context) (int, error) { return r.store.CountChanges(ctx, f) }), nil
}

// eventURL is the permalink of an event's subject; nil for a type without pages.
func (r *Resolver) eventURL(e *model.AuditEvent) *string {
	if permalink.Path(e.SubjectType, e.SubjectID) == "" {
		return nil
	}
	u := r.url(e.SubjectType, e.SubjectID)
	return &u
}

// entryState is the record's state inside an event's entry; nil for an event from before the
// log recorded states.
func entryState(entry string) model.JSON {
	var e struct {
		State json.RawMessage `json:"state"`
	}
	if json.Unmarshal([]byte(entry), &e) != nil || len(e.State) == 0 {
		return nil
	}
	return model.JSON(e.State)
}

// refKey names a record of one type for the last-change loader.
type refKey struct {
	typ string
	id  int64
}

func (l *Loaders) lastChange() *dataloadgen.Loader[refKey, db.LastChange] {
	return l.lastChangeL.get(func() *dataloadgen.Loader[refKey, db.LastChange] {
		return dataloadgen.NewMappedLoader(func(ctx context.Context, keys []refKey) (map[refKey]db.LastChange, error) {
			byType := map[string][]int64{}
			for _, k := range keys {
				byType[k.typ] = append(byType[k.typ], k.id)
			}
			out := make(map[refKey]db.LastChange, len(keys))
			for typ, ids := range byType {
				m, err := l.store.LastChanges(ctx, typ, ids)
				if err != nil {
					return nil, err
				}
				for id, c := range m {
					out[refKey{typ, id}] = c
				}
			}
			return out, nil
		}, l.opt)
	})
}

// lastChange is the latest event about a record; a record without one (none today: every
// write and import logs one) falls back to its own updatedAt and seq 0.
func lastChange(ctx context.Context, typ string, id int64, updatedAt time.Time) (db.LastChange, error) {
	c, err := loadersFrom(ctx).lastChange().Load(ctx, refKey{typ, id})
	if err == nil && c.Seq == 0 {
		c.At = updatedAt
	}
	return c, err
}

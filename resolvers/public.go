package resolvers

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/graph/model"
	"github.com/kolregistry/kolregistry/permalink"
	"github.com/kolregistry/kolregistry/registry"
)

// WithPublicBase makes the url fields absolute addresses under base (PUBLIC_BASE_URL).
func (r *Resolver) WithPublicBase(base permalink.Base) *Resolver {
	r.base = base
	return r
}

// url is the permalink of a record (docs/pages.md).
func (r *Resolver) url(typ, id string) string { return r.base.URL(typ, id) }

// langOf reads the lang argument (VI by default).
func langOf(l *model.Language) registry.Lang {
	if l != nil && *l == model.LanguageEn {
		return registry.EN
	}
	return registry.VI
}

// schema is the parsed schema, for the enums' values in their declared order.
var schema = sync.OnceValue(func() *ast.Schema { return graph.NewExecutableSchema(graph.Config{}).Schema() })

// enumLabels lists the labels of one enum's values (enum given) or of every enum's.
func enumLabels(enum *string, lang *model.Language) ([]*model.EnumValueLabel, error) {
	s := schema()
	var defs []*ast.Definition
	if enum != nil {
		d := s.Types[*enum]
		if d == nil || d.Kind != ast.Enum || isIntrospection(d.Name) {
			return nil, errcode.BadInput("enum", "%q is not an enum of this schema", *enum)
		}
		defs = append(defs, d)
	} else {
		for _, name := range slices.Sorted(maps.Keys(s.Types)) {
			if d := s.Types[name]; d.Kind == ast.Enum && !isIntrospection(name) {
				defs = append(defs, d)
			}
		}
	}
	l := langOf(lang)
	var out []*model.EnumValueLabel
	for _, d := range defs {
		for _, v := range d.EnumValues {
			e := &model.EnumValueLabel{Enum: d.Name, Value: v.Name, Label: v.Name, Description: v.Description}
			if lb, ok := registry.LabelOf(d.Name, v.Name); ok {
				e.Label, e.Description = lb.In(l), lb.DescriptionIn(l)
			}
			out = append(out, e)
		}
	}
	return out, nil
}

func isIntrospection(name string) bool { return len(name) > 1 && name[:2] == "__" }

// timelineOf resolves a timeline connection through its batched loader.
func timelineOf(ctx context.Context, owner db.TimelineOwner, id int64, first *int, after *string, last *int, before *string) (*model.TimelineEventConnection, error) {
	p, err := db.NewPage(first, last, after, before)
	if err != nil {
		return nil, err
	}
	l := loadersFrom(ctx)
	pg, err := l.timelineOf().Load(ctx, pageKey{parent: id, variant: string(owner), args: argsOf(p)})
	if err != nil {
		return nil, err
	}
	c := &model.TimelineEventConnection{Count: func(ctx context.Context) (int, error) {
		return l.timelineCountOf().Load(ctx, pageKey{parent: id, variant: string(owner)})
	}}
	c.Edges, c.Nodes, c.PageInfo = page(pg, toTimelineEvent, func(cur string, n *model.TimelineEvent) *model.TimelineEventEdge {
		return &model.TimelineEventEdge{Cursor: cur, Node: n}
	})
	return c, nil
}

func toTimelineEvent(e db.TimelineEvent) *model.TimelineEvent {
	m := &model.TimelineEvent{Kind: model.TimelineEventKind(e.Kind), On: e.On, RecordID: globalID(e.RecordType, e.RecordID), AuditSeq: e.Seq}
	if e.Precise {
		at := e.At.UTC().Truncate(time.Microsecond)
		m.At = &at
	}
	if e.Status != nil {
		s := model.SanctionStatus(*e.Status)
		m.Status = &s
	}
	return m
}

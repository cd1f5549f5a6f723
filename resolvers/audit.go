package resolvers

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/model"
)

func toAuditEvent(r db.AuditEvent) *model.AuditEvent {
	return &model.AuditEvent{
		Seq: r.Seq, At: r.At, ActorID: r.ActorID, Action: r.Action, SubjectType: r.SubjectType,
		SubjectDBID: r.SubjectID, SubjectID: globalID(r.SubjectType, r.SubjectID), Diff: model.JSON(r.Diff),
		PrevHash: r.PrevHash, Hash: r.Hash,
	}
}

func auditEventConnection(pg db.PageOf[db.AuditEvent], count model.Counter) *model.AuditEventConnection {
	c := &model.AuditEventConnection{Count: count}
	c.Edges, c.Nodes, c.PageInfo = page(pg, toAuditEvent, func(cur string, n *model.AuditEvent) *model.AuditEventEdge {
		return &model.AuditEventEdge{Cursor: cur, Node: n}
	})
	return c
}

// historyOf resolves an entity's history: its audit events, through the batched loader.
func historyOf(ctx context.Context, subjectType string, id int64, first *int, after *string) (*model.AuditEventConnection, error) {
	p, err := db.NewPage(first, nil, after, nil)
	if err != nil {
		return nil, err
	}
	l := loadersFrom(ctx)
	pg, err := l.historyOf().Load(ctx, pageKey{parent: id, variant: subjectType, args: argsOf(p)})
	if err != nil {
		return nil, err
	}
	return auditEventConnection(pg, func(ctx context.Context) (int, error) {
		return l.historyCountOf().Load(ctx, pageKey{parent: id, variant: subjectType})
	}), nil
}

// headMessage is what the registry signs: a copy of the chain can be checked against it offline.
func headMessage(seq int64, hash string, signedAt time.Time) []byte {
	return fmt.Appendf(nil, "kolregistry-head:%d:%s:%s", seq, hash, signedAt.UTC().Format(time.RFC3339))
}

// registryHead reads the chain's head and signs it when a key is configured.
func (r *Resolver) registryHead(ctx context.Context) (*model.RegistryHead, error) {
	h, err := r.store.AuditHead(ctx)
	if err != nil {
		return nil, err
	}
	out := &model.RegistryHead{Seq: h.Seq, Hash: h.Hash, SignedAt: time.Now().UTC().Truncate(time.Second)}
	if r.signingKey != nil {
		sig := base64.StdEncoding.EncodeToString(ed25519.Sign(r.signingKey, headMessage(h.Seq, h.Hash, out.SignedAt)))
		pub := base64.StdEncoding.EncodeToString(r.signingKey.Public().(ed25519.PublicKey))
		out.Signature, out.PublicKey = &sig, &pub
	}
	return out, nil
}

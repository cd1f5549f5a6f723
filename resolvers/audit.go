package resolvers

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/graph/model"
)

func toAuditEvent(r db.AuditEvent) *model.AuditEvent {
	return &model.AuditEvent{
		Seq: r.Seq, At: r.At, ActorID: r.ActorID, Action: r.Action, SubjectType: r.SubjectType,
		SubjectDBID: r.SubjectID, SubjectID: globalID(r.SubjectType, r.SubjectID), Diff: model.JSON(r.Diff),
		PrevHash: r.PrevHash, Hash: r.Hash, Entry: string(r.Entry), LeafHash: b64(r.LeafHash()),
	}
}

// b64 is a log hash as the API shows it: standard base64.
func b64(h tlog.Hash) string { return base64.StdEncoding.EncodeToString(h[:]) }

func b64s(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = b64(h)
	}
	return out
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
	cp, err := r.log.Checkpoint(h.TreeSize, h.Root)
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint: %w", err)
	}
	out := &model.RegistryHead{Seq: h.Seq, Hash: h.Hash, SignedAt: time.Now().UTC().Truncate(time.Second),
		TreeSize: h.TreeSize, RootHash: b64(h.Root), Checkpoint: string(cp)}
	if r.log.VerifierKey != "" {
		out.VerifierKey = &r.log.VerifierKey
	}
	if r.signingKey != nil {
		sig := base64.StdEncoding.EncodeToString(ed25519.Sign(r.signingKey, headMessage(h.Seq, h.Hash, out.SignedAt)))
		pub := base64.StdEncoding.EncodeToString(r.signingKey.Public().(ed25519.PublicKey))
		out.Signature, out.PublicKey = &sig, &pub
	}
	return out, nil
}

// proofError turns a proof asked out of the log's range into BAD_USER_INPUT.
func proofError(field string, err error) error {
	if errors.Is(err, db.ErrProofRange) {
		return errcode.BadInput(field, "%s: %v", field, err)
	}
	return err
}

func (r *Resolver) inclusionProof(ctx context.Context, seq int64, treeSize *int64) (*model.InclusionProof, error) {
	var size int64
	if treeSize != nil {
		if *treeSize < 1 {
			return nil, errcode.BadInput("treeSize", "treeSize must be at least 1")
		}
		size = *treeSize
	}
	p, size, root, ev, err := r.store.InclusionProof(ctx, seq, size)
	if err != nil {
		return nil, proofError("seq", err)
	}
	return &model.InclusionProof{Seq: seq, LeafIndex: seq - 1, TreeSize: size, RootHash: b64(root),
		LeafHash: b64(ev.LeafHash()), Hashes: b64s(p)}, nil
}

func (r *Resolver) consistencyProof(ctx context.Context, fromSize int64, toSize *int64) (*model.ConsistencyProof, error) {
	var to int64
	if toSize != nil {
		if *toSize < 1 {
			return nil, errcode.BadInput("toSize", "toSize must be at least 1")
		}
		to = *toSize
	}
	p, to, fromRoot, toRoot, err := r.store.ConsistencyProof(ctx, fromSize, to)
	if err != nil {
		return nil, proofError("fromSize", err)
	}
	return &model.ConsistencyProof{FromSize: fromSize, FromRootHash: b64(fromRoot), TreeSize: to, RootHash: b64(toRoot),
		Hashes: b64s(p)}, nil
}

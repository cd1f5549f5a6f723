package model

import (
	"context"
	"time"
)

// TimelineEvent carries the record it is about as a global ID: the record field resolves it
// through the dataloaders only when a client selects it.
type TimelineEvent struct {
	Kind     TimelineEventKind
	On       time.Time
	At       *time.Time
	RecordID string // global ID
	Status   *SanctionStatus
	AuditSeq *int64
}

type TimelineEventConnection struct {
	Edges    []*TimelineEventEdge
	Nodes    []*TimelineEvent
	PageInfo *PageInfo
	Count    Counter
}

func (c *TimelineEventConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

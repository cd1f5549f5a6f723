// Package events carries the registry's live alerts (GraphQL subscriptions) from the replica
// that committed a write to subscribers on every replica.
//
// A mutation resolver calls Bus.Publish after its transaction commits; a subscription resolver
// calls Bus.Subscribe with a filter and loads each announced record fresh from the primary.
// Events carry only IDs: what crosses Redis is never the record itself, so a subscriber always
// sees the committed row (and Redis never holds data it cannot rebuild).
//
// With a Redis client the Bus fans out through one Redis pub/sub channel, so a write on any
// replica reaches subscribers on all of them; without one it fans out inside the process.
// Delivery is best effort, at most once: an event published while Redis is unreachable is
// lost for other replicas, and a subscriber that falls behind by more than its buffer is ended
// (its channel closed) rather than allowed to slow the writers. Clients re-query on reconnect.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Kind names what happened; the values are the subscription fields' names.
type Kind string

// The kinds of event.
const (
	SanctionRecorded      Kind = "sanctionRecorded"
	SanctionStatusChanged Kind = "sanctionStatusChanged"
	DisclosureFiled       Kind = "disclosureFiled"
)

// Actions are the audit actions (mutations) whose commits announce each kind: a subscription
// that replays the past (afterSeq) reads these events of the audit trail.
var Actions = map[Kind][]string{
	SanctionRecorded:      {"recordSanction"},
	SanctionStatusChanged: {"changeSanctionStatus", "changeSanctionStanding", "recordSanctionExecution", "reviewSanction"},
	DisclosureFiled:       {"fileDisclosure"},
}

// Event announces one committed write. IDs are database ids, not global IDs.
type Event struct {
	Kind Kind `json:"k"`
	// ID is the sanction's or the disclosure's id.
	ID int64 `json:"id"`
	// InfluencerIDs are the influencers the record is about (a sanction's subject, a
	// disclosure's influencer); BrandIDs likewise.
	InfluencerIDs []int64 `json:"i,omitempty"`
	BrandIDs      []int64 `json:"b,omitempty"`

	// shared is this delivery's memo: one per event per process (see Shared).
	shared *Shared
}

// Shared is what every subscriber of one delivered event shares: the announced record is
// loaded once for all of them, not once each (a write that fans out to 5,000 subscriptions
// costs one read, not 5,000). It lives as long as the subscribers hold the event.
func (e Event) Shared() *Shared { return e.shared }

// Shared memoizes values per key for one delivered event.
type Shared struct {
	mu   sync.Mutex
	vals map[any]*sharedValue
}

type sharedValue struct {
	once sync.Once
	v    any
	err  error
}

// Do returns the value fn gives for key, calling fn once per key: concurrent callers wait for
// the first. A nil Shared (an event not delivered by a Bus) calls fn every time.
func (s *Shared) Do(key any, fn func() (any, error)) (any, error) {
	if s == nil {
		return fn()
	}
	s.mu.Lock()
	if s.vals == nil {
		s.vals = map[any]*sharedValue{}
	}
	v, ok := s.vals[key]
	if !ok {
		v = &sharedValue{}
		s.vals[key] = v
	}
	s.mu.Unlock()
	v.once.Do(func() { v.v, v.err = fn() })
	return v.v, v.err
}

// Filter selects events of one kind. Each list is "any of"; a nil list does not filter; the
// lists combine with AND (as the registry's query filters do).
type Filter struct {
	Kind          Kind
	InfluencerIDs []int64
	BrandIDs      []int64
}

func (f Filter) matches(e Event) bool {
	return e.Kind == f.Kind && anyOf(f.InfluencerIDs, e.InfluencerIDs) && anyOf(f.BrandIDs, e.BrandIDs)
}

func anyOf(want, have []int64) bool {
	if want == nil {
		return true
	}
	for _, id := range have {
		if slices.Contains(want, id) {
			return true
		}
	}
	return false
}

// Defaults of Options.
const (
	DefaultChannel        = "kolregistry:events"
	DefaultBuffer         = 64
	DefaultMaxSubscribers = 10000
	DefaultPublishTimeout = time.Second
)

// Options tune a Bus. A zero field takes its default.
type Options struct {
	// Channel is the Redis pub/sub channel; tests give each Bus pair their own.
	Channel string
	// Buffer is how many events a subscriber may fall behind before it is dropped.
	Buffer int
	// MaxSubscribers caps the subscriptions of this process.
	MaxSubscribers int
	// PublishTimeout bounds one PUBLISH.
	PublishTimeout time.Duration
	// Logger receives delivery problems; nil discards them.
	Logger *slog.Logger
}

// Errors of Subscribe.
var (
	// ErrTooManySubscribers: the process, or the connection (see WithConnectionLimit), holds
	// as many subscriptions as it may.
	ErrTooManySubscribers = errors.New("too many live subscriptions")
	// ErrClosed: the Bus was closed.
	ErrClosed = errors.New("event bus closed")
)

// Bus fans events out to subscribers. It is safe for concurrent use.
type Bus struct {
	client  redis.UniversalClient
	channel string
	buffer  int
	max     int
	timeout time.Duration
	logger  *slog.Logger

	mu     sync.Mutex
	subs   map[*Subscription]struct{}
	closed bool

	pubsub *redis.PubSub
	done   chan struct{}
	wg     sync.WaitGroup

	dropped atomic.Int64
}

// New returns a Bus over client, or an in-process Bus when client is nil. With a client it
// subscribes to the channel at once and waits up to PublishTimeout for Redis to confirm, so
// that an event published right after New returns is not missed; when Redis does not answer
// it logs a warning and go-redis keeps reconnecting in the background. Close it when done
// (the client stays open: it belongs to the caller).
func New(client redis.UniversalClient, o Options) *Bus {
	if o.Channel == "" {
		o.Channel = DefaultChannel
	}
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	if o.MaxSubscribers <= 0 {
		o.MaxSubscribers = DefaultMaxSubscribers
	}
	if o.PublishTimeout <= 0 {
		o.PublishTimeout = DefaultPublishTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	b := &Bus{
		client: client, channel: o.Channel, buffer: o.Buffer, max: o.MaxSubscribers,
		timeout: o.PublishTimeout, logger: o.Logger,
		subs: map[*Subscription]struct{}{}, done: make(chan struct{}),
	}
	if client == nil {
		return b
	}
	b.pubsub = client.Subscribe(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), o.PublishTimeout)
	defer cancel()
	err := b.pubsub.Subscribe(ctx, b.channel)
	if err == nil {
		// The first reply on the connection is Redis's confirmation of SUBSCRIBE.
		_, err = b.pubsub.Receive(ctx)
	}
	if err != nil {
		b.logger.Warn("live alerts: redis did not confirm the subscription; other replicas' events arrive once it answers",
			"channel", b.channel, "error", err.Error())
	}
	b.wg.Add(1)
	go b.listen(b.pubsub.Channel(redis.WithChannelSize(1024)))
	return b
}

// Distributed reports whether events reach other replicas (a Redis client was given).
func (b *Bus) Distributed() bool { return b.client != nil }

// Dropped is how many subscribers were ended for falling behind since New.
func (b *Bus) Dropped() int64 { return b.dropped.Load() }

// Publish announces a committed write. Call it only after the transaction commits. It never
// blocks on subscribers. With Redis the event goes to every replica through Redis; when
// Redis fails, it is still delivered to this process's subscribers and the error is returned
// (the write itself stands: callers log and carry on).
func (b *Bus) Publish(ctx context.Context, e Event) error {
	if b.client == nil {
		b.deliver(e)
		return nil
	}
	msg, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("publish %s %d: %w", e.Kind, e.ID, err)
	}
	// The client hanging up must not stop the announcement of what it committed.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.timeout)
	defer cancel()
	if err := b.client.Publish(ctx, b.channel, msg).Err(); err != nil {
		b.deliver(e)
		return fmt.Errorf("publish %s %d on redis: %w", e.Kind, e.ID, err)
	}
	return nil
}

func (b *Bus) listen(msgs <-chan *redis.Message) {
	defer b.wg.Done()
	for {
		select {
		case <-b.done:
			return
		case m, ok := <-msgs:
			if !ok {
				return
			}
			var e Event
			if err := json.Unmarshal([]byte(m.Payload), &e); err != nil || e.Kind == "" || e.ID <= 0 {
				b.logger.Warn("live alerts: ignoring a malformed message", "channel", m.Channel)
				continue
			}
			b.deliver(e)
		}
	}
}

// deliver hands e to every matching subscriber without ever waiting: one whose buffer is full
// is ended instead.
func (b *Bus) deliver(e Event) {
	e.shared = &Shared{}
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		if !s.filter.matches(e) {
			continue
		}
		select {
		case s.ch <- e:
		default:
			b.endLocked(s, true)
			b.dropped.Add(1)
			b.logger.Info("live alerts: dropped a subscriber that fell behind", "kind", string(s.filter.Kind), "buffer", b.buffer)
		}
	}
}

// Subscribe returns a subscription to the events f selects. It ends when ctx ends, when the
// subscriber falls behind, or when the Bus closes; then its channel is closed.
func (b *Bus) Subscribe(ctx context.Context, f Filter) (*Subscription, error) {
	slots := connSlotsFrom(ctx)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrClosed
	}
	if len(b.subs) >= b.max {
		return nil, ErrTooManySubscribers
	}
	if slots != nil && !slots.take() {
		return nil, ErrTooManySubscribers
	}
	s := &Subscription{filter: f, ch: make(chan Event, b.buffer), slots: slots}
	b.subs[s] = struct{}{}
	go func() {
		select {
		case <-ctx.Done():
		case <-b.done:
		}
		b.mu.Lock()
		b.endLocked(s, false)
		b.mu.Unlock()
	}()
	return s, nil
}

func (b *Bus) endLocked(s *Subscription, slow bool) {
	if _, ok := b.subs[s]; !ok {
		return
	}
	delete(b.subs, s)
	s.slow.Store(slow)
	close(s.ch)
	if s.slots != nil {
		s.slots.give()
	}
}

// Subscribers is how many subscriptions are open in this process.
func (b *Bus) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Close ends every subscription and the Redis subscription. The client stays open.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	close(b.done)
	b.mu.Unlock()
	var err error
	if b.pubsub != nil {
		err = b.pubsub.Close()
	}
	b.wg.Wait()
	return err
}

// Subscription is one subscriber's stream of events.
type Subscription struct {
	filter Filter
	ch     chan Event
	slots  *connSlots
	slow   atomic.Bool
}

// Events yields the matching events; it is closed when the subscription ends.
func (s *Subscription) Events() <-chan Event { return s.ch }

// Slow reports, once Events is closed, whether the subscription ended for falling behind.
func (s *Subscription) Slow() bool { return s.slow.Load() }

// connSlots counts one connection's subscriptions against its cap.
type connSlots struct {
	mu   sync.Mutex
	used int
	max  int
}

func (c *connSlots) take() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.used >= c.max {
		return false
	}
	c.used++
	return true
}

func (c *connSlots) give() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.used--
}

type connSlotsKey struct{}

// WithConnectionLimit marks ctx as one connection's: Subscribe with ctx or a context derived
// from it refuses more than max open subscriptions at a time.
func WithConnectionLimit(ctx context.Context, max int) context.Context {
	return context.WithValue(ctx, connSlotsKey{}, &connSlots{max: max})
}

func connSlotsFrom(ctx context.Context) *connSlots {
	c, _ := ctx.Value(connSlotsKey{}).(*connSlots)
	return c
}

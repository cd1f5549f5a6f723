package events

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// wait is how long a test waits for an event that must come; generous for a loaded machine.
const wait = 5 * time.Second

func next(t *testing.T, s *Subscription) Event {
	t.Helper()
	select {
	case e, ok := <-s.Events():
		if !ok {
			t.Fatal("subscription ended while an event was expected")
		}
		return e
	case <-time.After(wait):
		t.Fatal("no event within", wait)
	}
	return Event{}
}

func none(t *testing.T, s *Subscription, within time.Duration) {
	t.Helper()
	select {
	case e, ok := <-s.Events():
		if ok {
			t.Fatalf("unexpected event %+v", e)
		}
	case <-time.After(within):
	}
}

func subscribe(t *testing.T, ctx context.Context, b *Bus, f Filter) *Subscription {
	t.Helper()
	s, err := b.Subscribe(ctx, f)
	if err != nil {
		t.Fatalf("subscribe %+v: %v", f, err)
	}
	return s
}

func TestBus_FiltersByKindAndIDs(t *testing.T) {
	t.Parallel()
	b := New(nil, Options{})
	defer b.Close()
	ctx := t.Context()
	all := subscribe(t, ctx, b, Filter{Kind: SanctionRecorded})
	inf7 := subscribe(t, ctx, b, Filter{Kind: SanctionRecorded, InfluencerIDs: []int64{7, 8}})
	brand3ByInf7 := subscribe(t, ctx, b, Filter{Kind: DisclosureFiled, BrandIDs: []int64{3}, InfluencerIDs: []int64{7}})

	publish := func(e Event) {
		if err := b.Publish(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	publish(Event{Kind: SanctionRecorded, ID: 1, InfluencerIDs: []int64{9}})
	publish(Event{Kind: SanctionRecorded, ID: 2, BrandIDs: []int64{7}}) // a brand 7, not influencer 7
	publish(Event{Kind: SanctionRecorded, ID: 3, InfluencerIDs: []int64{8}})
	publish(Event{Kind: DisclosureFiled, ID: 4, InfluencerIDs: []int64{7}, BrandIDs: []int64{2}})
	publish(Event{Kind: DisclosureFiled, ID: 5, InfluencerIDs: []int64{6}, BrandIDs: []int64{3}})
	publish(Event{Kind: DisclosureFiled, ID: 6, InfluencerIDs: []int64{7}, BrandIDs: []int64{2, 3}})

	for _, want := range []int64{1, 2, 3} {
		if got := next(t, all).ID; got != want {
			t.Errorf("unfiltered subscriber got %d, want %d", got, want)
		}
	}
	if got := next(t, inf7).ID; got != 3 {
		t.Errorf("influencer subscriber got %d, want 3", got)
	}
	if got := next(t, brand3ByInf7).ID; got != 6 {
		t.Errorf("brand AND influencer subscriber got %d, want 6", got)
	}
	none(t, all, 50*time.Millisecond)
	none(t, inf7, 50*time.Millisecond)
	none(t, brand3ByInf7, 50*time.Millisecond)
}

func TestBus_DropsASlowSubscriberWithoutBlockingPublish(t *testing.T) {
	t.Parallel()
	b := New(nil, Options{Buffer: 2})
	defer b.Close()
	ctx := t.Context()
	slow := subscribe(t, ctx, b, Filter{Kind: SanctionRecorded})
	fast := subscribe(t, ctx, b, Filter{Kind: SanctionRecorded})

	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := int64(1); i <= 10; i++ {
			_ = b.Publish(ctx, Event{Kind: SanctionRecorded, ID: i})
			if got := next(t, fast).ID; got != i {
				t.Errorf("fast subscriber got %d, want %d", got, i)
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(wait):
		t.Fatal("Publish blocked on a subscriber that does not read")
	}
	var got []int64
	for e := range slow.Events() {
		got = append(got, e.ID)
	}
	if len(got) != 2 || !slow.Slow() {
		t.Errorf("slow subscriber: got %v, slow=%v; want its 2 buffered events, then the end", got, slow.Slow())
	}
	if fast.Slow() || b.Dropped() != 1 || b.Subscribers() != 1 {
		t.Errorf("fast slow=%v, dropped=%d, subscribers=%d; want false, 1, 1", fast.Slow(), b.Dropped(), b.Subscribers())
	}
}

func TestBus_CapsSubscriptionsPerProcessAndPerConnection(t *testing.T) {
	t.Parallel()
	b := New(nil, Options{MaxSubscribers: 3})
	defer b.Close()

	conn := WithConnectionLimit(t.Context(), 2)
	ctx1, cancel1 := context.WithCancel(conn)
	first := subscribe(t, ctx1, b, Filter{Kind: SanctionRecorded})
	subscribe(t, conn, b, Filter{Kind: DisclosureFiled})
	if _, err := b.Subscribe(conn, Filter{Kind: SanctionStatusChanged}); !errors.Is(err, ErrTooManySubscribers) {
		t.Fatalf("third subscription on a connection capped at 2: err = %v", err)
	}
	// Ending one frees its slot on the connection.
	cancel1()
	for range first.Events() {
	}
	subscribe(t, conn, b, Filter{Kind: SanctionStatusChanged})

	subscribe(t, t.Context(), b, Filter{Kind: SanctionRecorded}) // another connection: 3 in all
	if _, err := b.Subscribe(t.Context(), Filter{Kind: SanctionRecorded}); !errors.Is(err, ErrTooManySubscribers) {
		t.Fatalf("fourth subscription in a process capped at 3: err = %v", err)
	}
}

func TestBus_CloseEndsSubscriptions(t *testing.T) {
	t.Parallel()
	b := New(nil, Options{})
	s := subscribe(t, t.Context(), b, Filter{Kind: SanctionRecorded})
	b.Close()
	select {
	case _, ok := <-s.Events():
		if ok {
			t.Fatal("event after Close")
		}
	case <-time.After(wait):
		t.Fatal("subscription still open after Close")
	}
	if _, err := b.Subscribe(t.Context(), Filter{Kind: SanctionRecorded}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe after Close: err = %v", err)
	}
}

// testRedis connects to REDIS_URL or 127.0.0.1:6379. It skips when Redis does not answer,
// unless CI=true, where a missing Redis fails the run.
func testRedis(t *testing.T) redis.UniversalClient {
	t.Helper()
	opts := &redis.Options{Addr: "127.0.0.1:6379"}
	if u := os.Getenv("REDIS_URL"); u != "" {
		var err error
		if opts, err = redis.ParseURL(u); err != nil {
			t.Fatalf("REDIS_URL: %v", err)
		}
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("redis at %s: %v", opts.Addr, err)
		}
		t.Skipf("redis at %s does not answer (%v); set CI=true to fail instead", opts.Addr, err)
	}
	return c
}

func TestBus_RedisCarriesEventsBetweenProcesses(t *testing.T) {
	t.Parallel()
	channel := "kolregistry:test:" + rand.Text() + ":events"
	// Two clients, as two replicas would have.
	a := New(testRedis(t), Options{Channel: channel})
	defer a.Close()
	b := New(testRedis(t), Options{Channel: channel})
	defer b.Close()
	if !a.Distributed() {
		t.Fatal("a bus over Redis says it is not distributed")
	}
	onA := subscribe(t, t.Context(), a, Filter{Kind: SanctionRecorded})
	onB := subscribe(t, t.Context(), b, Filter{Kind: SanctionRecorded, InfluencerIDs: []int64{42}})

	if err := a.Publish(t.Context(), Event{Kind: SanctionRecorded, ID: 1, InfluencerIDs: []int64{41}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Publish(t.Context(), Event{Kind: SanctionRecorded, ID: 2, InfluencerIDs: []int64{42}}); err != nil {
		t.Fatal(err)
	}
	if e := next(t, onB); e.ID != 2 || len(e.InfluencerIDs) != 1 || e.InfluencerIDs[0] != 42 {
		t.Errorf("subscriber on B got %+v, want sanction 2 on influencer 42", e)
	}
	// The publisher's own subscribers get each event once, through Redis like everyone else.
	for _, want := range []int64{1, 2} {
		if got := next(t, onA).ID; got != want {
			t.Errorf("subscriber on A got %d, want %d", got, want)
		}
	}
	none(t, onA, 200*time.Millisecond)
	none(t, onB, 50*time.Millisecond)
}

package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/feed"
	"github.com/kolregistry/kolregistry/permalink"
)

// Defaults of Options.
const (
	DefaultWorkers     = 4
	DefaultPoll        = time.Second
	DefaultTimeout     = 10 * time.Second
	DefaultFirstRetry  = 5 * time.Second
	DefaultMaxRetry    = 4 * time.Hour
	DefaultRetryWindow = 25 * time.Hour
	// RotationGrace is how long a rotated-out secret keeps signing beside the new one.
	RotationGrace = 24 * time.Hour
	// maxResponseBody is how much of a receiver's answer is read (then the connection is reused).
	maxResponseBody = 4 << 10
)

// Options tune a Worker. A zero field takes its default.
type Options struct {
	// Workers is how many deliveries this process makes at once (each holds a database
	// connection for the length of one HTTP request).
	Workers int
	// Poll is how long an idle worker waits before looking at the outbox again.
	Poll time.Duration
	// Timeout bounds one delivery's HTTP request.
	Timeout time.Duration
	// FirstRetry is the wait after the first failure; each further failure doubles it, up to
	// MaxRetry. After RetryWindow since the first attempt the delivery is parked.
	FirstRetry, MaxRetry, RetryWindow time.Duration
	// AllowPrivate lets endpoints resolve to private addresses (WEBHOOK_ALLOW_PRIVATE=1): for
	// tests on loopback only.
	AllowPrivate bool
	// TLS configures the client (tests trust their receiver's certificate); nil: the system's.
	TLS *tls.Config
	// Base is where permalinks point.
	Base permalink.Base
	// Logger receives delivery failures; nil discards them.
	Logger *slog.Logger
	// OnDelivered, if set, is called after each successful delivery (benchmarks).
	OnDelivered func(db.DueDelivery)
}

// Worker delivers the outbox. Run it on every replica: they share the work through row locks.
type Worker struct {
	store  *db.DB
	o      Options
	client *http.Client
}

// New returns a worker over the store.
func New(store *db.DB, o Options) *Worker {
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.FirstRetry <= 0 {
		o.FirstRetry = DefaultFirstRetry
	}
	if o.MaxRetry <= 0 {
		o.MaxRetry = DefaultMaxRetry
	}
	if o.RetryWindow <= 0 {
		o.RetryWindow = DefaultRetryWindow
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	dialer := &net.Dialer{Timeout: o.Timeout, Control: dialControl(o.AllowPrivate)}
	transport := &http.Transport{
		DialContext:         dialer.DialContext,
		TLSClientConfig:     o.TLS,
		TLSHandshakeTimeout: o.Timeout,
		MaxIdleConnsPerHost: 2,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	client := &http.Client{
		Transport: transport,
		Timeout:   o.Timeout,
		// A redirect could lead anywhere: a receiver must answer at the URL it registered.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Worker{store: store, o: o, client: client}
}

// Run delivers until ctx ends. A delivery in flight when it ends is rolled back and stays
// pending (delivered again later: at least once).
func (w *Worker) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for range w.o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				found, err := w.store.DeliverNext(ctx, w.deliver)
				if err != nil && ctx.Err() == nil {
					w.o.Logger.Warn("webhook outbox", "error", err.Error())
				}
				if !found || err != nil {
					select {
					case <-ctx.Done():
					case <-time.After(w.o.Poll):
					}
				}
			}
		}()
	}
	wg.Wait()
}

// Message is the body of a delivery: Standard Webhooks' {type, timestamp, data}.
type Message struct {
	Type      string      `json:"type"`
	Timestamp string      `json:"timestamp"`
	Data      feed.Change `json:"data"`
}

// MessageID is the webhook-id of an event's deliveries: the same on every retry and replay,
// so that a receiver can drop a duplicate.
func MessageID(seq int64) string { return "kolregistry-" + strconv.FormatInt(seq, 10) }

// Body is the JSON body of the delivery of e.
func Body(e db.AuditEvent, base permalink.Base) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(Message{Type: "registry.change", Timestamp: e.At.UTC().Format(time.RFC3339Nano), Data: feed.NewChange(e, base)})
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}

// deliver makes one attempt and says what came of it.
func (w *Worker) deliver(ctx context.Context, d db.DueDelivery) db.Outcome {
	body, err := Body(d.Event, w.o.Base)
	if err != nil {
		return w.failed(d, 0, fmt.Errorf("body: %w", err))
	}
	now := time.Now()
	id := MessageID(d.Seq)
	var sigs []string
	for _, secret := range d.Endpoint.Secrets(now) {
		s, err := Sign(secret, id, now.Unix(), body)
		if err != nil {
			return w.failed(d, 0, err)
		}
		sigs = append(sigs, s)
	}
	if !w.o.AllowPrivate {
		if err := CheckURL(ctx, d.Endpoint.URL, false); err != nil {
			return w.failed(d, 0, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Endpoint.URL, bytes.NewReader(body))
	if err != nil {
		return w.failed(d, 0, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "kolregistry-webhooks/1")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	req.Header.Set("webhook-signature", strings.Join(sigs, " "))
	resp, err := w.client.Do(req)
	if err != nil {
		if errors.Is(err, ErrPrivateAddress) {
			err = ErrPrivateAddress // the URL's details stay out of the log shown to the subscriber
		}
		return w.failed(d, 0, err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBody))
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if w.o.OnDelivered != nil {
			w.o.OnDelivered(d)
		}
		return db.Outcome{Delivered: true, Status: resp.StatusCode}
	}
	return w.failed(d, resp.StatusCode, fmt.Errorf("the endpoint answered HTTP %d", resp.StatusCode))
}

// failed schedules the next attempt with exponential backoff, or parks the delivery once the
// retry window since the first attempt has passed.
func (w *Worker) failed(d db.DueDelivery, status int, err error) db.Outcome {
	msg := err.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	now := time.Now()
	first := now
	if d.FirstAttemptAt != nil {
		first = *d.FirstAttemptAt
	}
	out := db.Outcome{Status: status, Error: msg}
	if now.Sub(first) >= w.o.RetryWindow {
		w.o.Logger.Info("webhook delivery parked", "endpoint", d.EndpointID, "seq", d.Seq, "attempts", d.Attempts+1, "error", msg)
		return out
	}
	out.Retry = now.Add(Backoff(d.Attempts, w.o.FirstRetry, w.o.MaxRetry))
	return out
}

// Backoff is the wait after the attempts+1-th failure: first, doubled each time, at most max.
func Backoff(attempts int, first, max time.Duration) time.Duration {
	d := first
	for range attempts {
		if d >= max/2 {
			return max
		}
		d *= 2
	}
	return min(d, max)
}

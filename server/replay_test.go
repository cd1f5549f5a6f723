package server

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// A subscription with afterSeq first sends what matched after that seq, then live events:
// here sanctions are recorded while it starts, and every one after afterSeq arrives once, in
// order, whether it was replayed or live.
func TestLiveAlerts_AfterSeqReplaysWhatWasMissedThenLiveEvents(t *testing.T) {
	s := newFollowServer(t)
	a := s.registerInfluencer(t, "Replay Quỳnh")
	other := s.registerInfluencer(t, "Replay Other")
	s.recordSanction(t, a)
	after := headSeq(t, s.store) // the client handled everything up to here
	missed := []string{s.recordSanction(t, a)}
	s.recordSanction(t, other) // not about a
	missed = append(missed, s.recordSanction(t, a))

	ws := dialLive(t, s.URL, nil)
	done := make(chan []string)
	go func() { // writes racing the subscription's start
		var ids []string
		for range 4 {
			ids = append(ids, s.recordSanction(t, a))
			time.Sleep(5 * time.Millisecond)
		}
		done <- ids
	}()
	ws.subscribe(t, "r", fmt.Sprintf(`subscription { sanctionRecorded(influencerIds: [%q], afterSeq: %d) { id } }`, a, after))
	racing := <-done

	// Every sanction on a recorded after `after`, in seq order, as the feed lists them.
	var want []string
	for _, n := range s.walkChanges(t, after, map[string]any{"related": a, "actions": []string{"recordSanction"}}) {
		want = append(want, n.SubjectID)
	}
	if len(want) != len(missed)+len(racing) || !slices.Equal(want[:len(missed)], missed) {
		t.Fatalf("the feed lists %v after %d; wrote %v then %v", want, after, missed, racing)
	}
	var got []string
	for len(got) < len(want) {
		m := ws.next(t)
		if m.Type != "next" {
			t.Fatalf("unexpected %s: %s", m.Type, m.Payload)
		}
		var p struct {
			Data struct {
				S struct{ ID string } `json:"sanctionRecorded"`
			} `json:"data"`
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Data.S.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("received %v, want %v (replayed, then live, each once)", got, want)
	}
	// Nothing more comes: no repeat at the seam.
	select {
	case m := <-ws.msgs:
		t.Errorf("extra message after the last sanction: %s %s", m.Type, m.Payload)
	case <-time.After(300 * time.Millisecond):
	}
	// A later one is live.
	last := s.recordSanction(t, a)
	if m := ws.next(t); m.Type != "next" || !json.Valid(m.Payload) || !strings.Contains(string(m.Payload), last) {
		t.Errorf("live event after the replay: %s %s, want %s", m.Type, m.Payload, last)
	}
}

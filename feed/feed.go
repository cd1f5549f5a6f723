// Package feed renders the audit trail for those who follow the registry from outside
// (docs/mirrors.md): one change as a JSON object (a line of /export/changes.ndjson and the
// data of a webhook), and Atom feeds (RFC 4287) of recent changes under /feeds/.
package feed

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/permalink"
)

// Change is one audit event as mirrors and webhooks receive it.
type Change struct {
	Seq    int64  `json:"seq"`
	At     string `json:"at"`
	Actor  any    `json:"actor"` // the agency's global ID, null for the operator
	Action string `json:"action"`
	// Subject is the record written.
	Subject Subject `json:"subject"`
	// URL is the subject's permalink; empty for a type without pages.
	URL string `json:"url,omitempty"`
	// Diff is what changed: field → new value, or {"from", "to"}.
	Diff json.RawMessage `json:"diff"`
	// Record is the subject's full public state after the write (null for an event from
	// before the log recorded states).
	Record json.RawMessage `json:"record"`
	// Hash is the event's link in the hash chain, PrevHash the one before.
	PrevHash string `json:"prevHash"`
	Hash     string `json:"hash"`
}

// Subject names a record: its GraphQL type and global ID.
type Subject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// NewChange is e as a Change, its permalink under base.
func NewChange(e db.AuditEvent, base permalink.Base) Change {
	c := Change{
		Seq: e.Seq, At: e.At.UTC().Format(time.RFC3339Nano), Action: e.Action,
		Subject: Subject{Type: e.SubjectType, ID: db.GlobalID(e.SubjectType, e.SubjectID)},
		Diff:    e.Diff, Record: json.RawMessage("null"), PrevHash: e.PrevHash, Hash: e.Hash,
	}
	if e.ActorID != nil {
		c.Actor = db.GlobalID("Agency", *e.ActorID)
	}
	if permalink.Path(c.Subject.Type, c.Subject.ID) != "" {
		c.URL = base.URL(c.Subject.Type, c.Subject.ID)
	}
	var entry struct {
		State json.RawMessage `json:"state"`
	}
	if json.Unmarshal(e.Entry, &entry) == nil && len(entry.State) > 0 {
		c.Record = entry.State
	}
	if len(c.Diff) == 0 {
		c.Diff = json.RawMessage("{}")
	}
	return c
}

// Label is a short human name of the change's record, from its state: a display name, a
// name or a decision number, else its type and ID.
func (c Change) Label() string {
	var s struct {
		DisplayName    string `json:"displayName"`
		Name           string `json:"name"`
		DecisionNumber string `json:"decisionNumber"`
		Handle         string `json:"handle"`
		ProductName    string `json:"productName"`
	}
	_ = json.Unmarshal(c.Record, &s)
	for _, v := range []string{s.DecisionNumber, s.DisplayName, s.Name, s.Handle, s.ProductName} {
		if v != "" {
			return c.Subject.Type + " " + v
		}
	}
	return c.Subject.Type + " " + c.Subject.ID
}

// Atom is the head of a feed.
type Atom struct {
	// Path is the feed's own path, e.g. "/feeds/sanctions.atom": with the base it makes the
	// feed's id and its self link.
	Path  string
	Title string
	// Alternate is the page the feed follows (a permalink), or "".
	Alternate string
}

// MaxEntries is how many of the latest changes a feed carries.
const MaxEntries = 50

// Render writes the feed of changes (oldest first, as the store returns them; the feed lists
// them newest first). now dates an empty feed.
func (a Atom) Render(base permalink.Base, changes []Change, now time.Time) ([]byte, error) {
	f := atomFeed{
		NS:     "http://www.w3.org/2005/Atom",
		ID:     string(base) + a.Path,
		Title:  atomText{Type: "text", Text: a.Title},
		Author: &atomPerson{Name: "KOL Registry", URI: string(base) + "/"},
		Links:  []atomLink{{Rel: "self", Type: "application/atom+xml", Href: string(base) + a.Path}},
	}
	if a.Alternate != "" {
		f.Links = append(f.Links, atomLink{Rel: "alternate", Type: "text/html", Href: a.Alternate})
	}
	f.Updated = now.UTC().Format(time.RFC3339)
	host := "localhost"
	if u, err := url.Parse(string(base)); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	for i := len(changes) - 1; i >= 0; i-- {
		c := changes[i]
		at, err := time.Parse(time.RFC3339Nano, c.At)
		if err != nil {
			return nil, fmt.Errorf("feed entry %d: %w", c.Seq, err)
		}
		if i == len(changes)-1 {
			f.Updated = at.UTC().Format(time.RFC3339Nano)
		}
		diff, _ := json.MarshalIndent(json.RawMessage(c.Diff), "", "  ")
		e := atomEntry{
			// tag: URIs (RFC 4151) are unique per registry host and never change.
			ID:      "tag:" + host + ",2024:audit-event/" + strconv.FormatInt(c.Seq, 10),
			Title:   atomText{Type: "text", Text: c.Action + ": " + c.Label()},
			Updated: at.UTC().Format(time.RFC3339Nano),
			Summary: &atomText{Type: "text", Text: fmt.Sprintf("Audit event %d: %s of %s.", c.Seq, c.Action, c.Label())},
			Content: &atomText{Type: "text", Text: string(diff)},
		}
		if c.URL != "" {
			e.Links = []atomLink{{Rel: "alternate", Type: "text/html", Href: c.URL}}
		}
		e.Categories = []atomCategory{{Term: c.Action}, {Term: c.Subject.Type}}
		f.Entries = append(f.Entries, e)
	}
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(out, '\n')...), nil
}

type atomFeed struct {
	XMLName xml.Name    `xml:"feed"`
	NS      string      `xml:"xmlns,attr"`
	ID      string      `xml:"id"`
	Title   atomText    `xml:"title"`
	Updated string      `xml:"updated"`
	Author  *atomPerson `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Links      []atomLink     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    *atomText      `xml:"summary"`
	Content    *atomText      `xml:"content"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

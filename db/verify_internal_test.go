package db

import (
	"encoding/json"
	"testing"
)

// appendCanonical is the fast path of canonical for PostgreSQL's jsonb text: where it answers,
// it must answer exactly what canonical does, and it must decline what it cannot write as is.
func TestAppendCanonical_MatchesCanonical(t *testing.T) {
	for _, in := range []string{
		`{"id": "QWdlbmN5OjE", "name": "Cục Quảng cáo", "slug": "cqc", "kind": "MINISTRY", "nameEn": null, "createdAt": "2026-12-01T21:02:11.482113Z"}`,
		`{"b": [1, 2, {"z": true, "a": false}], "a": {}, "ab": [], "a!": "x", "a b": "<&>"}`,
		`{"fineVnd": 70000000, "neg": -5, "violations": [{"legalBasis": {"point": "đ", "clause": 5, "article": 34, "instrument": "38/2021/NĐ-CP"}, "category": "X"}]}`,
		`[]`, `"plain"`, `12`, `null`, `{"k": [null, true, false]}`,
	} {
		want, err := canonical(json.RawMessage(in))
		if err != nil {
			t.Fatalf("canonical(%s): %v", in, err)
		}
		got, ok := appendCanonical(nil, []byte(in))
		if !ok || string(got) != string(want) {
			t.Errorf("appendCanonical(%s) = %s, %v; canonical gives %s", in, got, ok, want)
		}
	}
	// What it leaves to canonical: escapes, U+2028, non-integers, duplicate keys, bad JSON.
	for _, in := range []string{
		`{"a": "line\nbreak"}`, `{"a": "quote \" inside"}`, "{\"a\": \"sep\u2028\"}", `{"a": 1.5}`, `{"a": 1e3}`,
		`{"a": 1, "a": 2}`, `{"a": }`, `{"a": 1`, `{"a" 1}`, `[1,]`, `tru`, `{"a": 1} x`,
	} {
		if got, ok := appendCanonical(nil, []byte(in)); ok {
			t.Errorf("appendCanonical(%s) = %s: want it to decline", in, got)
		}
	}
}

// sameJSON compares an entry's member with a column's jsonb text as values.
func TestSameJSON(t *testing.T) {
	for _, c := range []struct {
		member, column string
		same           bool
	}{
		{`{"a":1,"b":"x"}`, `{"b": "x", "a": 1}`, true},
		{`{"a":"\u003c"}`, `{"a": "<"}`, true}, // an entry from before the log, HTML-escaped
		{`{"a":1}`, `{"a": 2}`, false},
		{`{"a":1}`, `{"a": 1, "b": null}`, false},
	} {
		if got := sameJSON(json.RawMessage(c.member), []byte(c.column)); got != c.same {
			t.Errorf("sameJSON(%s, %s) = %v, want %v", c.member, c.column, got, c.same)
		}
	}
}

// scanEntry finds the members of an entry without decoding it, whatever their values hold.
func TestScanEntry(t *testing.T) {
	entry := `{"action":"recordSanction","actor":"QWdlbmN5OjE","at":"2026-12-01T21:02:11.482113Z",` +
		`"diff":{"note":"a \"quoted\" } brace","list":[1,{"x":"]"}]},"seq":2391,` +
		`"state":{"id":"U2FuY3Rpb246NjE","fineVnd":70000000},"subject":{"id":"U2FuY3Rpb246NjE","type":"Sanction"}}`
	var e entrySpans
	if !scanEntry([]byte(entry), &e) {
		t.Fatal("scanEntry refused a canonical entry")
	}
	for name, c := range map[string][2]string{
		"seq": {string(e.seq), `2391`}, "at": {string(e.at), `"2026-12-01T21:02:11.482113Z"`},
		"actor": {string(e.actor), `"QWdlbmN5OjE"`}, "action": {string(e.action), `"recordSanction"`},
		"diff":  {string(e.diff), `{"note":"a \"quoted\" } brace","list":[1,{"x":"]"}]}`},
		"state": {string(e.state), `{"id":"U2FuY3Rpb246NjE","fineVnd":70000000}`},
		"type":  {string(e.subjectType), `"Sanction"`}, "id": {string(e.subjectID), `"U2FuY3Rpb246NjE"`},
	} {
		if c[0] != c[1] {
			t.Errorf("%s: %s, want %s", name, c[0], c[1])
		}
	}
	for _, bad := range []string{`{"seq":1`, `{"seq":1}}`, `["seq",1]`, `{"seq" 1}`, `{"a":"unterminated}`} {
		if scanEntry([]byte(bad), &entrySpans{}) {
			t.Errorf("scanEntry accepted %s", bad)
		}
	}
}

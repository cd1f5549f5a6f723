package server

import "testing"

func TestValidJSONText(t *testing.T) {
	for _, c := range []struct {
		text string
		want bool
	}{
		{`{"q": "Hà Nội 🏃"}`, true},
		{`{"q": "\u0048\u00e0 \ud83c\udfc3"}`, true}, // a surrogate pair is one scalar value
		{`{"q": "\\ud800"}`, true},                   // an escaped backslash, then text
		{`{"q": "\"\\"}`, true},
		{"{\"q\": \"\xff\"}", false},     // not UTF-8
		{"{\"q\": \"\xc3\"}", false},     // truncated sequence
		{`{"q": "\ud800"}`, false},       // lone high surrogate
		{`{"q": "\ud800\u0041"}`, false}, // high surrogate, then not a low one
		{`{"q": "\udc00"}`, false},       // lone low surrogate
		{`{"q": "\u12"}`, true},          // malformed escape: left to the JSON decoder
	} {
		if got := validJSONText([]byte(c.text)); got != c.want {
			t.Errorf("validJSONText(%q) = %v, want %v", c.text, got, c.want)
		}
	}
}

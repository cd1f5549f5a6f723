package db

import (
	"bytes"
	"strconv"
)

// entrySpans are the raw bytes of the members of an entry that verify compares.
type entrySpans struct {
	seq, at, actor, action, subjectType, subjectID, diff, state []byte
}

// scanEntry locates the members of an entry of the log's own form (one JSON object, keys
// without escapes) without building them: each member's value is skipped over, and only its
// bytes kept. It is the fast path of check: what it finds is only used when it is byte for
// byte what the columns say, and anything else goes through json.Unmarshal.
func scanEntry(b []byte, e *entrySpans) bool {
	p := jsonText{src: b}
	return p.members(func(key []byte, val []byte) bool {
		switch string(key) {
		case "seq":
			e.seq = val
		case "at":
			e.at = val
		case "actor":
			e.actor = val
		case "action":
			e.action = val
		case "diff":
			e.diff = val
		case "state":
			e.state = val
		case "subject":
			q := jsonText{src: val}
			return q.members(func(k, v []byte) bool {
				switch string(k) {
				case "type":
					e.subjectType = v
				case "id":
					e.subjectID = v
				}
				return true
			}) && q.i == len(val)
		}
		return true
	}) && p.i == len(b)
}

// members calls fn with each member of the object at p.i: its key (without quotes) and the
// bytes of its value.
func (p *jsonText) members(fn func(key, val []byte) bool) bool {
	p.space()
	if p.i >= len(p.src) || p.src[p.i] != '{' {
		return false
	}
	p.i++
	p.space()
	if p.i < len(p.src) && p.src[p.i] == '}' {
		p.i++
		return true
	}
	for {
		p.space()
		if p.i >= len(p.src) || p.src[p.i] != '"' {
			return false
		}
		k, ok := p.str()
		if !ok {
			return false
		}
		p.space()
		if p.i >= len(p.src) || p.src[p.i] != ':' {
			return false
		}
		p.i++
		p.space()
		start := p.i
		if !p.skip() {
			return false
		}
		if !fn(k[1:len(k)-1], p.src[start:p.i]) {
			return false
		}
		p.space()
		if p.i >= len(p.src) {
			return false
		}
		switch p.src[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return true
		default:
			return false
		}
	}
}

// skip moves p.i past the value at p.i (strings with any escapes, nested objects and arrays).
func (p *jsonText) skip() bool {
	if p.i >= len(p.src) {
		return false
	}
	switch p.src[p.i] {
	case '"':
		for j := p.i + 1; j < len(p.src); j++ {
			switch p.src[j] {
			case '\\':
				j++
			case '"':
				p.i = j + 1
				return true
			}
		}
		return false
	case '{', '[':
		depth := 0
		for j := p.i; j < len(p.src); j++ {
			switch p.src[j] {
			case '"':
				p.i = j
				if !p.skip() {
					return false
				}
				j = p.i - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					p.i = j + 1
					return true
				}
			}
		}
		return false
	default:
		j := p.i
		for j < len(p.src) && !bytes.ContainsRune([]byte(" \t\n\r,]}"), rune(p.src[j])) {
			j++
		}
		if j == p.i {
			return false
		}
		p.i = j
		return true
	}
}

// checkFast is check's fast path for an entry of the log's own form: true when every member
// is exactly what the columns make (then the state digest is set); false sends the entry to
// the slow path, which decides.
func (b *eventBatch) checkFast(i int, withStates bool, scratch *[]byte) bool {
	var e entrySpans
	if !scanEntry(b.entry[i], &e) || e.state == nil || string(e.state) == "null" {
		return false
	}
	quoted := func(span []byte, s string) bool {
		return len(span) == len(s)+2 && span[0] == '"' && string(span[1:len(span)-1]) == s
	}
	buf := (*scratch)[:0]
	buf = strconv.AppendInt(buf, b.seq[i], 10)
	if !bytes.Equal(e.seq, buf) || !quoted(e.action, b.action[i]) || !quoted(e.subjectType, b.subjectType[i]) ||
		!quoted(e.subjectID, GlobalID(b.subjectType[i], b.subjectID[i])) {
		return false
	}
	if b.actor[i].Valid {
		if !quoted(e.actor, GlobalID("Agency", b.actor[i].Int64)) {
			return false
		}
	} else if e.actor != nil && string(e.actor) != "null" {
		return false
	}
	buf = append(buf[:0], '"')
	buf = b.at[i].UTC().AppendFormat(buf, entryTime)
	buf = append(buf, '"')
	if !bytes.Equal(e.at, buf) {
		return false
	}
	var ok bool
	if buf, ok = appendCanonical(buf[:0], b.diff[i]); !ok || !bytes.Equal(buf, e.diff) {
		return false
	}
	*scratch = buf
	if withStates {
		b.state[i], b.hasState[i] = digest(e.state), true
	}
	return true
}

package db

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestCompactJSON_IsWhatJSONMarshalWrites: compactJSON's output of Postgres's json text (as
// json_build_object writes it: spaces after ':' and ',', \b \f \n \r \t \" \\ and \u00xx
// escapes, everything else raw UTF-8) is a fixed point of json.Marshal of a json.RawMessage,
// so the transport may copy it as the response's data (server.marshalResponse).
func TestCompactJSON_IsWhatJSONMarshalWrites(t *testing.T) {
	pg := []string{
		`{"a" : 1, "b" : [1, 2, {"c" : null}], "d" : true}`,
		`{"s" : "<b>&amp; 'x' > y"}`,
		"{\"s\" : \"line\u2028sep\u2029par \u2027 \u202a é 🙂\"}",
		`{"s" : "\b\f\n\r\t \" \\ / \u0001\u001f\u000b"}`,
		`{"s" : "ends with escape \\"}`,
		`{"nested" : {"x" : [{"y" : "<&>"}, {"z" : "\u001a"}]}, "empty" : [], "o" : {}}`,
		"{\"raw\" : \"\xe2\x80\"}", // a truncated U+2028 at the end of a string
	}
	for _, in := range pg {
		got := compactJSON([]byte(in))
		want, err := json.Marshal(json.RawMessage(got))
		if err != nil {
			t.Fatalf("%s: %v (compactJSON wrote %s)", in, err, got)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\ncompactJSON  %s\njson.Marshal %s", in, got, want)
		}
		var a, b any
		if json.Unmarshal([]byte(in), &a) != nil || json.Unmarshal(got, &b) != nil {
			t.Fatalf("%s: not JSON", in)
		}
		if ja, _ := json.Marshal(a); !bytes.Equal(ja, mustMarshal(b)) {
			t.Errorf("%s: compactJSON changed the value: %s", in, got)
		}
	}
}

func mustMarshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// TestCompactJSON_SameAsByteByByte: compactJSON, which copies runs of plain bytes whole, writes
// what the byte-by-byte loop it replaced wrote (kept below as the reference), on random
// documents in Postgres's json style made of the bytes that matter (quotes, backslashes,
// escapes, <>&, U+2028/9 and their prefixes, spaces, non-ASCII).
func TestCompactJSON_SameAsByteByByte(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "Z", "0", " ", "<", ">", "&", "\u2028", "\u2029", "\xe2\x80", "\xe2", "é", "🙂",
		`\"`, `\\`, `\n`, `\t`, `\b`, `\f`, `\r`, `\u001f`, `\u000b`, `\u00e9`, "/", ":", ","}
	str := func() string {
		var b strings.Builder
		b.WriteByte('"')
		for n := r.IntN(12); n > 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		b.WriteByte('"')
		return b.String()
	}
	var value func(depth int) string
	value = func(depth int) string {
		switch k := r.IntN(6); {
		case depth > 3 || k == 0:
			return str()
		case k == 1:
			return []string{"1", "-2.5e3", "true", "false", "null"}[r.IntN(5)]
		case k == 2:
			var parts []string
			for n := r.IntN(4); n > 0; n-- {
				parts = append(parts, value(depth+1))
			}
			return "[" + strings.Join(parts, ", ") + "]"
		default:
			var parts []string
			for n := r.IntN(4); n > 0; n-- {
				parts = append(parts, str()+" : "+value(depth+1))
			}
			return "{" + strings.Join(parts, ", ") + "}"
		}
	}
	for n := 0; n < 20000; n++ {
		in := []byte(value(0))
		if got, want := compactJSON(in), compactJSONByteByByte(in); !bytes.Equal(got, want) {
			t.Fatalf("%q:\ngot  %q\nwant %q", in, got, want)
		}
	}
}

func compactJSONByteByByte(src []byte) []byte {
	const hexUpper = "0123456789ABCDEF"
	const hexLower = "0123456789abcdef"
	dst := make([]byte, 0, len(src)+len(src)/16)
	inString := false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if !inString {
			switch c {
			case ' ', '\n', '\t', '\r':
				continue
			case '"':
				inString = true
			}
			dst = append(dst, c)
			continue
		}
		switch c {
		case '"':
			inString = false
			dst = append(dst, c)
		case '\\':
			if i+1 >= len(src) {
				return append(dst, src[i:]...)
			}
			i++
			switch e := src[i]; e {
			case 'b':
				dst = append(dst, `\u0008`...)
			case 'f':
				dst = append(dst, `\u000C`...)
			case 'u':
				dst = append(dst, '\\', 'u')
				for k := 1; k <= 4 && i+1 < len(src); k++ {
					i++
					h := src[i]
					if h >= 'a' && h <= 'f' {
						h = hexUpper[h-'a'+10]
					}
					dst = append(dst, h)
				}
			default:
				dst = append(dst, '\\', e)
			}
		case '<', '>', '&':
			dst = append(dst, '\\', 'u', '0', '0', hexLower[c>>4], hexLower[c&0xF])
		case 0xE2: // U+2028 and U+2029 are E2 80 A8 and E2 80 A9
			if i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8 {
				dst = append(dst, '\\', 'u', '2', '0', '2', hexLower[src[i+2]&0xF])
				i += 2
				continue
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

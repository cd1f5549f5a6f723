package db

import (
	"bytes"
	"encoding/json"
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

package server

import (
	"bytes"
	"encoding/json"
	"testing"
)

// The export's own JSON writer (appendJSON) writes exactly the bytes json.Marshal would, for
// every kind of value an export holds, including the strings encoding/json escapes.
func TestExport_AppendJSONWritesWhatJSONMarshalWrites(t *testing.T) {
	strs := []string{"", "plain", "Nguyễn Thị Hương", "Đà Nẵng – Hội An", `quote " here`, `back\slash`,
		"tab\there", "new\nline", "\x00nul", "\x1f", "\x7f del", "<script>", "a & b", "x > y",
		"line\u2028sep", "para\u2029sep", "bad \xff utf8", "emoji 😀", "=SUM(A1)", "'apostrophe'"}
	vals := []any{nil, int64(0), int64(-42), int64(9_223_372_036_854_775_807), true, false,
		[]string(nil), []string{}, strs, 3.5}
	for _, s := range strs {
		vals = append(vals, s)
	}
	for _, v := range vals {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendJSON([]byte("prefix"), v)
		if err != nil {
			t.Fatalf("%#v: %v", v, err)
		}
		if !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Errorf("%#v: wrote %s, json.Marshal writes %s", v, got[len("prefix"):], want)
		}
	}
}

package server

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestMarshalResponse_AsJSONMarshal: the copy of compact data gives json.Marshal's bytes, and
// whatever it cannot copy (errors, no data, data not marked compact) goes through json.Marshal.
func TestMarshalResponse_AsJSONMarshal(t *testing.T) {
	data, _ := json.Marshal(map[string]any{"sanctions": map[string]any{"nodes": []any{
		map[string]any{"id": "U2FuY3Rpb246MQ", "fineVnd": 70000000, "text": "<a & b> \u2028 \"q\" \\ é"}}}})
	hasNext := true
	cases := map[string]struct {
		resp    graphql.Response
		compact bool
	}{
		"compiled, cost":      {graphql.Response{Data: data, Extensions: map[string]any{"cost": 21}}, true},
		"compiled, no ext":    {graphql.Response{Data: data}, true},
		"compiled, two exts":  {graphql.Response{Data: data, Extensions: map[string]any{"cost": 3, "a": []int{1}}}, true},
		"not marked":          {graphql.Response{Data: json.RawMessage(`{ "a" : 1 }`), Extensions: map[string]any{"cost": 1}}, false},
		"errors":              {graphql.Response{Data: data, Errors: gqlerror.List{{Message: "x"}}}, true},
		"no data":             {graphql.Response{Extensions: map[string]any{"cost": 0}}, true},
		"incremental payload": {graphql.Response{Data: data, HasNext: &hasNext}, true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(&c.resp)
			if err != nil {
				t.Fatal(err)
			}
			got, err := marshalResponse(&c.resp, c.compact)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
}

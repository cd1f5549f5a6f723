package server

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/auth"
)

// A refused write says why in English by default, in Vietnamese when Accept-Language asks for
// it or the field's lang argument does (which wins over the header); code keeps its value and
// messageCode names the sentence in the catalogue, the same in both languages.
func TestWrites_UserErrorMessageInTheRequestsLanguage(t *testing.T) {
	s := newWriteServer(t, Config{})
	tok, err := auth.Issue(s.key.priv, auth.TokenRequest{Agency: s.agency.Slug, Scopes: []string{auth.ScopeBrandsWrite}, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	const doc = `mutation($input: RegisterBrandInput!) { registerBrand(input: $input) {
	  brand { id } userErrors { field code messageCode message vi: message(lang: VI) en: message(lang: EN) } } }`
	type userError struct {
		Field                      []string
		Code, MessageCode, Message string
		VI, EN                     string
	}
	refuse := func(header ...string) userError {
		t.Helper()
		in := map[string]any{"input": map[string]any{"name": "   ", "industry": "COSMETICS"}}
		r := s.query(t, doc, in, append([]string{"Authorization", "Bearer " + tok}, header...)...)
		var d struct {
			RegisterBrand struct {
				Brand      *struct{ ID string }
				UserErrors []userError
			}
		}
		if err := json.Unmarshal(r.gql.Data, &d); err != nil || len(r.gql.Errors) > 0 || len(d.RegisterBrand.UserErrors) != 1 {
			t.Fatalf("HTTP %d %s", r.status, r.body)
		}
		if d.RegisterBrand.Brand != nil {
			t.Fatalf("a blank name was registered: %s", r.body)
		}
		return d.RegisterBrand.UserErrors[0]
	}
	en := refuse()
	if en.Code != "INVALID" || en.MessageCode != "REQUIRED" || en.Message != "is required" || en.EN != en.Message {
		t.Errorf("default: %+v", en)
	}
	if en.VI != "là bắt buộc" {
		t.Errorf("lang: VI says %q", en.VI)
	}
	vi := refuse("Accept-Language", "vi-VN,vi;q=0.9,en;q=0.8")
	if vi.Message != "là bắt buộc" || vi.Code != en.Code || vi.MessageCode != en.MessageCode || vi.EN != "is required" {
		t.Errorf("Accept-Language vi: %+v", vi)
	}
	if fr := refuse("Accept-Language", "fr-FR,en;q=0.5"); fr.Message != "is required" {
		t.Errorf("Accept-Language fr then en: %+v", fr)
	}
	if de := refuse("Accept-Language", "de"); de.Message != "is required" {
		t.Errorf("Accept-Language de (neither): %+v", de)
	}
}

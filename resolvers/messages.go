package resolvers

import (
	"context"
	"net/http"

	"github.com/kolregistry/kolregistry/graph/model"
	"github.com/kolregistry/kolregistry/registry"
)

// The language of the sentences meant for people (UserError.message): the field's lang
// argument, else the request's Accept-Language when it names Vietnamese or English first,
// else English, the API's default (docs/pages.md, "Messages").

type messageLangKey struct{}

// MessageLanguage puts the language the request's Accept-Language asks for, if any, in its
// context for UserError.message.
func MessageLanguage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if lang, ok := registry.AcceptLanguage(r.Header.Get("Accept-Language")); ok {
			r = r.WithContext(context.WithValue(r.Context(), messageLangKey{}, lang))
		}
		next.ServeHTTP(w, r)
	})
}

// messageLang is lang when given, else the request's, else English.
func messageLang(ctx context.Context, lang *model.Language) registry.Lang {
	if lang != nil {
		return registry.ParseLang(string(*lang))
	}
	if l, ok := ctx.Value(messageLangKey{}).(registry.Lang); ok {
		return l
	}
	return registry.EN
}

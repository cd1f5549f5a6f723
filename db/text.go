package db

import (
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/lib/pq"
)

// ValidText says whether Postgres can store s in a text or jsonb column of this UTF-8
// database: valid UTF-8 and no NUL character (U+0000), which text types cannot hold. Every
// string a client sends is checked against it before it reaches the store
// (docs/input.md).
func ValidText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// BadTextMessage is what a client is told about text ValidText refuses.
const BadTextMessage = "contains a NUL character (U+0000) or invalid UTF-8, which the registry cannot store"

// IsBadText reports whether err is Postgres refusing text that is not valid in its encoding
// (character_not_in_repertoire, untranslatable_character): the backstop for text that reached
// the store unchecked. It is the client's input, not an internal fault.
func IsBadText(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && (pqErr.Code == "22021" || pqErr.Code == "22P05")
}

// VietnameseCollation orders names as Vietnamese readers expect — ICU's Vietnamese collation:
// "Anh" < "Ánh" < "Bình", "D" < "Đ" < "E" — where byte order puts every accented letter after
// "z". Appended to a name column in an order (and so in its keyset cursor); the indexes are in
// migration 0141.
const VietnameseCollation = ` COLLATE "vi-x-icu"`

// likeEscape makes s match itself literally inside a LIKE pattern (the default escape is \).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

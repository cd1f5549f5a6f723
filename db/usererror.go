package db

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/kolregistry/kolregistry/registry"
	"github.com/lib/pq"
)

// User error codes of a mutation payload.
const (
	Invalid         = "INVALID"
	NotFound        = "NOT_FOUND"
	Duplicate       = "DUPLICATE"
	VersionConflict = "VERSION_CONFLICT"
	NotOwner        = "NOT_OWNER"
)

// UserError is a reason a write was refused that the caller can fix. Field is the path of the
// input at fault, e.g. ["input", "violations", "2", "legalBasis", "article"]; Message is a
// code of the message catalogue (registry/messages.go) with its arguments, written in the
// request's language by the API.
type UserError struct {
	Field   []string
	Message registry.Message
	Code    string
}

// UserErrors is returned by a write that was refused; nothing was written.
type UserErrors []UserError

func (e UserErrors) Error() string {
	msgs := make([]string, len(e))
	for i, u := range e {
		msgs[i] = strings.Join(u.Field, ".") + ": " + u.Message.String()
	}
	return "refused: " + strings.Join(msgs, "; ")
}

// AsUserErrors returns the user errors inside err, if that is what it is.
func AsUserErrors(err error) (UserErrors, bool) {
	var u UserErrors
	ok := errors.As(err, &u)
	return u, ok
}

// checks collects the user errors of one input; the write proceeds only when there are none.
type checks struct{ errs UserErrors }

func (c *checks) add(code string, msg registry.Message, field ...string) {
	c.errs = append(c.errs, UserError{Field: append([]string{"input"}, field...), Message: msg, Code: code})
}

func (c *checks) invalid(msg registry.Message, field ...string) { c.add(Invalid, msg, field...) }

// err returns the collected errors, or nil.
func (c *checks) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return c.errs
}

var (
	decisionNumberRe = regexp.MustCompile(`^[0-9]{1,6}/QĐ-[A-ZĐ0-9-]{2,20}$`)
	taxCodeRe        = regexp.MustCompile(`^[0-9]{10}([0-9]{3})?$`)
	sha256Re         = regexp.MustCompile(`^[0-9a-f]{64}$`)
	handleRe         = regexp.MustCompile(`^[\p{L}\p{N}._-]{1,100}$`)
)

// requireText checks a required string and returns it trimmed.
func (c *checks) requireText(s string, max int, field ...string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		c.invalid(registry.Msg("REQUIRED"), field...)
	case len([]rune(s)) > max:
		c.invalid(registry.Msg("TOO_LONG", max), field...)
	}
	return s
}

// optionalText trims an optional string; empty becomes nil.
func (c *checks) optionalText(s *string, max int, field ...string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	if t == "" {
		return nil
	}
	if len([]rune(t)) > max {
		c.invalid(registry.Msg("TOO_LONG", max), field...)
	}
	return &t
}

func (c *checks) url(s *string, field ...string) *string {
	s = c.optionalText(s, 2000, field...)
	if s == nil {
		return nil
	}
	u, err := url.Parse(*s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		c.invalid(registry.Msg("NOT_HTTP_URL"), field...)
	}
	return s
}

// pattern checks an optional string against re with one error (too long or malformed), not two.
func (c *checks) pattern(s *string, max int, re *regexp.Regexp, msg registry.Message, field ...string) *string {
	n := len(c.errs)
	s = c.optionalText(s, max, field...)
	if s != nil && len(c.errs) == n && !re.MatchString(*s) {
		c.invalid(msg, field...)
	}
	return s
}

// province checks a province code against today's list of provinces (registry.ProvinceProblem):
// influencers and MCNs are where they are now, so a code merged on 1 July 2025 is refused with
// its successor, and a name is told its code.
func (c *checks) province(s *string, field ...string) *string {
	n := len(c.errs)
	s = c.optionalText(s, 40, field...)
	if s != nil && len(c.errs) == n {
		if problem := registry.ProvinceProblem(*s, nil); problem.Code != "" {
			c.invalid(problem, field...)
		}
	}
	return s
}

func (c *checks) taxCode(s *string, field ...string) *string {
	return c.pattern(s, 13, taxCodeRe, registry.Msg("TAX_CODE_FORMAT"), field...)
}

func (c *checks) decisionNumber(s string, field ...string) string {
	s = c.requireText(s, 40, field...)
	if s != "" && !decisionNumberRe.MatchString(s) {
		c.invalid(registry.Msg("DECISION_NUMBER_FORMAT"), field...)
	}
	return s
}

func (c *checks) sha256(s *string, field ...string) *string {
	n := len(c.errs)
	s = c.optionalText(s, 64, field...)
	if s != nil {
		l := strings.ToLower(*s)
		s = &l
		if len(c.errs) == n && !sha256Re.MatchString(l) {
			c.invalid(registry.Msg("SHA256_FORMAT"), field...)
		}
	}
	return s
}

// requireDate checks that a required date was given (the zero time is "not given").
func (c *checks) requireDate(d time.Time, field ...string) bool {
	if d.IsZero() {
		c.invalid(registry.Msg("REQUIRED"), field...)
		return false
	}
	return true
}

// notFuture checks a date against today in Vietnam (a decision dated tomorrow does not exist yet).
func (c *checks) notFuture(d time.Time, field ...string) {
	today := time.Now().In(VietnamTime)
	if d.After(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)) {
		c.invalid(registry.Msg("IN_FUTURE"), field...)
	}
}

func (c *checks) fine(v int64, field ...string) {
	if v < 0 || v > 1<<53-1 {
		c.invalid(registry.Msg("FINE_RANGE"), field...)
	}
}

// NormalizeHandle strips surrounding space and a leading @ and lowercases the handle: handles
// compare case-insensitively (platform_account_handle is unique on lower(handle)), and one
// spelling is stored so that "@BepNhaMinh" and "bepnhaminh" are the same account.
func NormalizeHandle(h string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(h), "@"))
}

func (c *checks) handle(h string, field ...string) string {
	h = NormalizeHandle(h)
	if !handleRe.MatchString(h) {
		c.invalid(registry.Msg("HANDLE_FORMAT"), field...)
	}
	return h
}

// constraintError turns a constraint violation into a user error on field, or returns nil.
func constraintError(err error, field []string) error {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return nil
	}
	full := append([]string{"input"}, field...)
	switch pqErr.Code {
	case "23505": // unique_violation
		return UserErrors{{Field: full, Message: registry.Msg("ALREADY_REGISTERED"), Code: Duplicate}}
	case "23P01": // exclusion_violation
		return UserErrors{{Field: full, Message: registry.Msg("EXCLUSIVE_OVERLAP"), Code: Invalid}}
	}
	return nil
}

// mustExist is a NOT_FOUND user error when ok is false; what names the record (a registry.Term).
func (c *checks) mustExist(ok bool, what registry.Term, field ...string) {
	if !ok {
		c.add(NotFound, registry.Msg("DOES_NOT_EXIST", what), field...)
	}
}

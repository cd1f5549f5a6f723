package model

import "github.com/kolregistry/kolregistry/registry"

// UserError is why a mutation did not write. Msg is a code of the message catalogue with its
// arguments; the resolver of message writes it in the request's language.
type UserError struct {
	Field []string
	Code  UserErrorCode
	Msg   registry.Message
}

// MessageCode is the catalogue code of the message.
func (e *UserError) MessageCode() string { return e.Msg.Code }

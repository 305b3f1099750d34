// Package lastmile holds the domain of the lastmile delivery platform: the
// stations, fleet, orders, plans, stops and events a delivery station lives
// with all day, the rules that keep them consistent (validation, the stop
// state machine, failed-delivery policies) and the interfaces of the
// services that store or move them (stores, blob store).
//
// The package imports the standard library only. Adapters live in
// sub-packages (store/sqlite, store/postgres, httpapi) and only the command
// knows every concrete type.
package lastmile

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in httpapi's single table.
const (
	EInvalid      = "invalid"                // bad input; Error.Field names the field
	ENotFound     = "not_found"              // no such resource (or not visible to the caller)
	EConflict     = "conflict"               // duplicate, or stale version on update
	ETransition   = "illegal_transition"     // the state machine refuses the change
	EUnauthorized = "unauthorized"           // no or unknown credentials
	EForbidden    = "forbidden"              // known caller, not allowed
	ETooLarge     = "too_large"              // body or upload over its limit
	EUnsupported  = "unsupported_media_type" // wrong content type or file type
	EUnavailable  = "unavailable"            // a dependency (database) is down
	ERateLimited  = "rate_limited"           // too many requests: slow down
	EInternal     = "internal"               // our fault; the message is generic
)

// Error is a domain error with a code, the offending field (a JSON path
// such as "parcels[2].barcode") and a message meant for the caller.
type Error struct {
	Code    string
	Field   string
	Message string
	Err     error // optional cause
}

func (e *Error) Error() string {
	s := e.Code
	if e.Field != "" {
		s += ": " + e.Field
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error with a formatted message.
func Errorf(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Invalidf builds an EInvalid error naming field.
func Invalidf(field, format string, args ...any) *Error {
	return Errorf(EInvalid, field, format, args...)
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the message to show the caller: the domain error's
// message, or a generic one for internal errors so that our faults leak no
// detail.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EInternal {
		if e.Message != "" {
			return e.Message
		}
		return e.Code
	}
	return "internal error"
}

// ErrorField returns the field of the first *Error in err's chain.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// prefixField returns err with its field prefixed by prefix ("orders[3]"),
// or err unchanged when it is not an *Error.
func prefixField(prefix string, err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	switch {
	case c.Field == "":
		c.Field = prefix
	case c.Field[0] == '[':
		c.Field = prefix + c.Field
	default:
		c.Field = prefix + "." + c.Field
	}
	return &c
}

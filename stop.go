package lastmile

import (
	"sort"
	"strings"
	"time"
)

// Stop statuses: the state machine every order follows through the day.
const (
	StatusPending            = "pending"             // received, not in a published plan
	StatusPlanned            = "planned"             // on a published route
	StatusLoaded             = "loaded"              // every parcel scanned into the vehicle
	StatusOutForDelivery     = "out_for_delivery"    // the route is dispatched
	StatusArrived            = "arrived"             // the driver is at the door
	StatusDelivered          = "delivered"           // handed over (or, for a return, collected), with proof
	StatusFailed             = "failed"              // the attempt failed, with a reason
	StatusReattemptScheduled = "reattempt_scheduled" // will be planned again
	StatusRedirected         = "redirected"          // waiting at a pickup point or locker, until collected (delivered) or taken back (returned)
	StatusReturned           = "returned"            // back at the station
	StatusCancelled          = "cancelled"           // withdrawn before dispatch
)

// transitions lists, for each status, the statuses it may move to.
var transitions = map[string][]string{
	StatusPending:            {StatusPlanned, StatusCancelled},
	StatusPlanned:            {StatusLoaded, StatusPending, StatusCancelled},
	StatusLoaded:             {StatusOutForDelivery, StatusPlanned},
	StatusOutForDelivery:     {StatusArrived},
	StatusArrived:            {StatusDelivered, StatusFailed},
	StatusFailed:             {StatusReattemptScheduled, StatusRedirected, StatusReturned},
	StatusReattemptScheduled: {StatusPlanned, StatusCancelled},
	StatusRedirected:         {StatusDelivered, StatusReturned}, // collected at the point, or taken back
	StatusReturned:           {},
	StatusDelivered:          {},
	StatusCancelled:          {},
}

// Statuses returns every stop status, sorted.
func Statuses() []string {
	s := make([]string, 0, len(transitions))
	for k := range transitions {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// ValidStatus reports whether s is a stop status.
func ValidStatus(s string) bool { _, ok := transitions[s]; return ok }

// CanTransition reports whether the state machine allows from → to.
func CanTransition(from, to string) bool {
	for _, t := range transitions[from] {
		if t == to {
			return true
		}
	}
	return false
}

// Plannable reports whether an order in status s may be put on a new plan.
func Plannable(s string) bool { return s == StatusPending || s == StatusReattemptScheduled }

// Failure reasons.
const (
	ReasonNotHome      = "not_home"
	ReasonWrongAddress = "wrong_address"
	ReasonAccessDenied = "access_denied"
	ReasonRefused      = "refused"
	ReasonDamaged      = "damaged"
	ReasonOTPMismatch  = "otp_mismatch"
)

var failureReasons = map[string]bool{ReasonNotHome: true, ReasonWrongAddress: true, ReasonAccessDenied: true,
	ReasonRefused: true, ReasonDamaged: true, ReasonOTPMismatch: true}

// ValidFailureReason reports whether r is a failure reason.
func ValidFailureReason(r string) bool { return failureReasons[r] }

// Transition moves o to status to at time now, or refuses with an
// ETransition error naming the field "status". It keeps the bookkeeping
// that goes with each status: attempts, failure reason, closing time.
func (o *Order) Transition(to, reason string, now time.Time) error {
	if !ValidStatus(to) {
		return Invalidf("status", "%q is not a stop status (one of %s)", to, strings.Join(Statuses(), ", "))
	}
	if !CanTransition(o.Status, to) {
		allowed := transitions[o.Status]
		if len(allowed) == 0 {
			return Errorf(ETransition, "status", "order %s is %s, a final status", o.ID, o.Status)
		}
		return Errorf(ETransition, "status", "order %s is %s and cannot become %s (allowed: %s)",
			o.ID, o.Status, to, strings.Join(allowed, ", "))
	}
	switch to {
	case StatusFailed:
		if !ValidFailureReason(reason) {
			return Invalidf("reason", "%q is not a failure reason (not_home, wrong_address, access_denied, refused, damaged, otp_mismatch)", reason)
		}
		o.Attempts++
		o.FailureReason = reason
	case StatusDelivered:
		o.Attempts++
		o.ClosedAt = &now
	case StatusReturned, StatusCancelled, StatusRedirected:
		o.ClosedAt = &now
	case StatusPending:
		o.PlanID, o.RouteID = "", ""
	case StatusPlanned:
		for i := range o.Parcels {
			o.Parcels[i].LoadedAt = nil
		}
	}
	o.Status = to
	o.UpdatedAt = now
	return nil
}

// ApplyPolicy decides what follows a failed attempt under the station's
// failure policy, moves o there and returns the new status: a reattempt the
// next day, a redirect to a pickup point, or a return to the station once
// the attempts are used up (or the address is wrong or the parcel refused
// or damaged, when no further attempt can succeed).
func (o *Order) ApplyPolicy(p FailurePolicy, loc *time.Location, now time.Time) (string, error) {
	if o.Status != StatusFailed {
		return "", Errorf(ETransition, "status", "order %s is %s, not failed", o.ID, o.Status)
	}
	next := StatusReattemptScheduled
	switch {
	case o.FailureReason == ReasonRefused || o.FailureReason == ReasonDamaged:
		next = StatusReturned
	case o.Attempts >= max(p.MaxAttempts, 1):
		next = StatusReturned
	case p.Action == PolicyReturn:
		next = StatusReturned
	case p.Action == PolicyRedirect && o.FailureReason != ReasonWrongAddress:
		next = StatusRedirected
	}
	if err := o.Transition(next, "", now); err != nil {
		return "", err
	}
	switch next {
	case StatusRedirected:
		o.RedirectTo = p.RedirectTo
	case StatusReattemptScheduled:
		o.ServiceDate = now.In(loc).AddDate(0, 0, 1).Format(DateLayout)
		o.PlanID, o.RouteID = "", ""
		if o.Window != nil {
			o.Window, o.ServiceLevel = nil, NextDay
		}
	}
	return next, nil
}

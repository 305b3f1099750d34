package lastmile

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Order kinds.
const (
	KindDelivery = "delivery" // from the station to the recipient
	KindReturn   = "return"   // picked up at the customer, back to the station
)

// Service levels.
const (
	SameDay   = "same_day"
	NextDay   = "next_day"
	Scheduled = "scheduled" // delivered inside Window
)

// DateLayout is the layout of service dates.
const DateLayout = "2006-01-02"

// Order is one delivery (or return pickup) at one address. In a plan an
// order is one stop; its Status follows the stop state machine.
type Order struct {
	ID           string    `json:"id"`
	StationID    string    `json:"station_id"`
	ExternalID   string    `json:"external_id"`
	Kind         string    `json:"kind"`
	Recipient    Recipient `json:"recipient"`
	Address      Address   `json:"address"`
	Parcels      []Parcel  `json:"parcels"`
	ServiceLevel string    `json:"service_level"`
	// ServiceDate is the local date the order is due (YYYY-MM-DD); derived
	// from the service level when empty.
	ServiceDate    string   `json:"service_date"`
	Window         *Window  `json:"window,omitempty"`
	ServiceSeconds int64    `json:"service_seconds"` // time at the door (default 180)
	Skills         []string `json:"skills,omitempty"`
	Instructions   string   `json:"instructions,omitempty"`
	OTPRequired    bool     `json:"otp_required"`
	// Notify holds the recipient's notification preferences (nil: email
	// and SMS when the address or number is known, no quiet hours).
	Notify *NotifyPrefs `json:"notify,omitempty"`
	// SafePlace is where the recipient allows the parcel to be left.
	SafePlace string `json:"safe_place,omitempty"`

	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	FailureReason string     `json:"failure_reason,omitempty"`
	RedirectTo    string     `json:"redirect_to,omitempty"` // pickup point after a redirect
	PlanID        string     `json:"plan_id,omitempty"`
	RouteID       string     `json:"route_id,omitempty"`
	TrackingToken string     `json:"tracking_token,omitempty"`
	OTPHash       string     `json:"otp_hash,omitempty"` // sha256 of the OTP issued at dispatch; never shown
	POD           *POD       `json:"pod,omitempty"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"` // delivered, returned or cancelled
	Erased        bool       `json:"erased,omitempty"`    // personal data removed
	Version       int64      `json:"version"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// NotifyPrefs are a recipient's notification preferences.
type NotifyPrefs struct {
	// Channels the recipient wants: email, sms (empty: none).
	Channels []string `json:"channels"`
	// QuietStart and QuietEnd ("HH:MM", the station's time) hold messages
	// back overnight; equal or empty: no quiet hours.
	QuietStart string `json:"quiet_start,omitempty"`
	QuietEnd   string `json:"quiet_end,omitempty"`
}

// Validate checks preferences; fields are relative to the preferences.
func (p *NotifyPrefs) Validate() error {
	for i, c := range p.Channels {
		if c != ChannelEmail && c != ChannelSMS {
			return Invalidf(fmt.Sprintf("channels[%d]", i), "%q is not email or sms", c)
		}
	}
	if (p.QuietStart == "") != (p.QuietEnd == "") {
		return Invalidf("quiet_end", "quiet_start and quiet_end go together")
	}
	if p.QuietStart != "" {
		if _, err := ParseClock(p.QuietStart); err != nil {
			return Invalidf("quiet_start", "%v", err)
		}
		if _, err := ParseClock(p.QuietEnd); err != nil {
			return Invalidf("quiet_end", "%v", err)
		}
	}
	return nil
}

// Recipient is who receives (or hands over) the parcels.
type Recipient struct {
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Address is where the stop is. Coordinates are taken as given; geocoding
// is the Geocoder's job before the order reaches the store.
type Address struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
	Location   Point  `json:"location"`
}

// Parcel is one labelled package of an order.
type Parcel struct {
	Barcode   string     `json:"barcode"`
	WeightG   int64      `json:"weight_g"`
	VolumeCM3 int64      `json:"volume_cm3"`
	LoadedAt  *time.Time `json:"loaded_at,omitempty"` // scanned into the vehicle
}

// Window is a delivery time window.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// POD is an electronic proof of delivery.
type POD struct {
	RecipientName  string    `json:"recipient_name"`
	Photos         []string  `json:"photos,omitempty"`    // blob keys
	Signature      string    `json:"signature,omitempty"` // blob key
	OTPVerified    bool      `json:"otp_verified"`
	At             time.Time `json:"at"`
	Position       *Point    `json:"position,omitempty"`
	DistanceM      float64   `json:"distance_m"`
	FarFromAddress bool      `json:"far_from_address"`
	// Request identifies the upload that made this proof when it was sent
	// with an Idempotency-Key, so that a retry after a crash between the
	// proof's commit and the answer is recognised (never shown).
	Request string `json:"request,omitempty"`
}

// Geocoder turns an address into coordinates. Orders whose address has no
// coordinates are geocoded before they are stored.
type Geocoder interface {
	Geocode(ctx context.Context, a Address) (Point, error)
}

// Limits of an order.
const (
	MaxParcels      = 200
	MaxExternalID   = 128
	MaxTextField    = 1000
	MaxParcelWeight = 1_000_000 // grams
)

// Normalize fills defaults. now and loc give the service date of same-day
// and next-day orders and of scheduled orders without one.
func (o *Order) Normalize(now time.Time, loc *time.Location) {
	o.ExternalID = strings.TrimSpace(o.ExternalID)
	if o.Kind == "" {
		o.Kind = KindDelivery
	}
	if o.ServiceLevel == "" {
		if o.Window != nil {
			o.ServiceLevel = Scheduled
		} else {
			o.ServiceLevel = NextDay
		}
	}
	if o.ServiceSeconds == 0 {
		o.ServiceSeconds = 180
	}
	o.Skills = normSkills(o.Skills)
	if o.ServiceDate == "" {
		local := now.In(loc)
		switch o.ServiceLevel {
		case SameDay:
			o.ServiceDate = local.Format(DateLayout)
		case NextDay:
			o.ServiceDate = local.AddDate(0, 0, 1).Format(DateLayout)
		case Scheduled:
			if o.Window != nil {
				o.ServiceDate = o.Window.Start.In(loc).Format(DateLayout)
			}
		}
	}
	if o.Status == "" {
		o.Status = StatusPending
	}
}

// Validate checks a normalized order (not its station's existence).
func (o *Order) Validate() error {
	if o.StationID == "" {
		return Invalidf("station_id", "required")
	}
	if o.ExternalID == "" {
		return Invalidf("external_id", "required")
	}
	if len(o.ExternalID) > MaxExternalID || !utf8.ValidString(o.ExternalID) {
		return Invalidf("external_id", "longer than %d bytes or not UTF-8", MaxExternalID)
	}
	if o.Kind != KindDelivery && o.Kind != KindReturn {
		return Invalidf("kind", "%q is not delivery or return", o.Kind)
	}
	if strings.TrimSpace(o.Recipient.Name) == "" {
		return Invalidf("recipient.name", "required")
	}
	if o.Recipient.Email != "" {
		if a, err := mail.ParseAddress(o.Recipient.Email); err != nil || a.Address != o.Recipient.Email {
			return Invalidf("recipient.email", "%q is not an email address", o.Recipient.Email)
		}
	}
	if p := o.Recipient.Phone; p != "" {
		if len(p) > 32 || strings.Trim(p, "+0123456789 -().") != "" {
			return Invalidf("recipient.phone", "%q is not a phone number", p)
		}
	}
	for f, v := range map[string]string{"recipient.name": o.Recipient.Name, "address.line1": o.Address.Line1,
		"instructions": o.Instructions, "address.line2": o.Address.Line2, "address.city": o.Address.City} {
		if len(v) > MaxTextField || !utf8.ValidString(v) {
			return Invalidf(f, "longer than %d bytes or not UTF-8", MaxTextField)
		}
	}
	if strings.TrimSpace(o.Address.Line1) == "" {
		return Invalidf("address.line1", "required")
	}
	if err := o.Address.Location.Validate(); err != nil {
		return prefixField("address.location", err)
	}
	if len(o.Parcels) == 0 {
		return Invalidf("parcels", "at least one parcel is required")
	}
	if len(o.Parcels) > MaxParcels {
		return Invalidf("parcels", "%d parcels, at most %d", len(o.Parcels), MaxParcels)
	}
	seen := map[string]bool{}
	for i, p := range o.Parcels {
		f := fmt.Sprintf("parcels[%d]", i)
		if p.Barcode == "" || len(p.Barcode) > 64 || strings.ContainsAny(p.Barcode, " \t\r\n") {
			return Invalidf(f+".barcode", "%q is not a barcode (1 to 64 characters, no spaces)", p.Barcode)
		}
		if seen[p.Barcode] {
			return Invalidf(f+".barcode", "%q is used twice in this order", p.Barcode)
		}
		seen[p.Barcode] = true
		if p.WeightG < 0 || p.WeightG > MaxParcelWeight {
			return Invalidf(f+".weight_g", "%d is not in [0, %d]", p.WeightG, MaxParcelWeight)
		}
		if p.VolumeCM3 < 0 || p.VolumeCM3 > 10_000_000 {
			return Invalidf(f+".volume_cm3", "%d is not in [0, 10000000]", p.VolumeCM3)
		}
	}
	switch o.ServiceLevel {
	case SameDay, NextDay:
		if o.Window != nil && !o.Window.End.After(o.Window.Start) {
			return Invalidf("window.end", "not after window.start")
		}
	case Scheduled:
		if o.Window == nil {
			return Invalidf("window", "required for a scheduled order")
		}
		if !o.Window.End.After(o.Window.Start) {
			return Invalidf("window.end", "not after window.start")
		}
		if o.Window.End.Sub(o.Window.Start) > 24*time.Hour {
			return Invalidf("window", "longer than 24 hours")
		}
	default:
		return Invalidf("service_level", "%q is not same_day, next_day or scheduled", o.ServiceLevel)
	}
	if _, err := time.Parse(DateLayout, o.ServiceDate); err != nil {
		return Invalidf("service_date", "%q is not a date YYYY-MM-DD", o.ServiceDate)
	}
	if o.ServiceSeconds < 0 || o.ServiceSeconds > 4*3600 {
		return Invalidf("service_seconds", "%d is not in [0, 14400]", o.ServiceSeconds)
	}
	if err := validSkills("skills", o.Skills); err != nil {
		return err
	}
	if o.Notify != nil {
		if err := o.Notify.Validate(); err != nil {
			return prefixField("notify", err)
		}
	}
	if len(o.SafePlace) > MaxTextField || !utf8.ValidString(o.SafePlace) {
		return Invalidf("safe_place", "longer than %d bytes or not UTF-8", MaxTextField)
	}
	if _, ok := transitions[o.Status]; !ok {
		return Invalidf("status", "%q is not a stop status", o.Status)
	}
	return nil
}

// Weight returns the total weight of the parcels in grams.
func (o *Order) Weight() (g, cm3 int64) {
	for _, p := range o.Parcels {
		g += p.WeightG
		cm3 += p.VolumeCM3
	}
	return g, cm3
}

// Erase removes the recipient's personal data, keeping the delivery record.
func (o *Order) Erase() {
	o.Recipient = Recipient{Name: "(erased)"}
	o.Instructions = ""
	o.SafePlace = ""
	if o.POD != nil {
		o.POD.RecipientName = "(erased)"
		o.POD.Photos = nil
		o.POD.Signature = ""
	}
	o.Erased = true
}

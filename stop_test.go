package lastmile

import (
	"testing"
	"time"
)

func TestTransitions(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		path   []string // statuses to walk through from pending
		reason string
		ok     bool
	}{
		{"happy path", []string{StatusPlanned, StatusLoaded, StatusOutForDelivery, StatusArrived, StatusDelivered}, "", true},
		{"fail then reattempt", []string{StatusPlanned, StatusLoaded, StatusOutForDelivery, StatusArrived, StatusFailed, StatusReattemptScheduled, StatusPlanned}, ReasonNotHome, true},
		{"deliver before arriving", []string{StatusPlanned, StatusLoaded, StatusOutForDelivery, StatusDelivered}, "", false},
		{"skip loading", []string{StatusPlanned, StatusOutForDelivery}, "", false},
		{"pending to delivered", []string{StatusDelivered}, "", false},
		{"delivered is final", []string{StatusPlanned, StatusLoaded, StatusOutForDelivery, StatusArrived, StatusDelivered, StatusFailed}, ReasonNotHome, false},
		{"fail without reason", []string{StatusPlanned, StatusLoaded, StatusOutForDelivery, StatusArrived, StatusFailed}, "", false},
		{"fail before arriving", []string{StatusPlanned, StatusLoaded, StatusOutForDelivery, StatusFailed}, ReasonNotHome, false},
		{"cancel pending", []string{StatusCancelled}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &Order{ID: "o1", Status: StatusPending}
			var err error
			for _, s := range tt.path {
				if err = o.Transition(s, tt.reason, now); err != nil {
					break
				}
			}
			if (err == nil) != tt.ok {
				t.Fatalf("walk %v: err = %v, want ok=%v", tt.path, err, tt.ok)
			}
			if err != nil {
				if c := ErrorCode(err); c != ETransition && c != EInvalid {
					t.Errorf("code %q, want %s or %s", c, ETransition, EInvalid)
				}
				if ErrorField(err) == "" {
					t.Errorf("error %v names no field", err)
				}
			}
		})
	}
}

func TestApplyPolicy(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		policy   FailurePolicy
		reason   string
		attempts int
		want     string
	}{
		{"reattempt", FailurePolicy{Action: PolicyReattempt, MaxAttempts: 3}, ReasonNotHome, 0, StatusReattemptScheduled},
		{"attempts used up", FailurePolicy{Action: PolicyReattempt, MaxAttempts: 3}, ReasonNotHome, 2, StatusReturned},
		{"redirect", FailurePolicy{Action: PolicyRedirect, MaxAttempts: 3, RedirectTo: "L1"}, ReasonAccessDenied, 0, StatusRedirected},
		{"wrong address is not redirected", FailurePolicy{Action: PolicyRedirect, MaxAttempts: 3, RedirectTo: "L1"}, ReasonWrongAddress, 0, StatusReattemptScheduled},
		{"refused goes back", FailurePolicy{Action: PolicyReattempt, MaxAttempts: 3}, ReasonRefused, 0, StatusReturned},
		{"return policy", FailurePolicy{Action: PolicyReturn, MaxAttempts: 3}, ReasonNotHome, 0, StatusReturned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &Order{ID: "o1", Status: StatusArrived, Attempts: tt.attempts, ServiceDate: "2026-03-02"}
			if err := o.Transition(StatusFailed, tt.reason, now); err != nil {
				t.Fatal(err)
			}
			got, err := o.ApplyPolicy(tt.policy, time.UTC, now)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || o.Status != tt.want {
				t.Fatalf("got %s (status %s), want %s", got, o.Status, tt.want)
			}
			if got == StatusReattemptScheduled && o.ServiceDate != "2026-03-03" {
				t.Errorf("service date %s, want the next day", o.ServiceDate)
			}
			if got == StatusRedirected && o.RedirectTo != "L1" {
				t.Errorf("redirect_to %q", o.RedirectTo)
			}
		})
	}
}

func validOrder() *Order {
	return &Order{StationID: "st_1", ExternalID: "A-1", Recipient: Recipient{Name: "Ada", Email: "ada@example.com", Phone: "+33 6 12 34 56 78"},
		Address: Address{Line1: "1 rue de la Paix", Location: Point{Lat: 43.73, Lon: 7.42}},
		Parcels: []Parcel{{Barcode: "P1", WeightG: 1000}}}
}

func TestOrderValidate(t *testing.T) {
	now := time.Date(2026, 3, 2, 23, 30, 0, 0, time.UTC) // 00:30 on the 3rd in Paris
	paris, _ := time.LoadLocation("Europe/Paris")
	tests := []struct {
		name  string
		edit  func(o *Order)
		field string // "" means valid
	}{
		{"valid", func(o *Order) {}, ""},
		{"no external id", func(o *Order) { o.ExternalID = " " }, "external_id"},
		{"no name", func(o *Order) { o.Recipient.Name = "" }, "recipient.name"},
		{"bad email", func(o *Order) { o.Recipient.Email = "nope" }, "recipient.email"},
		{"bad phone", func(o *Order) { o.Recipient.Phone = "call me" }, "recipient.phone"},
		{"bad lat", func(o *Order) { o.Address.Location.Lat = 91 }, "address.location.lat"},
		{"null island", func(o *Order) { o.Address.Location = Point{} }, "address.location"},
		{"no parcels", func(o *Order) { o.Parcels = nil }, "parcels"},
		{"duplicate barcode", func(o *Order) { o.Parcels = append(o.Parcels, Parcel{Barcode: "P1"}) }, "parcels[1].barcode"},
		{"negative weight", func(o *Order) { o.Parcels[0].WeightG = -1 }, "parcels[0].weight_g"},
		{"scheduled without window", func(o *Order) { o.ServiceLevel = Scheduled }, "window"},
		{"reversed window", func(o *Order) {
			o.Window = &Window{Start: now.Add(2 * time.Hour), End: now.Add(time.Hour)}
		}, "window.end"},
		{"bad level", func(o *Order) { o.ServiceLevel = "asap" }, "service_level"},
		{"bad kind", func(o *Order) { o.Kind = "gift" }, "kind"},
		{"bad skill", func(o *Order) { o.Skills = []string{"two person"} }, "skills[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := validOrder()
			tt.edit(o)
			o.Normalize(now, paris)
			err := o.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if o.ServiceDate != "2026-03-04" {
					t.Errorf("next-day service date at 00:30 Paris time = %s, want 2026-03-04", o.ServiceDate)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one on %s", tt.field)
			}
			if ErrorCode(err) != EInvalid || ErrorField(err) != tt.field {
				t.Fatalf("error %v: code %s field %q, want invalid on %q", err, ErrorCode(err), ErrorField(err), tt.field)
			}
		})
	}
}

func TestStationValidate(t *testing.T) {
	base := func() *Station {
		return &Station{Name: "Monaco", Location: Point{Lat: 43.73, Lon: 7.42}, TimeZone: "Europe/Monaco",
			OpeningHours: []OpeningHours{{Day: "Mon", Open: "07:00", Close: "20:00"}}}
	}
	tests := []struct {
		name  string
		edit  func(s *Station)
		field string
	}{
		{"valid", func(s *Station) {}, ""},
		{"bad zone", func(s *Station) { s.TimeZone = "Mars/Olympus" }, "time_zone"},
		{"bad day", func(s *Station) { s.OpeningHours[0].Day = "funday" }, "opening_hours[0].day"},
		{"closes before opening", func(s *Station) { s.OpeningHours[0].Close = "06:00" }, "opening_hours[0].close"},
		{"bad clock", func(s *Station) { s.OpeningHours[0].Open = "7h" }, "opening_hours[0].open"},
		{"redirect nowhere", func(s *Station) { s.FailurePolicy.Action = PolicyRedirect }, "failure_policy.redirect_to"},
		{"locker kind", func(s *Station) {
			s.PickupPoints = []PickupPoint{{ID: "L1", Kind: "box", Location: s.Location}}
		}, "pickup_points[0].kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.edit(s)
			s.Normalize()
			err := s.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				open, close, ok := s.Hours(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) // a Monday
				if !ok || open != 7*3600 || close != 20*3600 {
					t.Errorf("Hours(Monday) = %d, %d, %v", open, close, ok)
				}
				if _, _, ok := s.Hours(time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)); ok {
					t.Errorf("open on Tuesday")
				}
				return
			}
			if ErrorField(err) != tt.field {
				t.Fatalf("error %v, want one on %s", err, tt.field)
			}
		})
	}
}

func TestNewID(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := NewID("ord", t0)
	b := NewID("ord", t0.Add(time.Millisecond))
	if !(a < b) {
		t.Errorf("ids not sorted by time: %s, %s", a, b)
	}
	if a == NewID("ord", t0) {
		t.Errorf("two ids at the same time are equal")
	}
	if HashSecret("x") == HashSecret("y") || len(HashSecret("x")) != 64 {
		t.Errorf("bad hash")
	}
	if otp := NewOTP(); len(otp) != 6 {
		t.Errorf("otp %q", otp)
	}
}

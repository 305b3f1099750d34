package notify

import (
	"bytes"
	"strings"
	"text/template"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// Topics of notifications.
const (
	TopicDispatched      = "order.dispatched" // out for delivery, with the ETA window
	TopicApproaching     = "stop.approaching" // a few stops or minutes away
	TopicArrived         = "stop.arrived"     // the driver is at the door
	TopicDeparted        = "stop.departed"    // the vehicle left the stop
	TopicDelivered       = "order.delivered"  // with the proof of delivery
	TopicFailed          = "order.failed"     // with a reschedule link
	TopicReturnCollected = "return.collected" // a return picked up
	TopicAtRisk          = "stop.at_risk"     // the ETA threatens the time window (dispatchers)
	TopicStationLeft     = "vehicle.station_left"
	TopicStationReturned = "vehicle.station_returned"
	TopicZoneEntered     = "vehicle.zone_entered"
	TopicZoneExited      = "vehicle.zone_exited"
)

// Data fills a recipient template.
type Data struct {
	ExternalID    string
	Station       string
	Driver        string // first name only
	From, To      string // the ETA window, HH:MM local
	TrackURL      string
	PODURL        string
	RescheduleURL string
}

var recipientTemplates = map[string][2]string{
	TopicDispatched: {"Your delivery {{.ExternalID}} is on its way",
		"Your parcel {{.ExternalID}} from {{.Station}} is out for delivery today{{if .From}}, expected between {{.From}} and {{.To}}{{end}}. Follow it: {{.TrackURL}}"},
	TopicApproaching: {"Your delivery {{.ExternalID}} is nearly there",
		"{{if .Driver}}{{.Driver}}{{else}}Your driver{{end}} will be with you {{if .From}}between {{.From}} and {{.To}}{{else}}soon{{end}}. Follow it: {{.TrackURL}}"},
	TopicArrived: {"Your driver is at the door",
		"{{if .Driver}}{{.Driver}}{{else}}Your driver{{end}} has arrived with parcel {{.ExternalID}}."},
	TopicDelivered: {"Delivered: {{.ExternalID}}",
		"Your parcel {{.ExternalID}} was delivered. Proof of delivery: {{.PODURL}}"},
	TopicFailed: {"We missed you: {{.ExternalID}}",
		"We could not deliver your parcel {{.ExternalID}} today. Choose another day or a pickup point: {{.RescheduleURL}}"},
	TopicReturnCollected: {"Return collected: {{.ExternalID}}",
		"Your return {{.ExternalID}} was collected and is on its way back to {{.Station}}."},
}

var parsed = func() map[string][2]*template.Template {
	out := map[string][2]*template.Template{}
	for k, v := range recipientTemplates {
		out[k] = [2]*template.Template{template.Must(template.New(k + ".subject").Parse(v[0])), template.Must(template.New(k).Parse(v[1]))}
	}
	return out
}()

// Render returns the recipient message of a topic; ok is false for topics
// recipients are not told about.
func Render(topic string, d Data) (t Text, ok bool) {
	tt, ok := parsed[topic]
	if !ok {
		return Text{}, false
	}
	var s, b bytes.Buffer
	if err := tt[0].Execute(&s, d); err != nil {
		return Text{}, false
	}
	if err := tt[1].Execute(&b, d); err != nil {
		return Text{}, false
	}
	return Text{Subject: s.String(), Body: b.String()}, true
}

// FirstName returns the first word of a name: all a recipient learns of
// the driver.
func FirstName(name string) string {
	f, _, _ := strings.Cut(strings.TrimSpace(name), " ")
	return f
}

// Channels returns the recipient channels to use: the preferences, or
// email and SMS when the recipient has an address or number.
func Channels(o *lastmile.Order) map[string]string {
	out := map[string]string{}
	want := []string{lastmile.ChannelEmail, lastmile.ChannelSMS}
	if o.Notify != nil {
		want = o.Notify.Channels
	}
	for _, c := range want {
		switch {
		case c == lastmile.ChannelEmail && o.Recipient.Email != "":
			out[c] = o.Recipient.Email
		case c == lastmile.ChannelSMS && o.Recipient.Phone != "":
			out[c] = o.Recipient.Phone
		}
	}
	return out
}

// QuietUntil returns when the recipient's quiet hours around t end, in the
// station's time zone; ok is false when t is not in quiet hours.
func QuietUntil(p *lastmile.NotifyPrefs, loc *time.Location, t time.Time) (time.Time, bool) {
	if p == nil || p.QuietStart == "" || p.QuietStart == p.QuietEnd {
		return time.Time{}, false
	}
	qs, err1 := lastmile.ParseClock(p.QuietStart)
	qe, err2 := lastmile.ParseClock(p.QuietEnd)
	if err1 != nil || err2 != nil {
		return time.Time{}, false
	}
	l := t.In(loc)
	midnight := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	sec := int64(l.Sub(midnight) / time.Second)
	at := func(day int, s int64) time.Time {
		d := midnight.AddDate(0, 0, day)
		return d.Add(time.Duration(s) * time.Second)
	}
	if qs < qe { // e.g. 12:00–14:00
		if sec >= qs && sec < qe {
			return at(0, qe), true
		}
		return time.Time{}, false
	}
	switch { // across midnight, e.g. 21:00–08:00
	case sec >= qs:
		return at(1, qe), true
	case sec < qe:
		return at(0, qe), true
	}
	return time.Time{}, false
}

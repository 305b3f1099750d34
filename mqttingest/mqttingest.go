// Package mqttingest subscribes to an MQTT broker for the positions of
// telematics boxes and feeds them to the server. A device publishes JSON
// fixes to lastmile/devices/<device id>/position (QoS 0 or 1):
//
//	{"at":"2026-03-02T08:00:00Z","lat":43.73,"lon":7.42,"speed_ms":8.1,"bearing":90,"accuracy_m":6,"battery":80}
//
// "at" may also be "timestamp" in Unix seconds; missing means the time of
// reception. The device id must be a vehicle's device_id.
package mqttingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/tracking"
)

// TopicFilter is the subscription: every device's position topic.
const TopicFilter = "lastmile/devices/+/position"

// Ingester takes a device's fix (the HTTP server implements it).
type Ingester interface {
	IngestDevice(ctx context.Context, device string, p lastmile.Position) (tracking.Verdict, error)
}

// Config of a subscription.
type Config struct {
	Broker   string // tcp://127.0.0.1:1883
	ClientID string // default: lastmile-<random>
	Username string
	Password string
	// OnResult hears about every message: its device, verdict, or error
	// (malformed payload, unknown device).
	OnResult func(device string, v tracking.Verdict, err error)
}

// Subscriber is a live subscription.
type Subscriber struct {
	c mqtt.Client
}

// Fix is the JSON payload of a position message.
type Fix struct {
	At        *time.Time `json:"at"`
	Timestamp *float64   `json:"timestamp"`
	Lat       *float64   `json:"lat"`
	Lon       *float64   `json:"lon"`
	SpeedMS   float64    `json:"speed_ms"`
	Bearing   float64    `json:"bearing"`
	AltitudeM float64    `json:"altitude_m"`
	AccuracyM float64    `json:"accuracy_m"`
	Battery   float64    `json:"battery"`
}

// Parse reads a position message of a topic; errors name the field.
func Parse(topic string, payload []byte) (device string, p lastmile.Position, err error) {
	parts := strings.Split(topic, "/")
	if len(parts) != 4 || parts[0] != "lastmile" || parts[1] != "devices" || parts[3] != "position" || parts[2] == "" {
		return "", p, lastmile.Invalidf("topic", "%q is not lastmile/devices/<id>/position", topic)
	}
	device = parts[2]
	var f Fix
	dec := json.NewDecoder(strings.NewReader(string(payload)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return device, p, lastmile.Invalidf("payload", "malformed fix: %v", err)
	}
	if f.Lat == nil {
		return device, p, lastmile.Invalidf("lat", "required")
	}
	if f.Lon == nil {
		return device, p, lastmile.Invalidf("lon", "required")
	}
	p = lastmile.Position{Lat: *f.Lat, Lon: *f.Lon, SpeedMS: f.SpeedMS, Bearing: f.Bearing, AltitudeM: f.AltitudeM,
		AccuracyM: f.AccuracyM, Battery: f.Battery, Source: "mqtt"}
	switch {
	case f.At != nil:
		p.At = f.At.UTC()
	case f.Timestamp != nil:
		p.At = time.Unix(0, int64(*f.Timestamp*1e9)).UTC()
	}
	return device, p, nil
}

// Subscribe connects to the broker and feeds every position message to
// in until Close. It fails when the broker cannot be reached.
func Subscribe(ctx context.Context, cfg Config, in Ingester) (*Subscriber, error) {
	if cfg.ClientID == "" {
		cfg.ClientID = "lastmile-" + lastmile.NewToken()[:12]
	}
	handle := func(_ mqtt.Client, m mqtt.Message) {
		device, p, err := Parse(m.Topic(), m.Payload())
		var v tracking.Verdict
		if err == nil {
			v, err = in.IngestDevice(context.Background(), device, p)
		}
		if cfg.OnResult != nil {
			cfg.OnResult(device, v, err)
		}
	}
	opts := mqtt.NewClientOptions().AddBroker(cfg.Broker).SetClientID(cfg.ClientID).
		SetUsername(cfg.Username).SetPassword(cfg.Password).
		SetAutoReconnect(true).SetConnectRetry(false).SetConnectTimeout(5 * time.Second).
		SetOrderMatters(true).
		SetOnConnectHandler(func(c mqtt.Client) { // subscribe again after a reconnection
			c.Subscribe(TopicFilter, 1, handle)
		})
	c := mqtt.NewClient(opts)
	tok := c.Connect()
	if err := wait(ctx, tok); err != nil {
		return nil, fmt.Errorf("mqtt connect %s: %w", cfg.Broker, err)
	}
	if err := wait(ctx, c.Subscribe(TopicFilter, 1, handle)); err != nil {
		c.Disconnect(100)
		return nil, fmt.Errorf("mqtt subscribe %s: %w", TopicFilter, err)
	}
	return &Subscriber{c: c}, nil
}

func wait(ctx context.Context, t mqtt.Token) error {
	select {
	case <-t.Done():
		return t.Error()
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(10 * time.Second):
		return errors.New("timed out")
	}
}

// Close disconnects.
func (s *Subscriber) Close() { s.c.Disconnect(250) }

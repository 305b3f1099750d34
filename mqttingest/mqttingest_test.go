package mqttingest_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/mqttingest"
	"github.com/lastmile-dev/lastmile/tracking"
)

const broker = "127.0.0.1:1883"

func TestParse(t *testing.T) {
	tests := []struct {
		name, topic, payload string
		field                string // "" when valid
	}{
		{"valid", "lastmile/devices/box-7/position", `{"at":"2026-03-02T08:00:00Z","lat":43.73,"lon":7.42,"speed_ms":8}`, ""},
		{"unix timestamp", "lastmile/devices/box-7/position", `{"timestamp":1772438400,"lat":43.73,"lon":7.42}`, ""},
		{"wrong topic", "lastmile/devices/box-7", `{"lat":43.73,"lon":7.42}`, "topic"},
		{"no latitude", "lastmile/devices/box-7/position", `{"lon":7.42}`, "lat"},
		{"not JSON", "lastmile/devices/box-7/position", `$GPRMC,1`, "payload"},
		{"unknown field", "lastmile/devices/box-7/position", `{"lat":1,"lon":2,"colour":"red"}`, "payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dev, p, err := mqttingest.Parse(tt.topic, []byte(tt.payload))
			if got := lastmile.ErrorField(err); got != tt.field || (tt.field == "" && err != nil) {
				t.Fatalf("field %q (%v), want %q", got, err, tt.field)
			}
			if err == nil && (dev != "box-7" || p.Lat != 43.73 || p.At.IsZero() || p.Source != "mqtt") {
				t.Fatalf("parsed %s %+v", dev, p)
			}
		})
	}
}

type fakeIngester struct {
	mu  sync.Mutex
	got []lastmile.Position
}

func (f *fakeIngester) IngestDevice(_ context.Context, device string, p lastmile.Position) (tracking.Verdict, error) {
	if device != "box-7" {
		return "", lastmile.Errorf(lastmile.EForbidden, "id", "device %q is not registered", device)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, p)
	return tracking.Accepted, nil
}

// TestSubscribe publishes fixes to the broker on 127.0.0.1:1883 and
// expects them ingested, and an unknown device refused.
func TestSubscribe(t *testing.T) {
	if ok, err := (&netDialer{}).ok(); !ok {
		if os.Getenv("CI") == "true" {
			t.Fatalf("MQTT broker on %s unreachable: %v", broker, err)
		}
		t.Skipf("MQTT broker on %s unreachable: %v", broker, err)
	}
	in := &fakeIngester{}
	results := make(chan error, 10)
	ctx := context.Background()
	sub, err := mqttingest.Subscribe(ctx, mqttingest.Config{Broker: "tcp://" + broker,
		OnResult: func(_ string, _ tracking.Verdict, err error) { results <- err }}, in)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	pub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + broker).SetClientID(fmt.Sprintf("lastmile-test-%d", time.Now().UnixNano())))
	if tok := pub.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publisher: %v", tok.Error())
	}
	defer pub.Disconnect(100)
	for i, m := range []struct{ topic, payload string }{
		{"lastmile/devices/box-7/position", `{"at":"2026-03-02T08:00:00Z","lat":43.73,"lon":7.42}`},
		{"lastmile/devices/box-7/position", `{"at":"2026-03-02T08:00:10Z","lat":43.7301,"lon":7.42}`},
		{"lastmile/devices/stranger/position", `{"lat":43.73,"lon":7.42}`},
	} {
		if tok := pub.Publish(m.topic, 1, false, m.payload); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("publish %d: %v", i, tok.Error())
		}
	}
	var errs []error
	for range 3 {
		select {
		case err := <-results:
			errs = append(errs, err)
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of 3 messages arrived", len(errs))
		}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.got) != 2 || in.got[1].Lat != 43.7301 || errs[0] != nil || lastmile.ErrorCode(errs[2]) != lastmile.EForbidden {
		t.Fatalf("ingested %+v, results %v", in.got, errs)
	}
}

// netDialer checks that the broker answers.
type netDialer struct{}

func (netDialer) ok() (bool, error) {
	c, err := net.DialTimeout("tcp", broker, 2*time.Second)
	if err != nil {
		return false, err
	}
	c.Close()
	return true, nil
}

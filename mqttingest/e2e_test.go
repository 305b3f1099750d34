package mqttingest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/lastmile-dev/lastmile"
	"github.com/lastmile-dev/lastmile/httpapi"
	"github.com/lastmile-dev/lastmile/mqttingest"
	"github.com/lastmile-dev/lastmile/store/sqlite"
	"github.com/lastmile-dev/lastmile/tracking"
)

// TestServerEndToEnd: a fix published by a telematics box reaches the
// server's live state through the broker.
func TestServerEndToEnd(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lm.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	api := httpapi.New(httpapi.Config{Store: st})
	station := &lastmile.Station{Name: "A", Location: lastmile.Point{Lat: 43.7325, Lon: 7.4189}}
	station.Normalize()
	if err := st.CreateStation(ctx, station, lastmile.Change{Actor: lastmile.System}); err != nil {
		t.Fatal(err)
	}
	device := fmt.Sprintf("box-%d-%d", os.Getpid(), time.Now().UnixNano())
	veh := &lastmile.Vehicle{StationID: station.ID, Name: "Truck", DeviceID: device, Active: true}
	veh.Normalize()
	if err := st.CreateVehicle(ctx, veh, lastmile.Change{Actor: lastmile.System}); err != nil {
		t.Fatal(err)
	}
	if c, err := (&netDialer{}).ok(); !c {
		if os.Getenv("CI") == "true" {
			t.Fatalf("MQTT broker on %s unreachable: %v", broker, err)
		}
		t.Skipf("MQTT broker on %s unreachable: %v", broker, err)
	}
	done := make(chan error, 1)
	sub, err := mqttingest.Subscribe(ctx, mqttingest.Config{Broker: "tcp://" + broker, OnResult: func(dev string, v tracking.Verdict, err error) {
		if dev == device {
			if err == nil && v != tracking.Accepted {
				err = fmt.Errorf("verdict %s", v)
			}
			done <- err
		}
	}}, api)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	pub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + broker).SetClientID("lastmile-e2e-" + device))
	if tok := pub.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publisher: %v", tok.Error())
	}
	defer pub.Disconnect(100)
	at := time.Now().UTC().Format(time.RFC3339)
	if tok := pub.Publish("lastmile/devices/"+device+"/position", 1, false, `{"at":"`+at+`","lat":43.7401,"lon":7.4210,"battery":55}`); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the fix did not arrive")
	}
	ps, err := st.Positions(ctx, lastmile.PositionFilter{VehicleID: veh.ID})
	if err != nil || len(ps) != 1 || ps[0].Lat != 43.7401 || ps[0].Source != "mqtt" || ps[0].Battery != 55 {
		t.Fatalf("stored %+v %v", ps, err)
	}
}

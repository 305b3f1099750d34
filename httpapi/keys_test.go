package httpapi_test

import "testing"

// TestDispatcherCreatesDriverKeys: a dispatcher creates sign-in keys for
// drivers of its stations, and nothing else.
func TestDispatcherCreatesDriverKeys(t *testing.T) {
	e := newEnv(t)
	st, _, driver := e.seed("Keys")
	other, _, otherDriver := e.seed("Elsewhere")
	disp := e.key("dispatcher", []string{st}, "")

	b := e.do("POST", "/v1/api-keys", disp, map[string]any{"name": "van app", "role": "driver", "driver_id": driver}).must(t, 201)
	secret := str(b, "secret")
	if secret == "" || str(b, "driver_id") != driver {
		t.Fatalf("driver key %v", b)
	}
	// The new key works for the driver's own routes and nothing of a dispatcher's.
	e.do("GET", "/v1/stations/"+st, secret, nil).must(t, 403)

	for _, tc := range []struct {
		name   string
		body   map[string]any
		status int
		field  string
	}{
		{"admin key", map[string]any{"name": "x", "role": "admin"}, 403, "role"},
		{"dispatcher key", map[string]any{"name": "x", "role": "dispatcher", "stations": []string{st}}, 403, "role"},
		{"integration key", map[string]any{"name": "x", "role": "integration"}, 403, "role"},
		{"driver of another station", map[string]any{"name": "x", "role": "driver", "driver_id": otherDriver}, 422, "driver_id"},
		{"unknown driver", map[string]any{"name": "x", "role": "driver", "driver_id": "drv_nope"}, 422, "driver_id"},
	} {
		r := e.do("POST", "/v1/api-keys", disp, tc.body)
		if code, field := r.err(); r.status != tc.status || field != tc.field {
			t.Errorf("%s: %d %s %s, want %d on %s", tc.name, r.status, code, field, tc.status, tc.field)
		}
	}
	// Listing and revoking stay with admins.
	e.do("GET", "/v1/api-keys", disp, nil).must(t, 403)
	e.do("POST", "/v1/api-keys/"+str(b, "id")+"/revoke", disp, nil).must(t, 403)
	// An admin still creates a driver key for any station.
	e.do("POST", "/v1/api-keys", e.admin, map[string]any{"name": "y", "role": "driver", "driver_id": otherDriver}).must(t, 201)
	_ = other
}

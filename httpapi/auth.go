package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile"
)

type ctxKey int

const keyCtx ctxKey = 0

// caller returns the API key of the request.
func caller(r *http.Request) *lastmile.APIKey {
	k, _ := r.Context().Value(keyCtx).(*lastmile.APIKey)
	return k
}

// secretOf reads the API key from "Authorization: Bearer …" or X-API-Key.
func secretOf(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	return strings.TrimSpace(r.Header.Get("X-API-Key"))
}

// authenticate admits requests whose key has one of roles.
func (s *Server) authenticate(roles []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret := secretOf(r)
		if secret == "" {
			s.writeError(w, r, lastmile.Errorf(lastmile.EUnauthorized, "Authorization", "an API key is required: Authorization: Bearer lmk_…"))
			return
		}
		k, err := s.keyByHash(r.Context(), lastmile.HashSecret(secret))
		if lastmile.ErrorCode(err) == lastmile.ENotFound || (err == nil && k.RevokedAt != nil) {
			s.writeError(w, r, lastmile.Errorf(lastmile.EUnauthorized, "Authorization", "unknown or revoked API key"))
			return
		}
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !slices.Contains(roles, k.Role) {
			s.writeError(w, r, lastmile.Errorf(lastmile.EForbidden, "", "the %s role may not %s %s", k.Role, r.Method, r.URL.Path))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyCtx, k)))
	})
}

// keyTTL is how long a key read from the store is trusted without reading
// it again: a key revoked on another server stops working within it.
const keyTTL = 5 * time.Second

type cachedKey struct {
	k  *lastmile.APIKey
	at time.Time
}

// keyByHash finds a key, through a short-lived cache that spares a
// database read on every request.
func (s *Server) keyByHash(ctx context.Context, hash string) (*lastmile.APIKey, error) {
	if c, ok := s.keys.Load(hash); ok && time.Since(c.(cachedKey).at) < keyTTL {
		return c.(cachedKey).k, nil
	}
	k, err := s.store.APIKeyByHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	s.keys.Store(hash, cachedKey{k: k, at: time.Now()})
	return k, nil
}

// change is the event-log description of a change by the caller.
func change(r *http.Request, typ string, data any) lastmile.Change {
	c := lastmile.Change{Type: typ, Data: data}
	if k := caller(r); k != nil {
		c.Actor = k.Actor()
	}
	return c
}

// seeStation refuses a station the caller may not see, as not found, so
// that other stations' existence does not leak.
func seeStation(r *http.Request, stationID string) error {
	if k := caller(r); k == nil || !k.SeesStation(stationID) {
		return lastmile.Errorf(lastmile.ENotFound, "", "not found")
	}
	return nil
}

// stationScope returns the station filter of a list: the stations asked
// for (station_id, repeatable) within the caller's scope.
func stationScope(r *http.Request) ([]string, error) {
	k := caller(r)
	asked := r.URL.Query()["station_id"]
	scope := k.StationScope()
	if len(asked) == 0 {
		return scope, nil
	}
	for _, id := range asked {
		if !k.SeesStation(id) {
			return nil, lastmile.Errorf(lastmile.EForbidden, "station_id", "station %q is outside this key's scope", id)
		}
	}
	return asked, nil
}

// keyView is an API key as shown (never its hash).
type keyView struct {
	*lastmile.APIKey
	Secret string `json:"secret,omitempty"` // only when created
}

type keyRequest struct {
	Name     string   `json:"name"`
	Role     string   `json:"role"`
	Stations []string `json:"stations"`
	DriverID string   `json:"driver_id"`
}

func (s *Server) createKey(w http.ResponseWriter, r *http.Request) error {
	var req keyRequest
	if err := decode(w, r, s.cfg.MaxBody, &req); err != nil {
		return err
	}
	// Dispatchers create only driver keys, for drivers of their stations
	// (the driver app's sign-in links); everything else is for admins.
	dispatcher := caller(r).Role == lastmile.RoleDispatcher
	if dispatcher && req.Role != lastmile.RoleDriver {
		return lastmile.Errorf(lastmile.EForbidden, "role", "dispatchers may create driver keys only")
	}
	secret := lastmile.NewSecret()
	k := &lastmile.APIKey{Name: req.Name, Role: req.Role, Stations: req.Stations, DriverID: req.DriverID,
		Prefix: secret[:10], Hash: lastmile.HashSecret(secret)}
	if err := k.Validate(); err != nil {
		return err
	}
	for i, id := range k.Stations {
		if _, err := s.store.Station(r.Context(), id); err != nil {
			if lastmile.ErrorCode(err) == lastmile.ENotFound {
				return lastmile.Invalidf("stations["+itoa(i)+"]", "no station %q", id)
			}
			return err
		}
	}
	if k.Role == lastmile.RoleDriver {
		d, err := s.store.Driver(r.Context(), k.DriverID)
		if lastmile.ErrorCode(err) == lastmile.ENotFound || (err == nil && dispatcher && !caller(r).SeesStation(d.StationID)) {
			return lastmile.Invalidf("driver_id", "no driver %q", k.DriverID)
		}
		if err != nil {
			return err
		}
		k.Stations = []string{d.StationID}
	}
	if err := s.store.CreateAPIKey(r.Context(), k, change(r, "", map[string]any{"role": k.Role, "stations": k.Stations})); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, keyView{APIKey: k, Secret: secret})
}

func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) error {
	ks, err := s.store.ListAPIKeys(r.Context())
	if err != nil {
		return err
	}
	return writeList(w, ks, "")
}

func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) error {
	k, err := s.store.APIKey(r.Context(), pathID(r, "id"))
	if err != nil {
		return err
	}
	if k.RevokedAt == nil {
		now := s.now().UTC()
		k.RevokedAt = &now
		if err := s.store.UpdateAPIKey(r.Context(), k, change(r, "api_key.revoked", nil)); err != nil {
			return err
		}
		s.keys.Delete(k.Hash)
	}
	return writeJSON(w, http.StatusOK, k)
}

// Bootstrap creates an admin key when the store has none and returns its
// secret ("" when keys exist). A non-empty secret is used as given (it
// must start with lmk_ and be long enough to be unguessable).
func Bootstrap(ctx context.Context, st lastmile.Store, secret string, now time.Time) (string, error) {
	ks, err := st.ListAPIKeys(ctx)
	if err != nil {
		return "", err
	}
	if len(ks) > 0 {
		return "", nil
	}
	if secret == "" {
		secret = lastmile.NewSecret()
	} else if !strings.HasPrefix(secret, lastmile.KeyPrefix) || len(secret) < 24 {
		return "", lastmile.Invalidf("admin_key", "a bootstrap key must start with %s and have at least 24 characters", lastmile.KeyPrefix)
	}
	k := &lastmile.APIKey{Name: "bootstrap admin", Role: lastmile.RoleAdmin, Prefix: secret[:10], Hash: lastmile.HashSecret(secret)}
	if err := st.CreateAPIKey(ctx, k, lastmile.Change{Actor: lastmile.System, Type: "api_key.bootstrap"}); err != nil {
		return "", err
	}
	return secret, nil
}

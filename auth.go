package lastmile

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// Roles of API keys.
const (
	RoleAdmin       = "admin"       // everything
	RoleDispatcher  = "dispatcher"  // its stations: fleet, orders, plans, dispatch
	RoleDriver      = "driver"      // its own manifest: scans, stop updates, proof of delivery
	RoleIntegration = "integration" // orders (create, read) for its stations, or all when none are set
)

// APIKey is a credential. Only the SHA-256 hash of the secret is stored;
// the secret is shown once, when the key is created.
type APIKey struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	Stations  []string   `json:"stations,omitempty"`  // dispatcher, integration: the stations it may see
	DriverID  string     `json:"driver_id,omitempty"` // driver: who it is
	Prefix    string     `json:"prefix"`              // the first characters of the secret, to recognise it
	Hash      string     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	Version   int64      `json:"version"`
}

// KeyPrefix starts every secret.
const KeyPrefix = "lmk_"

// NewSecret returns a new unguessable API key secret.
func NewSecret() string { return KeyPrefix + randomString(32) }

// HashSecret returns the stored form of a secret: hex SHA-256.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// Validate checks a key before it is stored.
func (k *APIKey) Validate() error {
	switch k.Role {
	case RoleAdmin:
	case RoleDispatcher:
		if len(k.Stations) == 0 {
			return Invalidf("stations", "a dispatcher key needs at least one station")
		}
	case RoleDriver:
		if k.DriverID == "" {
			return Invalidf("driver_id", "a driver key needs the driver's id")
		}
	case RoleIntegration:
	default:
		return Invalidf("role", "%q is not admin, dispatcher, driver or integration", k.Role)
	}
	if len(k.Name) > 200 {
		return Invalidf("name", "longer than 200 bytes")
	}
	return nil
}

// Actor returns the actor for changes made with this key.
func (k *APIKey) Actor() Actor { return Actor{KeyID: k.ID, Role: k.Role, Name: k.Name} }

// SeesStation reports whether the key may see the station's data. Driver
// keys see their station through their driver only, so they answer false;
// callers check the driver's own manifest instead.
func (k *APIKey) SeesStation(id string) bool {
	switch k.Role {
	case RoleAdmin:
		return true
	case RoleDispatcher:
		return slices.Contains(k.Stations, id)
	case RoleIntegration:
		return len(k.Stations) == 0 || slices.Contains(k.Stations, id)
	}
	return false
}

// StationScope returns the stations the key is limited to; nil means all.
func (k *APIKey) StationScope() []string {
	if k.Role == RoleAdmin || (k.Role == RoleIntegration && len(k.Stations) == 0) {
		return nil
	}
	if k.Role == RoleDriver {
		return []string{}
	}
	return k.Stations
}

var b32 = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// randomString returns n random characters of a lowercase base32 alphabet.
func randomString(n int) string {
	b := make([]byte, (n*5+7)/8)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on supported platforms
	}
	return b32.EncodeToString(b)[:n]
}

// NewID returns a new identifier "<prefix>_<time><random>": unique, and
// sorted by creation time to the millisecond, so that lists ordered by id
// come out in creation order.
func NewID(prefix string, now time.Time) string {
	ms := uint64(now.UnixMilli())
	var t [8]byte
	for i := 7; i >= 0; i-- {
		t[i] = byte(ms)
		ms >>= 8
	}
	return prefix + "_" + b32.EncodeToString(t[2:]) + randomString(12)
}

// NewToken returns an unguessable token, for recipients' tracking links.
func NewToken() string { return randomString(32) }

// NewOTP returns a six-digit one-time password.
func NewOTP() string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err))
	}
	n := (uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])) % 1_000_000
	return fmt.Sprintf("%06d", n)
}

package notify_test

import (
	"fmt"
	"time"

	"github.com/lastmile-dev/lastmile/notify"
)

// A receiver checks every call: the X-Lastmile-Signature header against
// the raw body, with the secret it was given.
func ExampleVerify() {
	body := []byte(`{"topic":"stop.arrived","order_id":"ord_1"}`)
	sent := time.Unix(1_772_438_400, 0)
	header := notify.Sign("whsec_example", sent, body) // what the server sends
	fmt.Println(notify.Verify("whsec_example", header, body, sent.Add(3*time.Second), 0))
	fmt.Println(notify.Verify("whsec_example", header, []byte(`{"topic":"forged"}`), sent, 0))
	// Output:
	// <nil>
	// verify webhook: signature mismatch
}

package httpapi

import (
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// FuzzImportCSV feeds arbitrary CSV to the import parser: it must never
// panic, and every row it accepts must validate or carry a domain error.
func FuzzImportCSV(f *testing.F) {
	f.Add("external_id,recipient_name,address_line1,lat,lon,barcodes\nA,Ann,1 rue,43.7,7.4,B1|B2\n")
	f.Add("external_id,recipient_name,address_line1,lat,lon,barcodes,weight_g\nA,Ann,1 rue,43.7,7.4,B1|B2,1|2|3\n")
	f.Add("\ufeffexternal_id,recipient_name,address_line1,lat,lon,barcodes\n\"A,Ann,1 rue,43.7,7.4,B1\n")
	f.Add("external_id,recipient_name,address_line1,lat,lon,barcodes,window_start,window_end\nA,Ann,x,NaN,Inf,B,2026-01-01T10:00:00Z,x\n")
	f.Fuzz(func(t *testing.T, data string) {
		rows, err := parseCSV(strings.NewReader(data), "st_1")
		checkRows(t, rows, err)
	})
}

// FuzzImportJSON does the same for JSON imports.
func FuzzImportJSON(f *testing.F) {
	f.Add(`[{"station_id":"st_1","external_id":"A","recipient":{"name":"a"},"address":{"line1":"b","location":{"lat":43.7,"lon":7.4}},"parcels":[{"barcode":"x"}]}]`)
	f.Add(`{"orders":[{"external_id":"A","window":{"start":"2026-01-01T10:00:00Z","end":"2025-01-01T10:00:00Z"}}]}`)
	f.Add(`[1, "x", null, {"parcels": {}}]`)
	f.Add(`{"orders": 3}`)
	f.Fuzz(func(t *testing.T, data string) {
		rows, err := parseJSONRows(strings.NewReader(data), "st_1")
		checkRows(t, rows, err)
	})
}

func checkRows(t *testing.T, rows []candidate, err error) {
	if err != nil {
		if lastmile.ErrorCode(err) == lastmile.EInternal {
			t.Fatalf("input error reported as internal: %v", err)
		}
		return
	}
	for _, c := range rows {
		if c.err != nil {
			if lastmile.ErrorCode(c.err) == lastmile.EInternal {
				t.Fatalf("row %d: input error reported as internal: %v", c.row, c.err)
			}
			continue
		}
		fresh(c.o)
		c.o.Normalize(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC), time.UTC)
		if err := c.o.Validate(); err != nil && lastmile.ErrorCode(err) != lastmile.EInvalid {
			t.Fatalf("row %d: validation error %v is not invalid", c.row, err)
		}
	}
}

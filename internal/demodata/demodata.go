// Package demodata holds the road map of `lastmile serve --demo`: an
// OpenStreetMap extract of Andorra, embedded so that the demo runs from the
// binary alone.
//
// Map data © OpenStreetMap contributors, available under the Open Database
// License 1.0 (https://www.openstreetmap.org/copyright); see README.md.
package demodata

import (
	"bytes"
	"context"
	"io"

	_ "embed"

	"github.com/lastmile-dev/lastmile/travel/roads"
)

//go:embed andorra.osm.pbf
var andorra []byte

// Attribution must be shown wherever the demo's map data or anything
// derived from it (routes, travel times, maps) is shown.
const Attribution = "© OpenStreetMap contributors"

// Andorra imports the embedded extract into a road graph.
func Andorra(ctx context.Context) (*roads.Graph, error) {
	return roads.Import(ctx, func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(andorra)), nil
	}, roads.ImportOptions{})
}

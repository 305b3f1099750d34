package httpapi

import (
	_ "embed"
	"net/http"
)

// openapiJSON is the API's OpenAPI 3 document; docs/openapi.json is a copy
// kept equal by a test.
//
//go:embed openapi.json
var openapiJSON []byte

// OpenAPI returns the OpenAPI document.
func OpenAPI() []byte { return append([]byte(nil), openapiJSON...) }

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openapiJSON)
	return nil
}

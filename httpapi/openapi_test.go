package httpapi_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lastmile-dev/lastmile/httpapi"
)

var update = flag.Bool("update", false, "copy httpapi/openapi.json to docs/openapi.json")

// TestOpenAPICoversRoutes checks that the document describes every
// registered route and nothing else, that its references resolve, and that
// docs/openapi.json is the same document.
func TestOpenAPICoversRoutes(t *testing.T) {
	doc := httpapi.OpenAPI()
	var d struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components map[string]map[string]any            `json:"components"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d.OpenAPI, "3.") {
		t.Fatalf("openapi %q", d.OpenAPI)
	}
	e := newEnv(t)
	registered := map[string]bool{}
	for _, r := range e.api.Routes() {
		key := strings.ToLower(r.Method) + " " + r.Pattern
		registered[key] = true
		ops, ok := d.Paths[r.Pattern]
		if !ok || ops[strings.ToLower(r.Method)] == nil {
			t.Errorf("route %s %s is not in the OpenAPI document", r.Method, r.Pattern)
			continue
		}
		op := ops[strings.ToLower(r.Method)]
		if r.Roles == nil {
			if sec, ok := op["security"].([]any); !ok || len(sec) != 0 {
				t.Errorf("%s %s is public but the document asks for a key", r.Method, r.Pattern)
			}
		}
		for _, name := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(r.Pattern, -1) {
			if !strings.Contains(string(mustJSON(op["parameters"])), `"in":"path","name":"`+name[1]+`"`) {
				t.Errorf("%s %s: path parameter %s undocumented", r.Method, r.Pattern, name[1])
			}
		}
	}
	for path, ops := range d.Paths {
		for m := range ops {
			if !registered[m+" "+path] {
				t.Errorf("the document describes %s %s, which is not registered", strings.ToUpper(m), path)
			}
		}
	}
	for _, ref := range regexp.MustCompile(`"\$ref":\s*"#/components/(\w+)/(\w+)"`).FindAllStringSubmatch(string(doc), -1) {
		if d.Components[ref[1]][ref[2]] == nil {
			t.Errorf("dangling reference %s/%s", ref[1], ref[2])
		}
	}
	served := e.do("GET", "/openapi.json", "", nil)
	if served.status != 200 || !bytes.Equal(served.raw, doc) {
		t.Errorf("served document differs from the embedded one")
	}
	docs := filepath.Join("..", "docs", "openapi.json")
	if *update {
		if err := os.WriteFile(docs, doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	kept, err := os.ReadFile(docs)
	if err != nil || !bytes.Equal(kept, doc) {
		t.Errorf("docs/openapi.json differs from httpapi/openapi.json (run go test ./httpapi -run OpenAPI -update): %v", err)
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

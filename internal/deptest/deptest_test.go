// Package deptest checks the repository's dependency rules: the optimizer is
// a pure library that does no I/O.
package deptest

import (
	"go/build"
	"strings"
	"testing"
)

// forbidden are standard packages a pure library must not import.
var forbidden = []string{"os", "os/exec", "net", "net/http", "io/ioutil", "log", "log/slog", "database/sql", "syscall", "unsafe"}

func TestPureLibraries(t *testing.T) {
	for _, pkg := range []string{
		"github.com/lastmile-dev/lastmile/vrp",
		"github.com/lastmile-dev/lastmile/vrp/check",
		"github.com/lastmile-dev/lastmile/travel",
		"github.com/lastmile-dev/lastmile/tracking",
	} {
		t.Run(pkg, func(t *testing.T) {
			p, err := build.Default.Import(pkg, "", 0)
			if err != nil {
				t.Fatalf("import %s: %v", pkg, err)
			}
			for _, imp := range p.Imports {
				for _, f := range forbidden {
					if imp == f {
						t.Errorf("%s imports %s; it must stay free of I/O", pkg, imp)
					}
				}
				if strings.HasPrefix(imp, "github.com/lastmile-dev/lastmile/cmd") {
					t.Errorf("%s imports the command %s", pkg, imp)
				}
			}
		})
	}
}

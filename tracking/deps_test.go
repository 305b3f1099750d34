package tracking_test

import (
	"go/build"
	"testing"
)

// TestNoIO keeps the package a pure library.
func TestNoIO(t *testing.T) {
	p, err := build.Default.Import("github.com/lastmile-dev/lastmile/tracking", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range p.Imports {
		switch imp {
		case "os", "os/exec", "net", "net/http", "log", "log/slog", "database/sql", "syscall", "unsafe":
			t.Errorf("tracking imports %s; it must stay free of I/O", imp)
		}
	}
}

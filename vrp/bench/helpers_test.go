package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// sharedDir returns ../shared/benchmarks/<sub> relative to the repository
// root. Missing data fails the test under CI=true and skips it otherwise.
func sharedDir(t testing.TB, sub string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	dir := filepath.Join(root, "..", "shared", "benchmarks", sub)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("benchmark data missing: %v", err)
		}
		t.Skipf("benchmark data missing: %v", err)
	}
	return dir
}

func files(t testing.TB, dir, pattern string) []string {
	t.Helper()
	fs, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// fmtSscanf extracts the node count n of an X instance name X-n<n>-k<k>.
func fmtSscanf(name string, n *int) (int, error) {
	return fmt.Sscanf(name, "X-n%d-", n)
}

package blobfs

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lastmile-dev/lastmile"
)

func TestStore(t *testing.T) {
	ctx := context.Background()
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.Put(ctx, "pod/ord_1/photo-1.jpg", "image/jpeg", strings.NewReader("jpegdata"))
	if err != nil || n != 8 {
		t.Fatalf("put: %d %v", n, err)
	}
	rc, ct, err := s.Get(ctx, "pod/ord_1/photo-1.jpg")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "jpegdata" || ct != "image/jpeg" {
		t.Fatalf("got %q %q", b, ct)
	}
	if err := s.Delete(ctx, "pod/ord_1/photo-1.jpg"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Get(ctx, "pod/ord_1/photo-1.jpg"); lastmile.ErrorCode(err) != lastmile.ENotFound {
		t.Fatalf("after delete: %v", err)
	}
	for _, bad := range []string{"", "../etc/passwd", "/abs", "a b", "x/../../y"} {
		t.Run(bad, func(t *testing.T) {
			if _, err := s.Put(ctx, bad, "x", strings.NewReader("")); lastmile.ErrorCode(err) != lastmile.EInvalid {
				t.Fatalf("key %q accepted: %v", bad, err)
			}
		})
	}
}

// TestSweepTemp removes the temporary files of stopped writes once they are
// older than the grace period, and nothing else.
func TestSweepTemp(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "pod/ord_1/photo-0.png", "image/png", strings.NewReader("png")); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "pod", "ord_1", tempPrefix+"123")
	fresh := filepath.Join(dir, "pod", "ord_1", tempPrefix+"456")
	for _, p := range []string{old, fresh} {
		if err := os.WriteFile(p, []byte("half"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-2 * TempGrace)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	// A restart: New sweeps.
	if _, err := New(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("old temporary file kept: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a temporary file inside the grace period was removed: %v", err)
	}
	if rc, _, err := s.Get(ctx, "pod/ord_1/photo-0.png"); err != nil {
		t.Errorf("blob removed by the sweep: %v", err)
	} else {
		rc.Close()
	}
}

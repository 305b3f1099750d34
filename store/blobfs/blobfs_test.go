package blobfs

import (
	"context"
	"io"
	"strings"
	"testing"

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

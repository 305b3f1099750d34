// Package blobfs is the default lastmile.BlobStore: files in a directory,
// written to a temporary name, synced and renamed into place, so that a
// blob is either whole or absent after a crash.
package blobfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// Store keeps blobs under Dir. Keys are slash-separated paths of safe
// characters; the content type is kept beside each blob.
type Store struct {
	Dir string
}

var (
	_ lastmile.BlobStore  = (*Store)(nil)
	_ lastmile.BlobLister = (*Store)(nil)
)

// TempGrace is how old a temporary file must be before New removes it: a
// blob is written from memory in far less time, so an older one was left
// by a process that stopped mid-write (a crash, kill -9, power loss).
const TempGrace = time.Minute

// tempPrefix starts the names of files being written.
const tempPrefix = ".tmp-"

// New returns a store in dir, creating it, and removes the temporary files
// that stopped writes left behind (SweepTemp with TempGrace).
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	s := &Store{Dir: dir}
	if _, err := s.SweepTemp(time.Now().Add(-TempGrace)); err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	return s, nil
}

// SweepTemp removes the temporary files last modified before cutoff and
// returns how many it removed. Blobs themselves are never touched: a
// temporary file is only ever renamed into place whole.
func (s *Store) SweepTemp(cutoff time.Time) (int, error) {
	n := 0
	err := filepath.WalkDir(s.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed meanwhile
			}
			return err
		}
		if d.IsDir() || !strings.HasPrefix(d.Name(), tempPrefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil || !info.ModTime().Before(cutoff) {
			return nil
		}
		if err := os.Remove(p); err == nil {
			n++
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("sweep temporary files: %w", err)
	}
	return n, nil
}

func (s *Store) path(key string) (string, error) {
	if key == "" || len(key) > 300 || strings.HasPrefix(key, "/") || strings.Contains(key, "..") ||
		strings.Trim(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./") != "" {
		return "", lastmile.Invalidf("key", "%q is not a blob key", key)
	}
	return filepath.Join(s.Dir, filepath.FromSlash(key)), nil
}

// Put writes the blob durably.
func (s *Store) Put(ctx context.Context, key, contentType string, r io.Reader) (int64, error) {
	p, err := s.path(key)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return 0, fmt.Errorf("put blob: %w", err)
	}
	n, err := writeFile(p, r)
	if err != nil {
		return 0, fmt.Errorf("put blob %s: %w", key, err)
	}
	if _, err := writeFile(p+".type", strings.NewReader(contentType)); err != nil {
		os.Remove(p)
		return 0, fmt.Errorf("put blob %s: %w", key, err)
	}
	if d, err := os.Open(filepath.Dir(p)); err == nil {
		d.Sync()
		d.Close()
	}
	return n, ctx.Err()
}

func writeFile(p string, r io.Reader) (int64, error) {
	f, err := os.CreateTemp(filepath.Dir(p), tempPrefix+"*")
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return 0, err
	}
	return n, nil
}

// Get opens a blob.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, string, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, "", err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", lastmile.Errorf(lastmile.ENotFound, "", "blob %q not found", key)
	}
	if err != nil {
		return nil, "", fmt.Errorf("get blob: %w", err)
	}
	ct, err := os.ReadFile(p + ".type")
	if err != nil {
		ct = []byte("application/octet-stream")
	}
	return f, string(ct), nil
}

// Delete removes a blob; a missing blob is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	for _, f := range []string{p, p + ".type"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("delete blob: %w", err)
		}
	}
	return nil
}

// ListBlobs returns the blobs whose keys start with prefix, by key
// (temporary files and content types left out).
func (s *Store) ListBlobs(ctx context.Context, prefix string) ([]lastmile.BlobInfo, error) {
	var out []lastmile.BlobInfo
	err := filepath.WalkDir(s.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), tempPrefix) || strings.HasSuffix(d.Name(), ".type") {
			return nil
		}
		rel, err := filepath.Rel(s.Dir, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		out = append(out, lastmile.BlobInfo{Key: key, ModTime: info.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list blobs: %w", err)
	}
	return out, nil
}

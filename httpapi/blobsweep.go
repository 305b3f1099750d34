package httpapi

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// orphanGrace is how old a proof-of-delivery file must be before it may
// be removed for belonging to no proof: an upload stores its files first
// and its proof just after, within a request's time.
const orphanGrace = time.Hour

// SweepBlobs removes the proof-of-delivery files that no stored proof
// refers to and that are older than an hour: the files of an upload whose
// server stopped (a crash, kill -9) between storing them and storing the
// proof, sent without an Idempotency-Key or never retried. It needs a blob
// store that lists its blobs, and returns the number of files removed.
func (s *Server) SweepBlobs(ctx context.Context) (int, error) {
	bl, ok := s.cfg.Blobs.(lastmile.BlobLister)
	if !ok {
		return 0, nil
	}
	blobs, err := bl.ListBlobs(ctx, "pod/")
	if err != nil {
		return 0, err
	}
	cutoff := s.now().Add(-orphanGrace)
	byOrder := map[string][]string{}
	for _, b := range blobs {
		parts := strings.Split(b.Key, "/")
		if len(parts) != 3 || !b.ModTime.Before(cutoff) {
			continue
		}
		byOrder[parts[1]] = append(byOrder[parts[1]], b.Key)
	}
	n := 0
	for id, keys := range byOrder {
		o, err := s.store.Order(ctx, id)
		if err != nil && lastmile.ErrorCode(err) != lastmile.ENotFound {
			return n, fmt.Errorf("sweep blobs: %w", err)
		}
		var refs []string
		if o != nil && o.POD != nil {
			refs = append(append(refs, o.POD.Photos...), o.POD.Signature)
		}
		for _, k := range keys {
			if slices.Contains(refs, k) {
				continue
			}
			if err := s.cfg.Blobs.Delete(ctx, k); err != nil {
				return n, fmt.Errorf("sweep blobs: %w", err)
			}
			n++
		}
	}
	if n > 0 {
		s.log.Info("proof-of-delivery files of proofs never stored removed", "files", n)
	}
	return n, nil
}

package httpapi

import (
	"context"
	"time"

	"github.com/lastmile-dev/lastmile"
)

// closedStatuses are the statuses after which an order is done.
var closedStatuses = []string{lastmile.StatusDelivered, lastmile.StatusReturned, lastmile.StatusRedirected, lastmile.StatusCancelled}

// SweepRetention erases the personal data (recipient, instructions, proof
// of delivery files) of orders closed longer ago than their station's
// retention period, keeping the delivery records. It returns the number of
// orders erased. It also removes the files of proofs never stored
// (SweepBlobs).
func (s *Server) SweepRetention(ctx context.Context) (int, error) {
	if _, err := s.SweepBlobs(ctx); err != nil {
		s.log.Warn("proof-of-delivery files not swept", "err", err)
	}
	n := 0
	cursor := ""
	for {
		sts, next, err := s.store.ListStations(ctx, nil, lastmile.Page{Cursor: cursor, Limit: lastmile.MaxLimit})
		if err != nil {
			return n, err
		}
		for _, st := range sts {
			if st.RetentionDays <= 0 {
				continue
			}
			k, err := s.sweepStation(ctx, st)
			n += k
			if err != nil {
				return n, err
			}
		}
		if next == "" {
			return n, nil
		}
		cursor = next
	}
}

func (s *Server) sweepStation(ctx context.Context, st *lastmile.Station) (int, error) {
	limit := s.now().Add(-time.Duration(st.RetentionDays) * 24 * time.Hour)
	n := 0
	cursor := ""
	for {
		os, next, err := s.store.ListOrders(ctx, lastmile.OrderFilter{StationIDs: []string{st.ID}, Statuses: closedStatuses,
			Page: lastmile.Page{Cursor: cursor, Limit: lastmile.MaxLimit}})
		if err != nil {
			return n, err
		}
		for _, o := range os {
			if o.Erased || o.ClosedAt == nil || o.ClosedAt.After(limit) {
				continue
			}
			var keys []string
			if o.POD != nil {
				keys = append(append(keys, o.POD.Photos...), o.POD.Signature)
			}
			o.Erase()
			err := s.store.UpdateOrders(ctx, []*lastmile.Order{o}, lastmile.Change{Actor: lastmile.System, Type: "order.erased", Data: map[string]any{"reason": "retention"}})
			if lastmile.ErrorCode(err) == lastmile.EConflict {
				continue // changed meanwhile: the next sweep sees it again
			}
			if err != nil {
				return n, err
			}
			n++
			if s.cfg.Blobs != nil {
				for _, k := range keys {
					if k != "" {
						s.cfg.Blobs.Delete(ctx, k)
					}
				}
			}
		}
		if next == "" {
			return n, nil
		}
		cursor = next
	}
}

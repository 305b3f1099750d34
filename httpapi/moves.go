package httpapi

import (
	"net/http"

	"github.com/lastmile-dev/lastmile"
)

func (s *Server) moveStop(w http.ResponseWriter, r *http.Request) error {
	return lastmile.Errorf(lastmile.EInternal, "", "not implemented")
}

func (s *Server) lockRoute(w http.ResponseWriter, r *http.Request) error {
	return lastmile.Errorf(lastmile.EInternal, "", "not implemented")
}

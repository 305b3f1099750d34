package httpapi

import (
	"net/http"

	"github.com/lastmile-dev/lastmile"
)

func notYet(w http.ResponseWriter, r *http.Request) error {
	return lastmile.Errorf(lastmile.EInternal, "", "not implemented")
}

func (s *Server) kpis(w http.ResponseWriter, r *http.Request) error            { return notYet(w, r) }
func (s *Server) proofOfDelivery(w http.ResponseWriter, r *http.Request) error { return notYet(w, r) }
func (s *Server) podFile(w http.ResponseWriter, r *http.Request) error         { return notYet(w, r) }
func (s *Server) createPlan(w http.ResponseWriter, r *http.Request) error      { return notYet(w, r) }
func (s *Server) listPlans(w http.ResponseWriter, r *http.Request) error       { return notYet(w, r) }
func (s *Server) getPlan(w http.ResponseWriter, r *http.Request) error         { return notYet(w, r) }
func (s *Server) replan(w http.ResponseWriter, r *http.Request) error          { return notYet(w, r) }
func (s *Server) publish(w http.ResponseWriter, r *http.Request) error         { return notYet(w, r) }
func (s *Server) compare(w http.ResponseWriter, r *http.Request) error         { return notYet(w, r) }
func (s *Server) moveStop(w http.ResponseWriter, r *http.Request) error        { return notYet(w, r) }
func (s *Server) lockRoute(w http.ResponseWriter, r *http.Request) error       { return notYet(w, r) }
func (s *Server) manifest(w http.ResponseWriter, r *http.Request) error        { return notYet(w, r) }
func (s *Server) scan(w http.ResponseWriter, r *http.Request) error            { return notYet(w, r) }
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) error        { return notYet(w, r) }
func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error         { return notYet(w, r) }

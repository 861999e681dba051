package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"conpro/internal/consentstats"
	"conpro/web"
)

// StatsStore computes the consent statistics.
type StatsStore interface {
	ConsentStats(ctx context.Context, from, to time.Time) ([]consentstats.Day, error)
}

// handleAdminStats shows, per day, the share of visitors who accepted,
// customised or refused, as a chart and as a table; ?dagen=7|30|90 or
// ?van=…&tot=… (dates) choose the period.
func (s *Server) handleAdminStats(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q, err := formValues(r)
	if err != nil && !errors.Is(err, errUnreadable) {
		s.fail(w, r, err)
		return
	}
	p := s.adminPage(r, "AdminStatsTitle")
	from, to := consentstats.LastDays(s.now(), 30)
	status := http.StatusOK
	invalid := false
	switch {
	case err != nil:
		p.Notice, status = "FormErrUnreadable", http.StatusUnprocessableEntity
	case q.Get("van") != "" || q.Get("tot") != "":
		f, err1 := time.Parse(time.DateOnly, q.Get("van"))
		t, err2 := time.Parse(time.DateOnly, q.Get("tot"))
		if err1 != nil || err2 != nil || consentstats.CheckPeriod(f, t) != nil {
			invalid, status = true, http.StatusUnprocessableEntity
		} else {
			from, to = f, t
		}
	case q.Get("dagen") != "":
		if n, err := strconv.Atoi(q.Get("dagen")); err == nil && n >= 1 && n <= consentstats.MaxDays {
			from, to = consentstats.LastDays(s.now(), n)
		}
	}
	days, err := s.stats.ConsentStats(ctx, from, to)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, web.AdminStats(p, days, from, to, invalid))
}

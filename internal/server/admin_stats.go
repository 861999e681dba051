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

// handleAdminStats shows, per day, how many visitors accepted, customised
// or refused, as a headline for the period, a chart and a table. The last
// ?dagen=n days, or ?van=…&tot=… (dates) choose the period, the last 30
// days without either; ?leeg=1 lists the days without choices in the table
// too. A period that cannot be read is refused with a message, and the form
// keeps what was typed.
func (s *Server) handleAdminStats(w http.ResponseWriter, r *http.Request) {
	q, err := formValues(r)
	if err != nil && !errors.Is(err, errUnreadable) {
		s.fail(w, r, err)
		return
	}
	p := s.adminPage(r, "AdminStatsTitle")
	if err != nil {
		p.Notice = "FormErrUnreadable"
	}
	v := web.StatsView{LastDays: 30, WithEmptyDays: q.Get("leeg") == "1", Invalid: err != nil}
	v.From, v.To = consentstats.LastDays(s.now(), v.LastDays)
	typed := q.Has("van") || q.Has("tot")
	switch {
	case v.Invalid:
		v.FromText, v.ToText = q.Get("van"), q.Get("tot")
	case typed:
		v.FromText, v.ToText = q.Get("van"), q.Get("tot")
		from, err1 := time.Parse(time.DateOnly, v.FromText)
		to, err2 := time.Parse(time.DateOnly, v.ToText)
		if err1 != nil || err2 != nil || consentstats.CheckPeriod(from, to) != nil {
			v.Invalid = true
			break
		}
		v.From, v.To, v.LastDays = from, to, 0
	case q.Has("dagen"):
		n, err := strconv.Atoi(q.Get("dagen"))
		if err != nil || n < 1 || n > consentstats.MaxDays {
			v.Invalid = true
			break
		}
		v.LastDays = n
		v.From, v.To = consentstats.LastDays(s.now(), n)
	}
	if !v.Invalid {
		v.FromText, v.ToText = v.From.Format(time.DateOnly), v.To.Format(time.DateOnly)
	}
	days, err := s.stats.ConsentStats(r.Context(), v.From, v.To)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Days = days
	status := http.StatusOK
	if v.Invalid {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, web.AdminStats(p, v))
}

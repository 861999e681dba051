package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"conpro/internal/staff"
	"conpro/web"
)

// accountDone names the notice a staff accounts page shows after a change
// (the redirect's klaar parameter); anything else shows none.
var accountDone = map[string]string{
	"toegevoegd":    "AdminAccountsAdded",
	"uitgeschakeld": "AdminAccountsDisabledDone",
	"ingeschakeld":  "AdminAccountsEnabledDone",
	"wachtwoord":    "AdminAccountsPasswordDone",
}

func (s *Server) handleAdminAccounts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := web.AccountsView{Done: accountDone[q.Get("klaar")]}
	v.DoneID, _ = strconv.ParseInt(q.Get("id"), 10, 64)
	s.renderAccounts(w, r, http.StatusOK, v, true)
}

// renderAccounts shows the accounts with v's form and notice; audit says
// whether this view of the list is recorded (not when the list comes back
// with a form's errors: the failed attempt is not an action).
func (s *Server) renderAccounts(w http.ResponseWriter, r *http.Request, status int, v web.AccountsView, audit bool) {
	users, err := s.admin.StaffUsers(r.Context())
	if err == nil && audit {
		err = s.audit(r, staff.ActionListAccounts, "staff_user", fmt.Sprintf("%d shown", len(users)))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Accounts, v.Me = users, currentStaff(r.Context()).ID
	s.render(w, r, status, web.AdminAccounts(s.adminPage(r, "AdminAccountsTitle"), v))
}

// newPasswordErrors checks a new password typed twice, for the fields
// wachtwoord and herhaal.
func newPasswordErrors(errs map[string]string, password, again string) {
	switch err := staff.CheckNewPassword(password, again); {
	case errors.Is(err, staff.ErrWeakPassword):
		errs["wachtwoord"] = "AdminAccountsErrWeak"
	case errors.Is(err, staff.ErrPasswordsDiffer):
		errs["herhaal"] = "AdminAccountsErrDiffer"
	}
}

// handleAdminAccountAdd adds an account with the rules of the command
// line's add-user. A form with errors comes back with the address typed
// (passwords are never written into a page).
func (s *Server) handleAdminAccountAdd(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errBadRequest)
		return
	}
	email, password := r.PostForm.Get("email"), r.PostForm.Get("wachtwoord")
	v := web.AccountsView{Email: email, Errors: map[string]string{}}
	if _, err := staff.NormalizeEmail(email); err != nil {
		v.Errors["email"] = "AdminAccountsErrEmail"
	}
	newPasswordErrors(v.Errors, password, r.PostForm.Get("herhaal"))
	if len(v.Errors) == 0 {
		u, err := staff.AddAccount(ctx, s.admin, currentStaff(ctx), email, password)
		switch {
		case errors.Is(err, staff.ErrExists):
			v.Errors["email"] = "AdminAccountsErrExists"
		case err != nil:
			s.fail(w, r, err)
			return
		default:
			http.Redirect(w, r, fmt.Sprintf("/admin/medewerkers?klaar=toegevoegd&id=%d", u.ID), http.StatusSeeOther)
			return
		}
	}
	s.renderAccounts(w, r, http.StatusUnprocessableEntity, v, false)
}

// accountOf reads the account the address names; a missing one fails the
// request with the 404 page.
func (s *Server) accountOf(w http.ResponseWriter, r *http.Request) (staff.User, bool) {
	id, ok := idParam(r)
	if !ok {
		s.fail(w, r, errNotFound)
		return staff.User{}, false
	}
	u, err := s.admin.StaffUser(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return staff.User{}, false
	}
	return u, true
}

func (s *Server) handleAdminAccountDisable(w http.ResponseWriter, r *http.Request) {
	target, ok := s.accountOf(w, r)
	if !ok {
		return
	}
	if err := staff.DisableAccount(r.Context(), s.admin, currentStaff(r.Context()), target, s.now()); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/medewerkers?klaar=uitgeschakeld&id=%d", target.ID), http.StatusSeeOther)
}

func (s *Server) handleAdminAccountEnable(w http.ResponseWriter, r *http.Request) {
	target, ok := s.accountOf(w, r)
	if !ok {
		return
	}
	if err := staff.EnableAccount(r.Context(), s.admin, currentStaff(r.Context()), target); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/medewerkers?klaar=ingeschakeld&id=%d", target.ID), http.StatusSeeOther)
}

func (s *Server) handleAdminPasswordForm(w http.ResponseWriter, r *http.Request) {
	target, ok := s.accountOf(w, r)
	if !ok {
		return
	}
	s.renderPasswordForm(w, r, http.StatusOK, target, nil)
}

func (s *Server) renderPasswordForm(w http.ResponseWriter, r *http.Request, status int, target staff.User, errs map[string]string) {
	v := web.PasswordView{Account: target, Self: target.ID == currentStaff(r.Context()).ID, Errors: errs}
	s.render(w, r, status, web.AdminPassword(s.adminPage(r, "AdminPasswordTitle"), v))
}

// handleAdminPassword sets an account's new password, which ends the
// sessions open with the old one. Staff who set their own stay signed in
// here, with a fresh session token.
func (s *Server) handleAdminPassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	target, ok := s.accountOf(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errBadRequest)
		return
	}
	password := r.PostForm.Get("wachtwoord")
	errs := map[string]string{}
	newPasswordErrors(errs, password, r.PostForm.Get("herhaal"))
	if len(errs) > 0 {
		s.renderPasswordForm(w, r, http.StatusUnprocessableEntity, target, errs)
		return
	}
	if err := staff.ResetPassword(ctx, s.admin, currentStaff(ctx), target, password); err != nil {
		s.fail(w, r, err)
		return
	}
	if target.ID == currentStaff(ctx).ID {
		u, err := s.admin.StaffUser(ctx, target.ID)
		if err == nil {
			err = s.sessions.RenewToken(ctx)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.sessions.Put(ctx, sessionCredential, u.CredentialVersion)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/medewerkers?klaar=wachtwoord&id=%d", target.ID), http.StatusSeeOther)
}

package staff

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"conpro/internal/brussels"
)

// Action is what a staff member did, as the audit log records it. Staff
// never read it as such: the staff area describes each action in words, so
// every action the code records must be one of Actions.
type Action string

// The actions the code records.
const (
	ActionLogin         Action = "login"
	ActionLogout        Action = "logout"
	ActionAccountLocked Action = "account_locked"
	ActionListMessages  Action = "list_messages"
	ActionReadMessage   Action = "read_message"
	ActionMarkHandled   Action = "mark_handled"
	ActionMarkOpen      Action = "mark_open"
	ActionMarkNotSpam   Action = "mark_not_spam"
	ActionDeleteMessage Action = "delete_message"
	// ActionDownloadQuoteFile: a file of a quote request was downloaded.
	ActionDownloadQuoteFile Action = "download_quote_file"
	ActionExportCSV         Action = "export_csv"
	ActionListRequests      Action = "list_requests"
	ActionHandleRequest     Action = "handle_request"
	ActionListMail          Action = "list_mail"
	ActionRetryMail         Action = "retry_mail"
	ActionLookupConsent     Action = "lookup_consent"
	ActionExportConsent     Action = "export_consent"
	ActionViewAudit         Action = "view_audit"
	ActionVerifyLog         Action = "verify_consent_log"

	ActionListPolicy     Action = "list_policy"
	ActionNewPolicyDraft Action = "new_policy_draft"
	ActionEditPolicy     Action = "edit_policy_draft"
	ActionPreviewPolicy  Action = "preview_policy"
	ActionComparePolicy  Action = "compare_policy"
	ActionPublishPolicy  Action = "publish_policy"
	ActionUploadPhoto    Action = "upload_photo"
	ActionDeletePhoto    Action = "delete_photo"

	ActionNewProject       Action = "new_project"
	ActionEditProject      Action = "edit_project"
	ActionPublishProject   Action = "publish_project"
	ActionUnpublishProject Action = "unpublish_project"
	ActionListPages        Action = "list_pages"
	ActionNewPage          Action = "new_page"
	ActionEditPage         Action = "edit_page"
	ActionPreviewPage      Action = "preview_page"
	ActionPublishPage      Action = "publish_page"
	ActionUnpublishPage    Action = "unpublish_page"
	ActionPageRevisions    Action = "page_revisions"
	ActionRestorePage      Action = "restore_page"
	ActionMovePage         Action = "move_page"
)

// Actions lists every action, in the order of the staff menu: signing in,
// the messages, the requests, the consent lookup, the mail, the audit log.
func Actions() []Action {
	return []Action{
		ActionLogin, ActionLogout, ActionAccountLocked,
		ActionListMessages, ActionReadMessage, ActionMarkHandled, ActionMarkOpen, ActionMarkNotSpam, ActionDeleteMessage, ActionExportCSV, ActionDownloadQuoteFile,
		ActionListRequests, ActionHandleRequest,
		ActionLookupConsent, ActionExportConsent,
		ActionListMail, ActionRetryMail,
		ActionViewAudit,
		ActionListAccounts, ActionAddAccount, ActionDisableAccount, ActionEnableAccount, ActionResetPassword,
		ActionVerifyLog,
		ActionServiceOn, ActionServiceOff, ActionServiceID, ActionServiceLocation,
		ActionListPolicy, ActionNewPolicyDraft, ActionEditPolicy, ActionPreviewPolicy, ActionComparePolicy, ActionPublishPolicy,
		ActionUploadPhoto, ActionDeletePhoto,
		ActionNewProject, ActionEditProject, ActionPublishProject, ActionUnpublishProject,
		ActionListPages, ActionNewPage, ActionEditPage, ActionPreviewPage, ActionPublishPage, ActionUnpublishPage, ActionPageRevisions, ActionRestorePage, ActionMovePage,
	}
}

// Known reports whether a is one of Actions.
func (a Action) Known() bool { return slices.Contains(Actions(), a) }

// lockDetail is the detail of an ActionAccountLocked entry.
const lockDetail = "%d wrong passwords; locked for %s"

// AuditFacts is what an entry's target and detail say, read back from the
// short texts the log keeps ("contact_message:12", "2 shown, filter open,
// search"), for the staff area to put into words.
type AuditFacts struct {
	// Record is the kind of record the action was on: "contact_message",
	// "privacy_request", "mail_outbox", "consent_id", "audit_log"; empty
	// for none.
	Record string
	// Number is the record's number; 0 for an action on a whole list.
	Number int64
	// ConsentID is the consent ID that was looked up.
	ConsentID string
	// Shown is how many records a list showed, Exported how many an export
	// held; -1 when the detail does not say.
	Shown, Exported int
	// Filter is the state a list was narrowed to ("open", "afgehandeld");
	// Searched is set when a search term narrowed it (the term itself is
	// not kept).
	Filter   string
	Searched bool
	// WrongPasswords and LockedFor say why, and for how long, an account
	// was locked.
	WrongPasswords int
	LockedFor      time.Duration
	// Service is the key of the vendor a services action changed; Value
	// what it was changed to (its ID, or its description).
	Service, Value string
	// Unread holds the parts of the target and detail that say something
	// else, verbatim, so that nothing recorded goes unshown.
	Unread []string
}

// Facts reads the entry's target and detail.
func (e AuditEntry) Facts() AuditFacts {
	f := AuditFacts{Shown: -1, Exported: -1}
	kind, rest, found := strings.Cut(e.Target, ":")
	f.Record = kind
	switch n, err := strconv.ParseInt(rest, 10, 64); {
	case !found:
	case kind == "service":
		f.Service = rest
		// The detail is what was typed, commas and all.
		f.Value = e.Detail
		return f
	case kind == "consent_id":
		f.ConsentID = rest
	case err == nil && n > 0:
		f.Number = n
	default:
		f.Unread = append(f.Unread, e.Target)
	}

	if e.Detail == "" {
		return f
	}
	if e.Action == ActionAccountLocked {
		var wrong int
		var lockedFor string
		if _, err := fmt.Sscanf(e.Detail, lockDetail, &wrong, &lockedFor); err == nil {
			if d, err := time.ParseDuration(lockedFor); err == nil {
				f.WrongPasswords, f.LockedFor = wrong, d
				return f
			}
		}
		f.Unread = append(f.Unread, e.Detail)
		return f
	}
	for part := range strings.SplitSeq(e.Detail, ", ") {
		count, what, _ := strings.Cut(part, " ")
		n, err := strconv.Atoi(count)
		switch {
		case err == nil && n >= 0 && what == "shown":
			f.Shown = n
		case err == nil && n >= 0 && what == "messages":
			f.Exported = n
		case count == "filter" && what != "":
			f.Filter = what
		case part == "search":
			f.Searched = true
		default:
			f.Unread = append(f.Unread, part)
		}
	}
	return f
}

// AuditLimit is how many entries the audit log shows at once, the newest.
const AuditLimit = 500

// AuditFilter selects audit entries: by the staff member's address, by
// action, and from one instant until (not including) another. A zero field
// does not narrow.
type AuditFilter struct {
	StaffEmail  string
	Action      Action
	From, Until time.Time
	Limit       int
}

// AuditSearch is the audit log's filter form as typed: a staff member's
// address (wie), an action (wat), and the first and last day (van, tot,
// as 2006-01-02), each of which may be empty.
type AuditSearch struct {
	Person, Action, From, To string
}

// The fields of AuditSearch, as the form and its errors name them.
const (
	SearchPerson = "wie"
	SearchAction = "wat"
	SearchFrom   = "van"
	SearchTo     = "tot"
)

// SearchErrors maps each field of an AuditSearch that cannot be used to
// the message ID that says why.
type SearchErrors map[string]string

// Empty reports whether the search narrows nothing.
func (s AuditSearch) Empty() bool { return s == AuditSearch{} }

// Filter checks the search against the people the log knows and turns it
// into a filter of the newest AuditLimit entries; the days are Belgian
// calendar days, the last one included.
func (s AuditSearch) Filter(people []string) (AuditFilter, SearchErrors) {
	f := AuditFilter{Limit: AuditLimit}
	errs := SearchErrors{}
	if s.Person != "" {
		if !slices.Contains(people, s.Person) {
			errs[SearchPerson] = "AuditErrPerson"
		}
		f.StaffEmail = s.Person
	}
	if s.Action != "" {
		if !Action(s.Action).Known() {
			errs[SearchAction] = "AuditErrAction"
		}
		f.Action = Action(s.Action)
	}
	day := func(field, text string) time.Time {
		if text == "" {
			return time.Time{}
		}
		d, err := time.ParseInLocation(time.DateOnly, text, brussels.Location())
		if err != nil {
			errs[field] = "AuditErrDate"
		}
		return d
	}
	from, to := day(SearchFrom, s.From), day(SearchTo, s.To)
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		errs[SearchTo] = "AuditErrPeriod"
	}
	f.From = from
	if !to.IsZero() {
		f.Until = to.AddDate(0, 0, 1) // the next midnight: a day of 23 or 25 hours ends there too
	}
	if len(errs) > 0 {
		return AuditFilter{}, errs
	}
	return f, nil
}

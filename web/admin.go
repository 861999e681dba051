package web

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"

	"conpro/internal/brussels"
	"conpro/internal/locale"
	"conpro/internal/privacyrequest"
	"conpro/internal/staff"
)

// dateOnly writes a day for staff, in Belgian time.
func dateOnly(ctx context.Context, t time.Time) string {
	t = brussels.In(t)
	if locale.LangOf(ctx) == locale.NL {
		return DutchDate(t)
	}
	return t.Format("2006-01-02")
}

// staffFieldOrder is the order of the fields of the staff forms, for the
// focus on the first one in error.
var staffFieldOrder = []string{"email", "wachtwoord", "herhaal"}

func firstStaffError(errs map[string]string) string {
	for _, f := range staffFieldOrder {
		if errs[f] != "" {
			return f
		}
	}
	return ""
}

// staffDescribedBy links a staff form's input to its hint and its error.
func staffDescribedBy(errs map[string]string, name, hintID string) string {
	var ids []string
	if hintID != "" {
		ids = append(ids, name+"-hint")
	}
	if errs[name] != "" {
		ids = append(ids, name+"-fout")
	}
	return strings.Join(ids, " ")
}

// requestDue says by when a request must be answered and how that stands
// at now; empty for a request without a deadline.
func requestDue(ctx context.Context, q staff.QueuedRequest, now time.Time) string {
	deadline, ok := q.Deadline()
	if !ok {
		return ""
	}
	date := dateOnly(ctx, deadline)
	if q.Status != "queued" {
		if q.HandledAt == nil {
			return T(ctx, "AdminDeadlineOn", map[string]any{"Date": date})
		}
		return T(ctx, "AdminDeadlineHandled", map[string]any{"Date": date, "Handled": dateOnly(ctx, *q.HandledAt)})
	}
	switch left := privacyrequest.DaysLeft(deadline, now); {
	case left < 0:
		return T(ctx, "AdminDeadlinePast", map[string]any{"Date": date, "Count": -left})
	case left == 0:
		return T(ctx, "AdminDeadlineToday", map[string]any{"Date": date})
	default:
		return T(ctx, "AdminDeadlineLeft", map[string]any{"Date": date, "Count": left})
	}
}

// inboxStateKey names a view of the inbox in message IDs
// (AdminShow_<key>, AdminInboxCount_<key>).
func inboxStateKey(st staff.InboxState) string {
	if st == staff.InboxAll {
		return "alle"
	}
	return string(st)
}

// inboxURL is the address of a view of the inbox, with a search term.
func inboxURL(st staff.InboxState, search string) templ.SafeURL {
	q := url.Values{}
	if st != staff.InboxAll {
		q.Set("toon", string(st))
	}
	if search != "" {
		q.Set("zoek", search)
	}
	if len(q) == 0 {
		return "/admin/berichten"
	}
	return templ.SafeURL("/admin/berichten?" + q.Encode())
}

// languageWord names the language a visitor wrote in (nl, fr, en) as a
// word staff read, in the language of the staff page.
func languageWord(ctx context.Context, code string) string {
	switch code {
	case "nl", "fr", "en":
		return T(ctx, "AdminLanguage_"+code)
	}
	return code
}

package web

import (
	"context"
	"strings"

	"github.com/a-h/templ"

	"conpro/internal/consent"
	"conpro/internal/staff"
)

// AuditView is what the audit log page shows: the filter form as typed,
// what is wrong with it, and the entries it selects.
type AuditView struct {
	Search staff.AuditSearch
	// Errors holds a message ID per field that cannot be used; the page
	// then lists no entries.
	Errors staff.SearchErrors
	// People are the addresses the log knows, for the form's choice.
	People  []string
	Entries []staff.AuditEntry
}

// Full reports whether the entries stop at the limit, so that older ones
// matching the filter exist but are not shown.
func (v AuditView) Full() bool { return len(v.Entries) >= staff.AuditLimit }

// auditFields lists the filter's fields in the order of the form.
func auditFields() []string {
	return []string{staff.SearchPerson, staff.SearchAction, staff.SearchFrom, staff.SearchTo}
}

// auditActionName names an action as the filter offers it ("Bericht
// verwijderd").
func auditActionName(ctx context.Context, a staff.Action) string {
	if !a.Known() {
		return string(a)
	}
	return T(ctx, "AuditAction_"+string(a))
}

// auditSentence writes an audit entry as a sentence in the reader's
// language: what was done, to which record, and the particulars the entry
// keeps ("Bekeek de berichten (2 getoond, alleen de open berichten)").
func auditSentence(ctx context.Context, e staff.AuditEntry) string {
	f := e.Facts()
	var s string
	switch {
	case f.Service != "":
		return serviceSentence(ctx, e.Action, f)
	case e.Action.Known():
		s = T(ctx, "AuditDid_"+string(e.Action), map[string]any{"Number": f.Number, "ID": f.ConsentID})
	default:
		// Not reached while every action the code records is described
		// (a test holds them together); an old or foreign entry still
		// shows what it says.
		s = T(ctx, "AuditDidOther", map[string]any{"Name": string(e.Action)})
	}
	var more []string
	if f.Shown >= 0 {
		more = append(more, T(ctx, "AuditShown", map[string]any{"Count": f.Shown}))
	}
	switch f.Filter {
	case "":
	case "open", "afgehandeld", "spam":
		more = append(more, T(ctx, "AuditFilter_"+f.Filter))
	default:
		more = append(more, T(ctx, "AuditFilterOther", map[string]any{"Name": f.Filter}))
	}
	if f.Searched {
		more = append(more, T(ctx, "AuditSearched"))
	}
	if f.Exported >= 0 {
		more = append(more, T(ctx, "AuditExported", map[string]any{"Count": f.Exported}))
	}
	if f.WrongPasswords > 0 {
		more = append(more, T(ctx, "AuditWrongPasswords", map[string]any{"Count": f.WrongPasswords}))
	}
	if f.LockedFor > 0 {
		more = append(more, T(ctx, "AuditLockedFor", map[string]any{"Duration": lifetime(ctx, f.LockedFor)}))
	}
	more = append(more, f.Unread...)
	if len(more) > 0 {
		s += " (" + strings.Join(more, ", ") + ")"
	}
	return s
}

// serviceSentence tells a change on the services page: which service was
// switched on or off, with which ID, or what its description became.
func serviceSentence(ctx context.Context, a staff.Action, f staff.AuditFacts) string {
	data := map[string]any{"Name": consent.VendorName(f.Service), "Value": f.Value}
	switch {
	case !a.Known():
		return T(ctx, "AuditDidOther", map[string]any{"Name": string(a)}) + " (" + f.Service + ")"
	case a == staff.ActionServiceLocation && f.Value == "":
		return T(ctx, "AuditDid_service_location_default", data)
	case (a == staff.ActionServiceOn || a == staff.ActionServiceID) && f.Value == "":
		return T(ctx, "AuditDid_"+string(a)+"_plain", data)
	}
	return T(ctx, "AuditDid_"+string(a), data)
}

// auditInvalid marks a field of the audit filter that cannot be used, and
// points it at its message.
func auditInvalid(v AuditView, name string) templ.Attributes {
	if _, bad := v.Errors[name]; !bad {
		return nil
	}
	return templ.Attributes{"aria-invalid": "true", "aria-describedby": name + "-fout"}
}

package staff_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"conpro/internal/staff"
)

func TestFacts_ReadsTheTargetsAndDetailsTheCodeWrites(t *testing.T) {
	none := staff.AuditFacts{Shown: -1, Exported: -1}
	with := func(edit func(*staff.AuditFacts)) staff.AuditFacts {
		f := none
		edit(&f)
		return f
	}
	for _, tc := range []struct {
		entry staff.AuditEntry
		want  staff.AuditFacts
	}{
		{staff.AuditEntry{Action: staff.ActionLogin}, none},
		{staff.AuditEntry{Action: staff.ActionDeleteMessage, Target: "contact_message:12"},
			with(func(f *staff.AuditFacts) { f.Record, f.Number = "contact_message", 12 })},
		{staff.AuditEntry{Action: staff.ActionLookupConsent, Target: "consent_id:AbCdEfGhIjKlMnOpQrStUv"},
			with(func(f *staff.AuditFacts) { f.Record, f.ConsentID = "consent_id", "AbCdEfGhIjKlMnOpQrStUv" })},
		{staff.AuditEntry{Action: staff.ActionListMessages, Target: "contact_message", Detail: "2 shown"},
			with(func(f *staff.AuditFacts) { f.Record, f.Shown = "contact_message", 2 })},
		{staff.AuditEntry{Action: staff.ActionListMessages, Target: "contact_message", Detail: "0 shown, filter afgehandeld, search"},
			with(func(f *staff.AuditFacts) {
				f.Record, f.Shown, f.Filter, f.Searched = "contact_message", 0, "afgehandeld", true
			})},
		{staff.AuditEntry{Action: staff.ActionExportCSV, Target: "contact_message", Detail: "12 messages"},
			with(func(f *staff.AuditFacts) { f.Record, f.Exported = "contact_message", 12 })},
		{staff.AuditEntry{Action: staff.ActionAccountLocked, Detail: fmt.Sprintf("%d wrong passwords; locked for %s", staff.MaxFailures, staff.LockFor)},
			with(func(f *staff.AuditFacts) { f.WrongPasswords, f.LockedFor = staff.MaxFailures, staff.LockFor })},
		// What it cannot read, it keeps, rather than drop.
		{staff.AuditEntry{Action: staff.ActionRetryMail, Target: "mail_outbox:x", Detail: "2 shown, by hand"},
			with(func(f *staff.AuditFacts) {
				f.Record, f.Shown, f.Unread = "mail_outbox", 2, []string{"mail_outbox:x", "by hand"}
			})},
		{staff.AuditEntry{Action: staff.ActionAccountLocked, Detail: "too many"},
			with(func(f *staff.AuditFacts) { f.Unread = []string{"too many"} })},
	} {
		if got := tc.entry.Facts(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s %q %q:\n got %+v\nwant %+v", tc.entry.Action, tc.entry.Target, tc.entry.Detail, got, tc.want)
		}
	}
}

func TestAuditSearch_ChecksEachFieldAndReadsDaysInBelgianTime(t *testing.T) {
	people := []string{"els@conpro-bvba.be", "jan@conpro-bvba.be"}
	f, errs := staff.AuditSearch{Person: "jan@conpro-bvba.be", Action: "delete_message", From: "2025-03-30", To: "2025-03-30"}.Filter(people)
	if errs != nil {
		t.Fatalf("a good search: %v", errs)
	}
	// 30 March 2025 is the night the clocks go forward: a day of 23 hours,
	// from 23:00 UTC the day before.
	if got, want := f.From.UTC().Format(time.RFC3339)+" "+f.Until.UTC().Format(time.RFC3339), "2025-03-29T23:00:00Z 2025-03-30T22:00:00Z"; got != want {
		t.Errorf("from–until %s, want %s", got, want)
	}
	if f.StaffEmail != "jan@conpro-bvba.be" || f.Action != staff.ActionDeleteMessage || f.Limit != staff.AuditLimit {
		t.Errorf("filter %+v", f)
	}
	if f, errs := (staff.AuditSearch{}).Filter(nil); errs != nil || !f.From.IsZero() || !f.Until.IsZero() || f.StaffEmail != "" || f.Action != "" {
		t.Errorf("an empty search narrows: %+v %v", f, errs)
	}

	for _, tc := range []struct {
		search staff.AuditSearch
		want   staff.SearchErrors
	}{
		{staff.AuditSearch{Person: "niemand@example.be"}, staff.SearchErrors{"wie": "AuditErrPerson"}},
		{staff.AuditSearch{Person: "els@conpro-bvba.be\x00"}, staff.SearchErrors{"wie": "AuditErrPerson"}},
		{staff.AuditSearch{Action: "drop_table"}, staff.SearchErrors{"wat": "AuditErrAction"}},
		{staff.AuditSearch{Action: "\xff"}, staff.SearchErrors{"wat": "AuditErrAction"}},
		{staff.AuditSearch{From: "2025-02-30"}, staff.SearchErrors{"van": "AuditErrDate"}},
		{staff.AuditSearch{From: "1/3/2025", To: "morgen"}, staff.SearchErrors{"van": "AuditErrDate", "tot": "AuditErrDate"}},
		{staff.AuditSearch{From: "2025-03-02", To: "2025-03-01"}, staff.SearchErrors{"tot": "AuditErrPeriod"}},
	} {
		if _, errs := tc.search.Filter(people); !reflect.DeepEqual(errs, tc.want) {
			t.Errorf("%+v: errors %v, want %v", tc.search, errs, tc.want)
		}
	}
}

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
)

// reconciliation compares what the site acknowledged with what the
// database holds.
type reconciliation struct {
	settled time.Duration // from the end of the load until the rows were all there

	consentAcked, consentFound, consentDup int
	consentMissing                         []string
	consentExtra                           int // stored choices nobody was told were saved
	spoolLeft                              int // files still waiting in the spool

	contactAcked, contactFound, contactDup int
	contactMissing                         []string
	contactNoMail                          int // stored messages without their notification row
	contactExtra                           int
}

func (r reconciliation) ok() bool {
	return len(r.consentMissing) == 0 && r.consentDup == 0 &&
		len(r.contactMissing) == 0 && r.contactDup == 0 && r.contactNoMail == 0
}

func reconcile(ctx context.Context, dbURL string, l *load, wait time.Duration) (reconciliation, error) {
	var rec reconciliation
	consents := map[string]bool{}
	contacts := map[string]bool{}
	for _, r := range l.results {
		switch {
		case !r.ack:
		case r.kind == postConsent:
			consents[r.id] = true
		case r.kind == postContact:
			contacts[r.id] = true
		}
	}
	rec.consentAcked, rec.contactAcked = len(consents), len(contacts)
	ids := make([]string, 0, len(consents))
	for id := range consents {
		ids = append(ids, id)
	}

	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return rec, fmt.Errorf("reconcile: %w", err)
	}
	defer conn.Close(context.Background())

	// Choices spooled during the outage reach the table when the server
	// replays them: wait for that, within bounds.
	began := time.Now()
	for {
		var n int
		err := conn.QueryRow(ctx, `SELECT count(DISTINCT consent_id) FROM consent_event WHERE consent_id = ANY($1)`, ids).Scan(&n)
		if err != nil {
			return rec, fmt.Errorf("reconcile: %w", err)
		}
		if n == len(ids) || time.Since(began) > wait {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	rec.settled = time.Since(began)

	rows, err := conn.Query(ctx, `SELECT consent_id, count(*) FROM consent_event GROUP BY consent_id`)
	if err != nil {
		return rec, fmt.Errorf("reconcile: %w", err)
	}
	stored := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return rec, err
		}
		stored[id] = n
	}
	if err := rows.Err(); err != nil {
		return rec, err
	}
	for id, n := range stored {
		switch {
		case !consents[id]:
			rec.consentExtra += n
		case n > 1:
			rec.consentDup += n - 1
		}
	}
	for id := range consents {
		if stored[id] == 0 {
			rec.consentMissing = append(rec.consentMissing, id)
		} else {
			rec.consentFound++
		}
	}

	rows, err = conn.Query(ctx, `
		SELECT substring(m.message FROM 'chaos-[0-9]{6}'), count(DISTINCT m.id), count(o.id)
		FROM contact_message m LEFT JOIN mail_outbox o ON o.contact_message_id = m.id
		GROUP BY 1`)
	if err != nil {
		return rec, fmt.Errorf("reconcile: %w", err)
	}
	type counts struct{ messages, mails int }
	msgs := map[string]counts{}
	for rows.Next() {
		var marker *string
		var c counts
		if err := rows.Scan(&marker, &c.messages, &c.mails); err != nil {
			return rec, err
		}
		if marker == nil {
			rec.contactExtra += c.messages
			continue
		}
		msgs[*marker] = c
	}
	if err := rows.Err(); err != nil {
		return rec, err
	}
	for marker, c := range msgs {
		switch {
		case !contacts[marker]:
			rec.contactExtra += c.messages
		case c.messages > 1:
			rec.contactDup += c.messages - 1
		}
		if contacts[marker] && c.mails != c.messages {
			rec.contactNoMail += c.messages - min(c.mails, c.messages)
		}
	}
	for marker := range contacts {
		if msgs[marker].messages == 0 {
			rec.contactMissing = append(rec.contactMissing, marker)
		} else {
			rec.contactFound++
		}
	}

	files, _ := filepath.Glob(filepath.Join(l.o.out, "spool-*", "*"))
	for _, f := range files {
		if st, err := os.Stat(f); err == nil && st.Mode().IsRegular() {
			rec.spoolLeft++
		}
	}
	return rec, nil
}

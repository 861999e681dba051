package server_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"conpro/internal/browsertest"
)

// TestBrowser_AnAccessRequestFromFormToDownload: a visitor asks what is
// stored about them, opens the link from the mail, confirms and downloads.
func TestBrowser_AnAccessRequestFromFormToDownload(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.sendContact(t, "Jan Peeters", "jan@example.be", "Graag een offerte voor een carport.")
	b := browsertest.New(t, browsertest.Options{})
	b.Navigate(t, s.URL+"/privacy/verzoek")
	if err := chromedp.Do(b.Ctx,
		chromedp.Click(chromedp.ID("soort-inzage")),
		chromedp.SendKeys(chromedp.ID("email"), "jan@example.be"),
	); err != nil {
		t.Fatal(err)
	}
	b.ClickAndWait(t, `.request-form button[type="submit"]`)
	if h1, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS("h1"))); err != nil || h1 != "Kijk in uw mailbox" {
		t.Fatalf("after sending: %q %v", h1, err)
	}

	var body string
	if err := s.db.Pool().QueryRow(context.Background(), `SELECT body_text FROM mail_outbox WHERE kind = 'privacy_verification'`).Scan(&body); err != nil {
		t.Fatal(err)
	}
	token := linkToken.FindStringSubmatch(body)[1]
	// The mail links to the public site; the test server stands in for it.
	b.Navigate(t, s.URL+"/privacy/verzoek/bevestig?t="+token)
	b.ClickAndWait(t, `.confirm-form button`)
	page, err := chromedp.Run(b.Ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil || !strings.Contains(page, "carport") {
		t.Fatalf("access page: %q %v", page, err)
	}

	file := b.Download(t, `.download-form button`)
	var x struct {
		Email           string `json:"email"`
		ContactMessages []struct {
			Message string `json:"message"`
		} `json:"contact_messages"`
	}
	if err := json.Unmarshal(file, &x); err != nil {
		t.Fatalf("downloaded file: %v\n%s", err, file)
	}
	if x.Email != "jan@example.be" || len(x.ContactMessages) != 1 || !strings.Contains(x.ContactMessages[0].Message, "carport") {
		t.Fatalf("downloaded %+v", x)
	}
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
}

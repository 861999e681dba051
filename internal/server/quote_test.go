package server_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"conpro/internal/mail"
	"conpro/internal/mail/smtptest"
	"conpro/internal/media/mediatest"
)

// aPlan is a small PDF as a drawing program writes it.
var aPlan = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// sentFile is a file as a browser posts it: its name and content.
type sentFile struct {
	name string
	data []byte
}

// quoteForm is a valid quote request, with a token from the form as shown.
func (s *site) quoteForm(t *testing.T) url.Values {
	t.Helper()
	body := s.get(t, "/offerte").Body
	m := regexp.MustCompile(`name="t" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("the quote form carries no token")
	}
	return url.Values{
		"t":        {m[1]},
		"soort":    {"dak"},
		"postcode": {"2600"},
		"planning": {"3maanden"},
		"bericht":  {"Ons dak lekt bij de schouw; graag een offerte voor nieuwe pannen en isolatie."},
		"naam":     {"An Janssens"},
		"email":    {"an.janssens@example.be"},
		"telefoon": {"03 218 47 20"},
		"website":  {""},
	}
}

// postQuote posts the form as a browser does: multipart, the text fields,
// then each file under the field bestanden with the type its name suggests.
func (s *site) postQuote(t *testing.T, form url.Values, files []sentFile, header ...string) response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if len(files) == 0 {
		files = []sentFile{{}} // the field with no file chosen, as browsers send it
	}
	for _, f := range files {
		h := map[string][]string{
			"Content-Disposition": {fmt.Sprintf(`form-data; name="bestanden"; filename=%q`, f.name)},
			"Content-Type":        {"application/octet-stream"},
		}
		part, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write(f.data)
	}
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/offerte", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return s.do(t, req)
}

type storedFile struct {
	Name, Type string
	Data       []byte
}

func (s *site) quoteFiles(t *testing.T) []storedFile {
	t.Helper()
	rows, err := s.db.Pool().Query(context.Background(), `SELECT file_name, content_type, data FROM quote_attachment ORDER BY contact_message_id, position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedFile
	for rows.Next() {
		var f storedFile
		if err := rows.Scan(&f.Name, &f.Type, &f.Data); err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

// metadataMarkers are what a phone's JPEG carries beside its pixels.
var metadataMarkers = []string{"Exif", "http://ns.adobe.com/xap", "ICC_PROFILE", mediatest.GPSMarker, mediatest.XMPMarker, mediatest.CommentMarker}

func TestQuote_FormHasLabelledFieldsAndIsLinkedFromTheHomePageAndContact(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	_, cookie := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	withConsent := []string{"Cookie", cookie.Name + "=" + cookie.Value}
	page := s.get(t, "/offerte", withConsent...)
	if page.StatusCode != 200 {
		t.Fatalf("GET /offerte: %d", page.StatusCode)
	}
	for _, want := range []string{
		`<h1>Offerte aanvragen</h1>`, `enctype="multipart/form-data"`, `method="post" action="/offerte"`,
		`type="radio" name="soort" id="soort-nieuwbouw" value="nieuwbouw"`, `id="soort-gevel"`, `id="soort-dak"`, `id="soort-andere"`,
		`<label for="postcode">`, `autocomplete="postal-code"`, `inputmode="numeric"`,
		`type="radio" name="planning"`, `<textarea id="bericht" name="bericht"`,
		`type="file" id="bestanden" name="bestanden"`, ` multiple`, `accept="image/jpeg,image/png,image/webp,application/pdf`,
		`<label for="naam">`, `<label for="email">`, `<label for="telefoon">`,
		`href="/privacy#contactformulier-en-e-mails"`, "Tot 5 bestanden",
	} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("/offerte lacks %s", want)
		}
	}
	// A visitor who allowed every vendor gets them on the home page, but
	// not where they type their address and describe their house.
	if strings.Contains(page.Header.Get("Content-Security-Policy"), "googletagmanager") || strings.Contains(page.Body, "googletagmanager") {
		t.Error("the quote form carries a vendor script")
	}
	home := s.get(t, "/", withConsent...)
	if !strings.Contains(home.Body, "googletagmanager") {
		t.Error("the home page carries no vendor script: the check above proves nothing")
	}
	if !strings.Contains(home.Body, `href="/offerte"`) {
		t.Error("the home page does not link /offerte")
	}
	if !strings.Contains(s.get(t, "/contact").Body, `<a href="/offerte">`) {
		t.Error("/contact does not link /offerte")
	}
	if fr := s.get(t, "/offerte", "Accept-Language", "fr"); !strings.Contains(fr.Body, "Demander un devis") {
		t.Error("the French form is not in French")
	}
}

func TestQuote_AQuoteWithAGPSPhotoAndAPDFPlanIsStoredWithoutTheExif(t *testing.T) {
	s := newSite(t, siteOptions{})
	photo := mediatest.JPEGWithGPS(2400, 1800, 1)
	res := s.postQuote(t, s.quoteForm(t), []sentFile{{"C:\\Users\\An\\dak lek.jpeg", photo}, {"plan.pdf", aPlan}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/offerte/bedankt" {
		t.Fatalf("POST /offerte: %d to %q\n%.600s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	var kind, work, postcode, timing, message string
	err := s.db.Pool().QueryRow(context.Background(), `
		SELECT m.kind, q.work, q.postcode, q.timing, m.message FROM contact_message m JOIN quote_request q ON q.contact_message_id = m.id`).
		Scan(&kind, &work, &postcode, &timing, &message)
	if err != nil || kind != "quote" || work != "dak" || postcode != "2600" || timing != "3maanden" || !strings.Contains(message, "schouw") {
		t.Fatalf("stored %q %q %q %q %q, %v", kind, work, postcode, timing, message, err)
	}
	files := s.quoteFiles(t)
	if len(files) != 2 {
		t.Fatalf("%d files stored, want 2", len(files))
	}
	jpg, pdf := files[0], files[1]
	if jpg.Name != "dak lek.jpg" || jpg.Type != "image/jpeg" || !bytes.HasPrefix(jpg.Data, []byte{0xFF, 0xD8}) {
		t.Fatalf("photo stored as %q %q", jpg.Name, jpg.Type)
	}
	for _, m := range metadataMarkers {
		if bytes.Contains(jpg.Data, []byte(m)) {
			t.Errorf("the stored photo still holds %q", m)
		}
	}
	if len(jpg.Data) >= len(photo) {
		t.Errorf("the photo was kept at %d bytes, sent %d: not made smaller", len(jpg.Data), len(photo))
	}
	if pdf.Name != "plan.pdf" || pdf.Type != "application/pdf" || !bytes.Equal(pdf.Data, aPlan) {
		t.Fatalf("plan stored as %q %q (%d bytes)", pdf.Name, pdf.Type, len(pdf.Data))
	}
	var kinds []string
	rows, _ := s.db.Pool().Query(context.Background(), `SELECT kind || ' ' || to_addr || ' ' || subject FROM mail_outbox ORDER BY id`)
	for rows.Next() {
		var k string
		_ = rows.Scan(&k)
		kinds = append(kinds, k)
	}
	rows.Close()
	if len(kinds) != 2 || !strings.HasPrefix(kinds[0], "quote_notification info@conpro-bvba.be Offerteaanvraag via conpro-bouw.be — ") ||
		!strings.HasPrefix(kinds[1], "quote_confirmation an.janssens@example.be ") {
		t.Fatalf("outbox: %v", kinds)
	}
	thanks := s.get(t, "/offerte/bedankt")
	if thanks.StatusCode != 200 || !strings.Contains(thanks.Body, "Bedankt voor uw aanvraag") {
		t.Fatalf("thank-you page: %d", thanks.StatusCode)
	}
	if strings.Contains(s.logs.String(), "an.janssens") || strings.Contains(s.logs.String(), "schouw") {
		t.Error("the log holds the visitor's address or text")
	}
}

func TestQuote_StaffSeeItMarkedInTheInboxAndDownloadItsFiles(t *testing.T) {
	s := newSite(t, siteOptions{})
	s.sendContact(t, "Jan Peeters", "jan@example.be", "Een gewone vraag over de openingsuren.")
	if res := s.postQuote(t, s.quoteForm(t), []sentFile{{"plan.pdf", aPlan}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /offerte: %d", res.StatusCode)
	}
	c := s.signedInStaff(t)
	inbox := c.do(t, "GET", "/admin/berichten", nil)
	if strings.Count(inbox.Body, `class="badge badge-quote"`) != 1 {
		t.Fatalf("the inbox marks %d messages as quote requests, want 1", strings.Count(inbox.Body, `class="badge badge-quote"`))
	}
	var id int64
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT contact_message_id FROM quote_request`).Scan(&id)
	page := c.do(t, "GET", fmt.Sprintf("/admin/berichten/%d", id), nil)
	text := html.UnescapeString(page.Body)
	for _, want := range []string{"Offerteaanvraag", "Soort werk", "Dak", "Postcode van de werf", "2600", "Binnen 3 maanden", "schouw",
		fmt.Sprintf(`href="/admin/berichten/%d/bijlagen/1"`, id), "plan.pdf downloaden"} {
		if !strings.Contains(text, want) {
			t.Errorf("the message page lacks %q", want)
		}
	}
	dl := c.do(t, "GET", fmt.Sprintf("/admin/berichten/%d/bijlagen/1", id), nil)
	if dl.StatusCode != 200 || dl.Body != string(aPlan) {
		t.Fatalf("download: %d, %d bytes", dl.StatusCode, len(dl.Body))
	}
	for k, want := range map[string]string{
		"Content-Type": "application/pdf", "Content-Disposition": `attachment; filename="plan.pdf"; filename*=UTF-8''plan.pdf`,
		"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
	} {
		if got := dl.Header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	for _, path := range []string{fmt.Sprintf("/admin/berichten/%d/bijlagen/2", id), fmt.Sprintf("/admin/berichten/%d/bijlagen/01", id), "/admin/berichten/99999/bijlagen/1"} {
		if res := c.do(t, "GET", path, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
	}
	if res := s.get(t, fmt.Sprintf("/admin/berichten/%d/bijlagen/1", id)); res.StatusCode != http.StatusSeeOther {
		t.Errorf("a file without a session: %d, want the login", res.StatusCode)
	}
	if !slicesContain(s.auditActions(t), "download_quote_file") {
		t.Error("the download is not audited")
	}
	// The CSV says which rows are quote requests.
	csv := c.do(t, "GET", "/admin/berichten.csv", nil)
	if !strings.Contains(csv.Body, ";soort\n") || strings.Count(csv.Body, ";offerteaanvraag\n") != 1 || strings.Count(csv.Body, ";bericht\n") != 1 {
		t.Errorf("the CSV does not tell quote requests from messages:\n%s", csv.Body)
	}
}

func slicesContain(list []string, want string) bool {
	for _, x := range list {
		if strings.HasPrefix(x, want) {
			return true
		}
	}
	return false
}

func TestQuote_AnHTMLFileNamedPlanPDFIsRefusedInDutchAndTheTextIsKept(t *testing.T) {
	s := newSite(t, siteOptions{})
	form := s.quoteForm(t)
	res := s.postQuote(t, form, []sentFile{{"foto.jpg", mediatest.JPEG(mediatest.Picture(64, 48))}, {"plan.pdf", []byte("<!doctype html><script>alert(1)</script>")}})
	body := html.UnescapeString(res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "„plan.pdf” is geen foto (JPEG, PNG of WebP) en geen PDF-plan") {
		t.Fatalf("status %d, want 422 naming the file\n%.800s", res.StatusCode, res.Body)
	}
	for _, want := range []string{"Ons dak lekt bij de schouw", `value="2600"`, `value="An Janssens"`, `value="an.janssens@example.be"`,
		`value="dak" checked`, `value="3maanden" checked`, "de browser vergeet de gekozen bestanden"} {
		if !strings.Contains(body, want) {
			t.Errorf("the form came back without %q", want)
		}
	}
	if n := len(s.contactMessages(t)); n != 0 {
		t.Fatalf("%d messages stored", n)
	}
	// A PDF cut off on its way, and a PDF header on something else.
	for name, data := range map[string][]byte{
		"half.pdf":  aPlan[:40],
		"nep.pdf":   []byte("%PDF-<html>%%EOF"),
		"leeg.docx": []byte("PK\x03\x04 a word file"),
		"teken.svg": []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`),
	} {
		res := s.postQuote(t, s.quoteForm(t), []sentFile{{name, data}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(res.Body), "„"+name+"”") {
			t.Errorf("%s: %d, want 422 naming it", name, res.StatusCode)
		}
	}
	if n := len(s.contactMessages(t)); n != 0 {
		t.Fatalf("%d messages stored", n)
	}
}

func TestQuote_ASixthFileIsRefused(t *testing.T) {
	s := newSite(t, siteOptions{})
	var files []sentFile
	for i := 1; i <= 6; i++ {
		files = append(files, sentFile{fmt.Sprintf("plan-%d.pdf", i), aPlan})
	}
	res := s.postQuote(t, s.quoteForm(t), files)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "U koos meer dan 5 bestanden") {
		t.Fatalf("six files: %d\n%.600s", res.StatusCode, res.Body)
	}
	if n := len(s.contactMessages(t)); n != 0 {
		t.Fatalf("%d messages stored", n)
	}
	if res := s.postQuote(t, s.quoteForm(t), files[:5]); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("five files: %d", res.StatusCode)
	}
	if n := len(s.quoteFiles(t)); n != 5 {
		t.Fatalf("%d files stored, want 5", n)
	}
}

func TestQuote_FilesOverTheConfiguredTotalAreRefusedInDutch(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_QUOTE_MAX_BYTES": "1048576"}})
	big := append(append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 600<<10)...), "\n%%EOF\n"...)
	res := s.postQuote(t, s.quoteForm(t), []sentFile{{"a.pdf", big}, {"b.pdf", big}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "De bestanden zijn samen te groot (hoogstens 1,0 MB)") {
		t.Fatalf("status %d\n%.600s", res.StatusCode, res.Body)
	}
}

func TestQuote_EveryInvalidFieldShowsItsMessageAndKeepsWhatWasTyped(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_CONTACT_RATE": "1000"}})
	cases := []struct{ field, value, message string }{
		{"soort", "", "Kies het soort werk."},
		{"soort", "kasteel", "Kies het soort werk."},
		{"postcode", "", "Vul de postcode van de werf in."},
		{"postcode", "20000", "Vul een Belgische postcode van 4 cijfers in"},
		{"postcode", "0999", "Vul een Belgische postcode van 4 cijfers in"},
		{"planning", "morgen", "Kies wanneer u wilt beginnen."},
		{"bericht", "", "Beschrijf het werk."},
		{"bericht", "dak", "Uw beschrijving is te kort"},
		{"naam", "", "Vul uw naam in."},
		{"email", "an@", "Vul een geldig e-mailadres in"},
		{"telefoon", "0484 abc", "Vul een geldig telefoonnummer in"},
		{"bericht", "Lek \u202Ein het dak, graag snel", "leesrichting"},
	}
	for _, c := range cases {
		form := s.quoteForm(t)
		form.Set(c.field, c.value)
		res := s.postQuote(t, form, nil)
		body := html.UnescapeString(res.Body)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c.message) {
			t.Errorf("%s=%q: %d, want 422 with %q", c.field, c.value, res.StatusCode, c.message)
			continue
		}
		if c.field != "naam" && !strings.Contains(body, `value="An Janssens"`) {
			t.Errorf("%s=%q: the name typed is gone", c.field, c.value)
		}
	}
	// A postcode typed with a space is read as its four digits.
	form := s.quoteForm(t)
	form.Set("postcode", " 26 00 ")
	if res := s.postQuote(t, form, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("postcode with spaces: %d", res.StatusCode)
	}
	if n := len(s.contactMessages(t)); n != 1 {
		t.Fatalf("%d messages stored, want 1", n)
	}
}

func TestQuote_TheHoneypotAndTheRateLimitAreTheContactForms(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_CONTACT_RATE": "2"}})
	form := s.quoteForm(t)
	form.Set("website", "http://spam.example")
	if res := s.postQuote(t, form, nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/offerte/bedankt" {
		t.Fatalf("honeypot: %d", res.StatusCode)
	}
	if n := len(s.contactMessages(t)); n != 0 {
		t.Fatal("a filled honeypot was stored")
	}
	// The honeypot's post counted; a contact message counts too.
	s.sendContact(t, "Jan Peeters", "jan@example.be", "Een bericht dat meetelt.")
	res := s.postQuote(t, s.quoteForm(t), nil)
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(html.UnescapeString(res.Body), "Ons dak lekt") {
		t.Fatalf("third post in the hour: %d, want 429 with the text kept", res.StatusCode)
	}
	// A token that fails its check: kept, marked, and no confirmation to an
	// address that may be a stranger's.
	s2 := newSite(t, siteOptions{})
	form = s2.quoteForm(t)
	form.Set("t", "1764072000000.AAAAAAAAAAAAAAAAAAAAAA")
	if res := s2.postQuote(t, form, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("foreign token: %d", res.StatusCode)
	}
	msgs := s2.contactMessages(t)
	if len(msgs) != 1 || msgs[0].SpamReason == "" {
		t.Fatalf("stored %+v, want one marked message", msgs)
	}
	if out := s2.outbox(t); len(out) != 1 || !strings.HasPrefix(out[0].Subject, "Mogelijk spam: Offerteaanvraag") {
		t.Fatalf("outbox %+v, want only the company's notification", out)
	}
}

func TestQuote_TheCompanysMailCarriesTheFilesAndTheVisitorGetsAConfirmation(t *testing.T) {
	s := newSite(t, siteOptions{})
	relay := smtptest.New(t, smtptest.Options{})
	photo := mediatest.JPEGWithGPS(640, 480, 1)
	if res := s.postQuote(t, s.quoteForm(t), []sentFile{{"dak.jpg", photo}, {"plan.pdf", aPlan}}, "Accept-Language", "fr"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /offerte: %d", res.StatusCode)
	}
	quiet := slog.New(slog.DiscardHandler)
	smtp := mail.Options{Host: relay.Host(), Port: relay.Port(), Plain: true, From: "website@conpro-bouw.be"}
	if sent, _, err := mail.NewWorker(s.db, mail.NewSMTPSender(smtp, quiet), quiet).RunOnce(context.Background()); err != nil || sent != 2 {
		t.Fatalf("sent %d, %v", sent, err)
	}
	got := relay.WaitFor(t, 2, 10*time.Second)
	stored := s.quoteFiles(t)
	var company, visitor smtptest.Message
	for _, m := range got {
		switch m.To[0] {
		case "info@conpro-bvba.be":
			company = m
		case "an.janssens@example.be":
			visitor = m
		}
	}
	if company.Data == nil || visitor.Data == nil {
		t.Fatalf("mail went to %v and %v", got[0].To, got[1].To)
	}

	msg, err := netmail.ReadMessage(bytes.NewReader(company.Data))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if mt != "multipart/mixed" {
		t.Fatalf("the company's mail is %s, want multipart/mixed", mt)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var text string
	var attached []storedFile
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(p)
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if strings.HasPrefix(ct, "text/plain") && p.FileName() == "" {
			text = string(raw)
			continue
		}
		if p.Header.Get("Content-Transfer-Encoding") != "base64" {
			t.Fatalf("attachment encoded as %q", p.Header.Get("Content-Transfer-Encoding"))
		}
		data, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))
		if err != nil {
			t.Fatal(err)
		}
		disp, dparams, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		if disp != "attachment" {
			t.Errorf("%s is %q, want an attachment", dparams["filename"], disp)
		}
		attached = append(attached, storedFile{Name: dparams["filename"], Type: ct, Data: data})
	}
	if len(attached) != 2 || attached[0].Name != "dak.jpg" || attached[0].Type != "image/jpeg" || !bytes.Equal(attached[0].Data, stored[0].Data) ||
		attached[1].Name != "plan.pdf" || attached[1].Type != "application/pdf" || !bytes.Equal(attached[1].Data, aPlan) {
		t.Fatalf("attachments %d: %+v", len(attached), names(attached))
	}
	if bytes.Contains(attached[0].Data, []byte(mediatest.GPSMarker)) {
		t.Error("the mailed photo holds its GPS position")
	}
	if !strings.Contains(text, "Offerteaanvraag") && !strings.Contains(text, "offerteaanvraag") {
		t.Errorf("the company's mail says:\n%s", text)
	}

	d, err := visitor.Decode()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.Subject, "Votre demande de devis") || strings.Contains(d.Body, "schouw") || strings.Contains(string(visitor.Data), "multipart/mixed") {
		t.Fatalf("confirmation %q:\n%s", d.Subject, d.Body)
	}
	// The photo's bytes are not kept twice: the outbox row holds text only.
	var longest int
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT max(length(body_text)) FROM mail_outbox`).Scan(&longest)
	if longest > 4000 {
		t.Errorf("an outbox body of %d characters", longest)
	}
}

func names(files []storedFile) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Name+" "+f.Type)
	}
	return out
}

func TestQuote_ThePurgeRemovesAQuoteWithItsFilesAndMails(t *testing.T) {
	s := newSite(t, siteOptions{})
	if res := s.postQuote(t, s.quoteForm(t), []sentFile{{"plan.pdf", aPlan}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /offerte: %d", res.StatusCode)
	}
	n, err := s.db.PurgeContactMessages(context.Background(), time.Now().Add(time.Hour), 100, false)
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v", n, err)
	}
	var rest int
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT (SELECT count(*) FROM quote_request) + (SELECT count(*) FROM quote_attachment) + (SELECT count(*) FROM mail_outbox)`).Scan(&rest)
	if rest != 0 {
		t.Fatalf("%d rows of the quote left after the purge", rest)
	}
}

func TestQuote_AccessListsAVisitorsQuoteRequestsAndErasureRemovesThemAndTheirFiles(t *testing.T) {
	s := newSite(t, siteOptions{})
	if res := s.postQuote(t, s.quoteForm(t), []sentFile{{"plan.pdf", aPlan}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /offerte: %d", res.StatusCode)
	}
	other := s.quoteForm(t)
	other.Set("email", "ander@example.be")
	if res := s.postQuote(t, other, []sentFile{{"ander.pdf", aPlan}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /offerte: %d", res.StatusCode)
	}

	page := s.confirm(t, s.request(t, url.Values{"soort": {"inzage"}, "email": {"an.janssens@example.be"}}))
	ticket := regexp.MustCompile(`name="d" value="([^"]+)"`).FindStringSubmatch(page.Body)
	if ticket == nil {
		t.Fatalf("no download on the access page: %d", page.StatusCode)
	}
	dl := s.postForm(t, "/privacy/verzoek/download", url.Values{"d": {ticket[1]}}.Encode())
	var x struct {
		ContactMessages []struct {
			Message string `json:"message"`
			Quote   *struct {
				Work     string   `json:"kind_of_work"`
				Postcode string   `json:"postcode"`
				Files    []string `json:"files"`
			} `json:"quote_request"`
		} `json:"contact_messages"`
	}
	if err := json.Unmarshal([]byte(dl.Body), &x); err != nil {
		t.Fatal(err)
	}
	if len(x.ContactMessages) != 1 || x.ContactMessages[0].Quote == nil || x.ContactMessages[0].Quote.Work != "dak" ||
		x.ContactMessages[0].Quote.Postcode != "2600" || strings.Join(x.ContactMessages[0].Quote.Files, ",") != "plan.pdf" {
		t.Fatalf("export %+v", x)
	}

	res := s.confirm(t, s.request(t, url.Values{"soort": {"verwijdering"}, "email": {"an.janssens@example.be"}}))
	if res.StatusCode != 200 {
		t.Fatalf("erasure: %d", res.StatusCode)
	}
	if n := s.occurrences(t, "an.janssens@example.be"); n != 0 {
		t.Fatalf("the address is still in %d rows", n)
	}
	files := s.quoteFiles(t)
	if len(files) != 1 || files[0].Name != "ander.pdf" {
		t.Fatalf("files left: %v, want only the other visitor's", names(files))
	}
	var quotes int
	_ = s.db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM quote_request`).Scan(&quotes)
	if quotes != 1 {
		t.Fatalf("%d quote requests left, want 1", quotes)
	}
}

func TestQuote_ABodyOverTheRouteBoundIs413(t *testing.T) {
	s := newSite(t, siteOptions{})
	// A form body that is not a file upload keeps the site's small bound.
	long := s.quoteForm(t)
	long.Set("bericht", strings.Repeat("b", 1<<20))
	if res := s.postForm(t, "/offerte", long.Encode()); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("urlencoded body of 1 MB: %d, want 413", res.StatusCode)
	}
	// A text part of a multipart form past its bound is refused cleanly.
	if res := s.postQuote(t, long, nil); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("multipart text part of 1 MB: %d, want 400", res.StatusCode)
	}
}

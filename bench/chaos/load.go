package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"conpro/internal/consent"
	"encoding/hex"
)

type kind int

const (
	getPage kind = iota
	postConsent
	postContact
)

func (k kind) String() string {
	return [...]string{"GET page", "POST /consent", "POST /contact"}[k]
}

// result is what one request got.
type result struct {
	kind       kind
	path       string
	start, end time.Time
	status     int    // 0 when the request failed below HTTP
	failure    string // why it failed below HTTP, or a wrong answer
	ack        bool   // the site said it was done (200 page, 303 after a post)
	id         string // consent ID or contact marker the site acknowledged
}

// load is the mixed traffic: requests spread evenly over the duration, each
// from a simulated visitor address of its own.
type load struct {
	o       options
	base    string
	token   string // contact form token (signed timestamp, reusable)
	cookie  string // a consent cookie granting analytics, for the page GETs
	codec   *consent.Codec
	tl      *timeline
	next    atomic.Int64
	mu      sync.Mutex
	results []result
}

func newLoad(o options, base, token string, tl *timeline) *load {
	key, _ := hex.DecodeString(chaosKey)
	codec, err := consent.NewCodec(key)
	if err != nil {
		panic(err) // a constant key
	}
	return &load{o: o, base: base, token: token, codec: codec, tl: tl}
}

// run sends the requests and returns when all are answered or ctx ends.
func (l *load) run(ctx context.Context) {
	// One consent first: its cookie goes with the page GETs, and it counts
	// as an acknowledged choice like the others.
	first := l.consent(ctx, newClient(), -1)
	l.cookie = first.cookieValue
	l.add(first.result)

	l.tl.begin()
	interval := l.o.duration / time.Duration(l.o.requests)
	var wg sync.WaitGroup
	for range l.o.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := newClient()
			for {
				i := int(l.next.Add(1)) - 1
				if i >= l.o.requests || !sleepUntil(ctx, l.tl.start().Add(time.Duration(i)*interval)) {
					return
				}
				l.add(l.one(ctx, client, i))
			}
		}()
	}
	wg.Wait()
	l.tl.mark(&l.tl.end)
}

func (l *load) add(r result) {
	l.mu.Lock()
	l.results = append(l.results, r)
	l.mu.Unlock()
}

// Of every 20 requests: 12 page GETs, 4 consent posts, 4 contact posts.
var pages = []struct {
	path   string
	cookie bool
}{
	{"/", false}, {"/privacy", true}, {"/cookies", true}, {"/contact", false},
	{"/privacy", false}, {"/", true},
}

func (l *load) one(ctx context.Context, client *http.Client, i int) result {
	switch m := i % 20; {
	case m < 12:
		p := pages[(i/20*12+m)%len(pages)]
		return l.get(ctx, client, i, p.path, p.cookie)
	case m < 16:
		return l.consent(ctx, client, i).result
	default:
		return l.contact(ctx, client, i)
	}
}

func newClient() *http.Client {
	return &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: 30 * time.Second},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// visitor is the address the site believes for request i (through the
// trusted proxy header): one /64 each, so no rate limit is shared.
func visitor(i int) string {
	if i < 0 {
		return "2001:db8:ffff:ffff::1"
	}
	return fmt.Sprintf("2001:db8:%x:%x::1", i>>16, i&0xffff)
}

func (l *load) do(ctx context.Context, client *http.Client, i int, k kind, method, path string, form url.Values, cookie bool) (result, *http.Response) {
	r := result{kind: k, path: path, start: time.Now()}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, l.base+path, body)
	if err != nil {
		panic(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-Forwarded-For", visitor(i))
	req.Header.Set("Accept-Language", "nl-BE,nl;q=0.9")
	if cookie && l.cookie != "" {
		req.AddCookie(&http.Cookie{Name: "conpro_consent", Value: l.cookie})
	}
	resp, err := client.Do(req)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	r.end = time.Now()
	if err != nil {
		r.failure = transportFailure(err)
		// The report counts failures by kind; the error itself goes to
		// the log, for whoever has to find out why.
		logf("%s %s from %s: %v", method, path, visitor(i), err)
		return r, nil
	}
	r.status = resp.StatusCode
	return r, resp
}

func transportFailure(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed mid-request"
	case errors.Is(err, context.DeadlineExceeded), strings.Contains(err.Error(), "Client.Timeout"):
		return "timeout (10 s)"
	}
	return "other: " + err.Error()
}

func (l *load) get(ctx context.Context, client *http.Client, i int, path string, cookie bool) result {
	r, _ := l.do(ctx, client, i, getPage, "GET", path, nil, cookie)
	r.ack = r.status == http.StatusOK
	return r
}

type consentResult struct {
	result
	cookieValue string
}

var consentForms = []url.Values{
	{"action": {"accept_all"}, "return_to": {"/"}},
	{"action": {"reject_all"}, "return_to": {"/privacy"}},
	{"action": {"save"}, "category": {"analytics"}, "return_to": {"/"}},
}

// consent posts a first choice (no cookie): acknowledged means a 303 with a
// consent cookie, whose ID must then be in the log once.
func (l *load) consent(ctx context.Context, client *http.Client, i int) consentResult {
	form := consentForms[(i+3)%len(consentForms)]
	if i < 0 {
		form = consentForms[2]
	}
	r, resp := l.do(ctx, client, i, postConsent, "POST", "/consent", form, false)
	out := consentResult{result: r}
	if resp == nil || resp.StatusCode != http.StatusSeeOther {
		return out
	}
	for _, c := range resp.Cookies() {
		if c.Name != "conpro_consent" || c.Value == "" {
			continue
		}
		ch, err := l.codec.Decode(c.Value)
		if err != nil {
			out.failure = "303 with an undecodable consent cookie"
			return out
		}
		out.ack, out.id, out.cookieValue = true, ch.ID, c.Value
		return out
	}
	out.failure = "303 without a consent cookie"
	return out
}

// contactMarker names message i in its text, so the reconciliation finds it.
func contactMarker(i int) string { return fmt.Sprintf("chaos-%06d", i) }

var markerRE = regexp.MustCompile(`chaos-[0-9]{6}`)

func (l *load) contact(ctx context.Context, client *http.Client, i int) result {
	form := url.Values{
		"naam":     {"Chaos Tester"},
		"email":    {fmt.Sprintf("chaos+%d@example.be", i)},
		"telefoon": {"03 123 45 67"},
		"bericht":  {"Graag een offerte voor een nieuwe keuken. Kenmerk " + contactMarker(i) + "."},
		"website":  {""},
		"t":        {l.token},
	}
	r, resp := l.do(ctx, client, i, postContact, "POST", "/contact", form, false)
	if resp != nil && resp.StatusCode == http.StatusSeeOther {
		if loc := resp.Header.Get("Location"); loc != "/contact/bedankt" {
			r.failure = "303 to " + loc
			return r
		}
		r.ack, r.id = true, contactMarker(i)
	}
	return r
}

var tokenRE = regexp.MustCompile(`name="t" value="([^"]+)"`)

// contactToken reads the signed fill-time token of a freshly shown form.
func contactToken(ctx context.Context, base string) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/contact", nil)
	resp, err := newClient().Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	m := tokenRE.FindSubmatch(body)
	if m == nil {
		return "", errors.New("GET /contact: no form token in the page")
	}
	return string(m[1]), nil
}

// timeline holds when each fault began and ended.
type timeline struct {
	mu                            sync.Mutex
	t0                            time.Time
	dbStop, dbDown, dbStart, dbUp time.Time
	killAt, killUp                time.Time // instance A killed, and serving again
	srvTerm, srvDown, srvUp, end  time.Time
	srvExit                       string
	spooledAtKill                 int // choices in A's spool when it was killed
}

func (t *timeline) begin() {
	t.mu.Lock()
	t.t0 = time.Now()
	t.mu.Unlock()
}

func (t *timeline) start() time.Time {
	for {
		t.mu.Lock()
		t0 := t.t0
		t.mu.Unlock()
		if !t0.IsZero() {
			return t0
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (t *timeline) mark(at *time.Time) {
	t.mu.Lock()
	*at = time.Now()
	t.mu.Unlock()
}

// phase tells which fault, if any, a request overlapped.
func (t *timeline) phase(r result) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	overlaps := func(a, b time.Time) bool {
		return !a.IsZero() && !b.IsZero() && r.start.Before(b) && r.end.After(a)
	}
	switch {
	case overlaps(t.killAt, t.killUp):
		return phaseKill
	case overlaps(t.dbStop, t.dbUp):
		return phaseDB
	case overlaps(t.srvTerm, t.srvUp):
		return phaseRestart
	}
	return phaseNormal
}

const (
	phaseNormal  = "normal"
	phaseDB      = "database down"
	phaseRestart = "server restart"
	phaseKill    = "instance killed"
)

// readyProbe asks /readyz every 100 ms.
type readyProbe struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	seen   []probeAnswer
}

type probeAnswer struct {
	at     time.Time
	status int // 0: no answer
}

func startReadyProbe(ctx context.Context, base string, tl *timeline) *readyProbe {
	ctx, cancel := context.WithCancel(ctx)
	p := &readyProbe{cancel: cancel, done: make(chan struct{})}
	client := &http.Client{Timeout: 2 * time.Second}
	go func() {
		defer close(p.done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			a := probeAnswer{at: time.Now()}
			req, _ := http.NewRequestWithContext(ctx, "GET", base+"/readyz", nil)
			if resp, err := client.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				a.status = resp.StatusCode
			}
			p.mu.Lock()
			p.seen = append(p.seen, a)
			p.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

func (p *readyProbe) stop() {
	p.cancel()
	<-p.done
}

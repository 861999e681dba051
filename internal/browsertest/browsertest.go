// Package browsertest drives Debian's Chromium (headless, through chromedp)
// for tests of what a visitor sees. It records every request a page tries to
// make, so a test can assert which hosts a page contacted (the network here
// is closed, but the attempt is still visible), and every console error.
package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Options adjust the browser a test gets.
type Options struct {
	// NoJavaScript starts every page with script execution disabled.
	NoJavaScript bool
	// Timeout bounds the whole browser session (default one minute).
	Timeout time.Duration
	// AcceptLanguage is the browser's language preference (default "nl-BE,nl",
	// as most of the site's visitors).
	AcceptLanguage string
	// ShortReportingDelay sends Reporting API reports (report-to) within
	// a fraction of a second instead of batching them for a minute, and
	// accepts a test server's certificate (reports go only to HTTPS).
	ShortReportingDelay bool
}

// Browser is one headless Chromium with a fresh profile and a tab.
type Browser struct {
	// Ctx is the tab's context, for chromedp.Do and chromedp.Run.
	Ctx context.Context
	rec *recorder
}

// execPath finds Chromium. The project's scripts install Debian's package;
// a missing browser fails the test rather than skipping it.
func execPath(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: run the tests with `make test`, which installs Debian's chromium package")
	return ""
}

// New starts a browser for the test; it is closed when the test ends.
func New(t testing.TB, opts Options) *Browser {
	t.Helper()
	if opts.Timeout == 0 {
		opts.Timeout = time.Minute
	}
	if opts.AcceptLanguage == "" {
		opts.AcceptLanguage = "nl-BE,nl"
	}
	allocOpts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("lang", strings.SplitN(opts.AcceptLanguage, ",", 2)[0]),
		chromedp.Flag("accept-lang", opts.AcceptLanguage),
	)
	if opts.ShortReportingDelay {
		allocOpts = append(allocOpts, chromedp.Flag("short-reporting-delay", true), chromedp.Flag("ignore-certificate-errors", true))
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), opts.Timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, allocOpts...)
	rec := &recorder{}
	tabCtx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(rec.listen))
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	})
	if err := chromedp.Do(tabCtx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if opts.NoJavaScript {
		if _, err := chromedp.Call(tabCtx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatalf("disable javascript: %v", err)
		}
	}
	return &Browser{Ctx: tabCtx, rec: rec}
}

// recorder collects, in the tab's event loop, what the page did.
type recorder struct {
	mu       sync.Mutex
	requests []string
	errors   []string
	// csp holds the Content-Security-Policy of each document loaded, in order.
	csp []string
}

func (r *recorder) listen(ev any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		if ev.Request != nil {
			r.requests = append(r.requests, ev.Request.URL)
		}
	case *network.EventResponseReceived:
		if ev.Type == network.ResourceTypeDocument && ev.Response != nil {
			v, _ := ev.Response.Headers["Content-Security-Policy"].(string)
			if v == "" {
				v, _ = ev.Response.Headers["content-security-policy"].(string)
			}
			r.csp = append(r.csp, v)
		}
	case *runtime.EventExceptionThrown:
		msg := "exception"
		if d := ev.ExceptionDetails; d != nil {
			msg += ": " + d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
		}
		r.errors = append(r.errors, msg)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			r.errors = append(r.errors, "console."+string(ev.Type)+": "+strings.Join(parts, " "))
		}
	case *log.EventEntryAdded:
		if e := ev.Entry; e != nil && e.Level == log.EntryLevelError {
			r.errors = append(r.errors, fmt.Sprintf("browser log (%s): %s %s", e.Source, e.Text, e.URL))
		}
	}
}

// Requests returns the URLs of every request the pages tried to make, in
// order, blocked or not.
func (b *Browser) Requests() []string {
	b.rec.mu.Lock()
	defer b.rec.mu.Unlock()
	return slices.Clone(b.rec.requests)
}

// Hosts returns the distinct host:port values of the http(s) requests the
// pages tried to make.
func (b *Browser) Hosts() []string {
	var hosts []string
	for _, raw := range b.Requests() {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			continue
		}
		if !slices.Contains(hosts, u.Host) {
			hosts = append(hosts, u.Host)
		}
	}
	slices.Sort(hosts)
	return hosts
}

// Errors returns the console errors, uncaught exceptions and browser log
// errors (failed loads, CSP violations) seen so far.
func (b *Browser) Errors() []string {
	b.rec.mu.Lock()
	defer b.rec.mu.Unlock()
	return slices.Clone(b.rec.errors)
}

// LastCSP returns the Content-Security-Policy header of the last document
// the tab loaded.
func (b *Browser) LastCSP() string {
	b.rec.mu.Lock()
	defer b.rec.mu.Unlock()
	if len(b.rec.csp) == 0 {
		return ""
	}
	return b.rec.csp[len(b.rec.csp)-1]
}

// Reset forgets the requests, errors and headers recorded so far.
func (b *Browser) Reset() {
	b.rec.mu.Lock()
	defer b.rec.mu.Unlock()
	b.rec.requests, b.rec.errors, b.rec.csp = nil, nil, nil
}

// Cookies returns the browser's cookies for u, HttpOnly ones included.
func (b *Browser) Cookies(t testing.TB, u string) map[string]string {
	t.Helper()
	res, err := chromedp.Call(b.Ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{u}})
	if err != nil {
		t.Fatalf("read cookies: %v", err)
	}
	out := map[string]string{}
	for _, c := range res.Cookies {
		out[c.Name] = c.Value
	}
	return out
}

// SetCookie stores a cookie for u in the browser, as a page's script would.
func (b *Browser) SetCookie(t testing.TB, u, name, value string) {
	t.Helper()
	if _, err := chromedp.Call(b.Ctx, network.SetCookie, network.SetCookieParams{Name: name, Value: value, URL: u, Path: "/"}); err != nil {
		t.Fatalf("set cookie %s: %v", name, err)
	}
}

// ClickAndWait clicks the element and waits for the page it leads to.
func (b *Browser) ClickAndWait(t testing.TB, css string) {
	t.Helper()
	if _, err := chromedp.Run(b.Ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(css)))); err != nil {
		t.Fatalf("click %s: %v", css, err)
	}
}

// Navigate loads a URL and fails the test if it does not load.
func (b *Browser) Navigate(t testing.TB, u string) {
	t.Helper()
	if err := chromedp.Do(b.Ctx, chromedp.Navigate(u)); err != nil {
		t.Fatalf("navigate to %s: %v", u, err)
	}
}

// Screenshot saves a full-page PNG of u at the given viewport width into dir
// (created if needed) as name.png.
func (b *Browser) Screenshot(t testing.TB, u string, width int64, dir, name string) {
	t.Helper()
	if err := chromedp.Do(b.Ctx,
		chromedp.EmulateViewport(width, 900),
		chromedp.Navigate(u),
	); err != nil {
		t.Fatalf("screenshot %s: %v", u, err)
	}
	// Sections drawn only near the viewport (content-visibility: auto)
	// would be blank in a picture of the whole page.
	if _, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`for (const e of document.querySelectorAll("section")) e.style.contentVisibility = "visible"; true`)); err != nil {
		t.Fatalf("screenshot %s: %v", u, err)
	}
	png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", u, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Download clicks the element, waits until the download it starts is
// complete, and returns the downloaded file's content.
func (b *Browser) Download(t testing.TB, css string) []byte {
	t.Helper()
	dir := t.TempDir()
	if _, err := chromedp.CallBrowser(b.Ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: dir, EventsEnabled: new(true),
	}); err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	progress := chromedp.BrowserEvents(b.Ctx, browser.DownloadProgress)
	if err := chromedp.Do(b.Ctx, chromedp.Click(chromedp.CSS(css))); err != nil {
		t.Fatalf("click %s: %v", css, err)
	}
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("waiting for the download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download was cancelled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			break
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("download folder holds %v (%v)", entries, err)
	}
	body, err := os.ReadFile(filepath.Join(dir, entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	return body
}

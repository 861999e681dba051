// Package scan checks the live site as visitors' browsers see it. For every
// consent state a visitor can be in (no choice yet, everything refused, each
// category alone, everything accepted; with and without Global Privacy
// Control) it opens every page of the sitemap in a headless Chromium with a
// fresh profile, and records every cookie, every localStorage,
// sessionStorage and IndexedDB key, and every other host the page contacted
// or tried to contact. It compares them with the consent registry: anything
// of a vendor the state does not grant is a leak; anything the registry does
// not declare is undeclared.
package scan

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"

	"conpro/internal/consent"
)

// State is a consent state a visitor can be in.
type State struct {
	// Key names the state in reports: "none", "refused", "analytics",
	// "advertising", "social", "all", each with "+gpc" under GPC.
	Key        string
	Action     consent.Action // "" for no choice yet
	Categories []consent.Category
	GPC        bool
}

// States lists every state the scan visits the site in.
func States() []State {
	base := []State{
		{Key: "none"},
		{Key: "refused", Action: consent.RejectAll},
		{Key: "analytics", Action: consent.Save, Categories: []consent.Category{consent.Analytics}},
		{Key: "advertising", Action: consent.Save, Categories: []consent.Category{consent.Advertising}},
		{Key: "social", Action: consent.Save, Categories: []consent.Category{consent.Social}},
		{Key: "all", Action: consent.AcceptAll},
	}
	var out []State
	for _, gpc := range []bool{false, true} {
		for _, s := range base {
			if gpc {
				s.Key += "+gpc"
				s.GPC = true
			}
			out = append(out, s)
		}
	}
	return out
}

// Kind says what is wrong with an item.
type Kind string

const (
	// Leak: a vendor's cookie, storage or host where the state does not
	// grant that vendor (before consent, or after a refusal).
	Leak Kind = "leak"
	// Undeclared: no vendor of the registry, and not the site, declares it.
	Undeclared Kind = "undeclared"
)

// What an item is.
const (
	Cookie  = "cookie"
	Storage = "storage"
	Host    = "host"
)

// Finding is one thing that should not be there.
type Finding struct {
	Kind   Kind   `json:"kind"`
	What   string `json:"what"`
	Name   string `json:"name"`             // cookie name, storage key or host
	Vendor string `json:"vendor,omitempty"` // whose it is (a leak)
	State  string `json:"state"`
	// Pages where it was seen.
	Pages []string `json:"pages"`
}

// Key identifies a finding across scans, whatever its pages.
func (f Finding) Key() string {
	return string(f.Kind) + "|" + f.What + "|" + f.Name + "|" + f.Vendor + "|" + f.State
}

// Report is what one scan found.
type Report struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	Site     string    `json:"site"`
	Pages    []string  `json:"pages"`
	States   []string  `json:"states"`
	// Seen counts the items observed in all states and pages, declared ones
	// included.
	Seen     int       `json:"seen"`
	Findings []Finding `json:"findings"`
}

// Clean reports whether the scan found no leak and nothing undeclared.
func (r Report) Clean() bool { return len(r.Findings) == 0 }

// Options are what a scan needs.
type Options struct {
	// Site is where the scan visits the site (its sitemap's addresses are
	// read as paths on it).
	Site *url.URL
	// Vendors is the site's consent registry with its active vendors.
	Vendors *consent.Registry
	// Live, when set, gives the registry in force at each scheduled scan
	// (staff switch vendors on and off at run time); it replaces Vendors
	// for that scan.
	Live interface{ Current() *consent.Registry }
	// Chromium is the browser's path (Find looks for one).
	Chromium string
	// Settle is how long a page may go on loading scripts after its load
	// event before it is read (default 1.5 s).
	Settle time.Duration
	// Client reaches the site for the sitemap and the consent choices.
	Client *http.Client
}

// ErrNoChromium is returned when no Chromium is found.
var ErrNoChromium = errors.New("no Chromium found (Debian's chromium package)")

// Find returns the path of a Chromium on this machine.
func Find() (string, error) {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// Run scans the site in every state. An error means the scan could not run.
func Run(ctx context.Context, o Options, now func() time.Time) (Report, error) {
	if o.Settle == 0 {
		o.Settle = 1500 * time.Millisecond
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	r := Report{Started: now().UTC(), Site: o.Site.String()}
	pages, err := sitemap(ctx, o)
	if err != nil {
		return r, err
	}
	r.Pages = pages
	allocCtx, cancel := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(o.Chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("accept-lang", "nl-BE,nl"),
	)...)
	defer cancel()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(browserCtx); err != nil {
		return r, fmt.Errorf("start chromium: %w", err)
	}
	found := map[string]*Finding{}
	for _, st := range States() {
		r.States = append(r.States, st.Key)
		seen, err := o.visit(browserCtx, st, pages, found)
		if err != nil {
			return r, fmt.Errorf("scan %s: %w", st.Key, err)
		}
		r.Seen += seen
	}
	for _, f := range found {
		r.Findings = append(r.Findings, *f)
	}
	slices.SortFunc(r.Findings, func(a, b Finding) int { return strings.Compare(a.Key(), b.Key()) })
	r.Finished = now().UTC()
	return r, nil
}

// sitemap reads the paths of the site's sitemap.
func sitemap(ctx context.Context, o Options) ([]string, error) {
	body, err := o.get(ctx, "/sitemap.xml")
	if err != nil {
		return nil, fmt.Errorf("sitemap: %w", err)
	}
	var set struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("sitemap: %w", err)
	}
	var paths []string
	for _, u := range set.URLs {
		if loc, err := url.Parse(u.Loc); err == nil && loc.Path != "" {
			paths = append(paths, loc.Path)
		}
	}
	if len(paths) == 0 {
		return nil, errors.New("sitemap: no pages")
	}
	return paths, nil
}

func (o Options) get(ctx context.Context, p string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.Site.JoinPath(p).String(), nil)
	if err != nil {
		return nil, err
	}
	res, err := o.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", p, res.Status)
	}
	return io.ReadAll(io.LimitReader(res.Body, 1<<20))
}

// choose makes the state's choice as the site's banner would, and returns
// the consent cookie the site sets ("" for no choice).
func (o Options) choose(ctx context.Context, st State) (string, error) {
	if st.Action == "" {
		return "", nil
	}
	form := url.Values{"action": {string(st.Action)}, "return_to": {"/"}}
	for _, c := range st.Categories {
		form.Add("category", string(c))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.Site.JoinPath("/consent").String(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if st.GPC {
		req.Header.Set("Sec-GPC", "1")
	}
	res, err := o.Client.Do(req)
	if err != nil {
		return "", err
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == consent.CookieName && c.Value != "" {
			return c.Value, nil
		}
	}
	return "", fmt.Errorf("POST /consent (%s): %s and no consent cookie", st.Key, res.Status)
}

// granted returns the keys of the vendors a state grants, as the site
// decides it.
func (o Options) granted(st State) (map[string]bool, error) {
	out := map[string]bool{}
	if st.Action == "" {
		return out, nil
	}
	var cats []string
	for _, c := range st.Categories {
		cats = append(cats, string(c))
	}
	categories, vendors, err := consent.Decide(o.Vendors, st.Action, cats, nil, st.GPC)
	if err != nil {
		return nil, err
	}
	ch := consent.Choice{Categories: categories, Vendors: vendors}
	for _, v := range ch.GrantedVendors(o.Vendors) {
		out[v.Key] = true
	}
	return out, nil
}

// visit opens every page in one state, in a browser profile of its own, and
// adds what it finds.
func (o Options) visit(browserCtx context.Context, st State, pages []string, found map[string]*Finding) (int, error) {
	var mu sync.Mutex
	var hosts []string
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext(), chromedp.WithListener(func(ev any) {
		// Every request the page makes, and every one its CSP stops (the
		// browser says so in its log, naming the address).
		var raw []string
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			if e.Request != nil {
				raw = append(raw, e.Request.URL)
			}
		case *cdplog.EventEntryAdded:
			if e.Entry != nil && e.Entry.Source == cdplog.EntrySourceSecurity {
				raw = append(raw, quotedURL.FindAllString(e.Entry.Text, -1)...)
			}
		}
		for _, r := range raw {
			if u, err := url.Parse(strings.Trim(r, "'")); err == nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "ws" || u.Scheme == "wss") {
				mu.Lock()
				hosts = append(hosts, u.Scheme+"://"+strings.ToLower(u.Host))
				mu.Unlock()
			}
		}
	}))
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		return 0, fmt.Errorf("start chromium: %w", err)
	}
	grants, err := o.granted(st)
	if err != nil {
		return 0, err
	}
	cookie, err := o.choose(ctx, st)
	if err != nil {
		return 0, err
	}
	if cookie != "" {
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: consent.CookieName, Value: cookie, URL: o.Site.String(), Path: "/"}); err != nil {
			return 0, err
		}
	}
	if st.GPC {
		if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Sec-GPC": "1"}}); err != nil {
			return 0, err
		}
	}
	seen := 0
	for _, p := range pages {
		mu.Lock()
		hosts = nil
		mu.Unlock()
		if err := chromedp.Do(ctx, chromedp.Navigate(o.Site.JoinPath(p).String()), chromedp.Sleep(o.Settle)); err != nil {
			return seen, fmt.Errorf("%s: %w", p, err)
		}
		items, err := o.observe(ctx)
		if err != nil {
			return seen, fmt.Errorf("%s: %w", p, err)
		}
		mu.Lock()
		for _, h := range hosts {
			items = append(items, item{what: Host, name: h})
		}
		mu.Unlock()
		for _, it := range dedupe(items) {
			seen++
			if f, ok := o.judge(it, grants); ok {
				f.State = st.Key
				if old, ok := found[f.Key()]; ok {
					if !slices.Contains(old.Pages, p) {
						old.Pages = append(old.Pages, p)
					}
				} else {
					f.Pages = []string{p}
					found[f.Key()] = &f
				}
			}
		}
	}
	return seen, nil
}

// quotedURL finds the addresses a CSP message names ("Connecting to
// 'https://…' violates …").
var quotedURL = regexp.MustCompile(`'(?:https?|wss?)://[^'\s]+'`)

type item struct{ what, name string }

func dedupe(items []item) []item {
	slices.SortFunc(items, func(a, b item) int { return strings.Compare(a.what+a.name, b.what+b.name) })
	return slices.Compact(items)
}

// observe reads the cookies and storage keys the page left.
func (o Options) observe(ctx context.Context) ([]item, error) {
	var items []item
	// Every cookie of this state's browser profile, third parties' too.
	res, err := chromedp.CallBrowser(ctx, storage.GetCookies, storage.GetCookiesParams{BrowserContextID: chromedp.FromContext(ctx).BrowserContextID})
	if err != nil {
		return nil, err
	}
	for _, c := range res.Cookies {
		items = append(items, item{what: Cookie, name: c.Name})
	}
	keys, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(async () => {
		const keys = [...Object.keys(localStorage).map(k => "localStorage:" + k), ...Object.keys(sessionStorage).map(k => "sessionStorage:" + k)];
		if (indexedDB.databases) { for (const db of await indexedDB.databases()) keys.push("indexedDB:" + db.name); }
		return keys;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		items = append(items, item{what: Storage, name: k})
	}
	return items, nil
}

// judge says whether an item is a finding in a state that grants grants.
func (o Options) judge(it item, grants map[string]bool) (Finding, bool) {
	switch it.what {
	case Cookie:
		if slices.ContainsFunc(consent.SiteCookies(0, 0), func(c consent.SiteCookie) bool { return c.Name == it.name }) {
			return Finding{}, false
		}
	case Host:
		if u, err := url.Parse(it.name); err == nil && strings.EqualFold(u.Host, o.Site.Host) {
			return Finding{}, false
		}
	}
	// Vendors may share a host (Google's tag manager serves Analytics and
	// Ads): an item is fine when any vendor the state grants declares it.
	owner := ""
	for _, v := range o.Vendors.Active() {
		if !declares(v, it) {
			continue
		}
		if grants[v.Key] {
			return Finding{}, false
		}
		if owner == "" {
			owner = v.Key
		}
	}
	if owner != "" {
		return Finding{Kind: Leak, What: it.what, Name: it.name, Vendor: owner}, true
	}
	return Finding{Kind: Undeclared, What: it.what, Name: it.name}, true
}

// declares reports whether a vendor declares an item: its cookies, its
// storage keys, its hosts.
func declares(v consent.Vendor, it item) bool {
	switch it.what {
	case Cookie:
		return v.MatchesCookie(it.name)
	case Storage:
		_, key, _ := strings.Cut(it.name, ":")
		for _, c := range v.Cookies {
			if ok, _ := path.Match(c.Pattern, key); ok {
				return true
			}
		}
	case Host:
		for _, hosts := range [][]string{v.ScriptHosts, v.ConnectHosts, v.ImgHosts, v.FrameHosts} {
			for _, h := range hosts {
				if hostMatches(h, it.name) {
					return true
				}
			}
		}
	}
	return false
}

// hostMatches matches an origin against a CSP-style host source such as
// "https://*.google-analytics.com".
func hostMatches(pattern, origin string) bool {
	ps, ph, ok1 := strings.Cut(pattern, "://")
	scheme, oh, ok2 := strings.Cut(origin, "://")
	if !ok1 || !ok2 || !strings.EqualFold(ps, scheme) {
		return false
	}
	ph, oh = strings.ToLower(ph), strings.ToLower(oh)
	if rest, ok := strings.CutPrefix(ph, "*."); ok {
		return strings.HasSuffix(oh, "."+rest)
	}
	return ph == oh
}

package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// benchCookieKey signs the consent cookies of the bench's server: a fixed,
// public value, good for nothing else.
var benchCookieKey = hex.EncodeToString([]byte("bench-only-key-not-a-secret-!!!!"))

// serverEnv is the site's configuration during the bench; the log level
// stays at its default (info), with one access-log line per request, as in
// production.
func serverEnv(databaseURL, spoolDir string) []string {
	env := []string{}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "CONPRO_") || strings.HasPrefix(kv, "DATABASE_URL=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"CONPRO_ADDR="+siteAddr,
		"DATABASE_URL="+databaseURL,
		"CONPRO_COOKIE_KEY="+benchCookieKey,
		"CONPRO_SPOOL_DIR="+spoolDir,
		"CONPRO_GA_MEASUREMENT_ID=G-BENCH1234",
		"CONPRO_TRUSTED_PROXIES=127.0.0.1",
		"CONPRO_CONTACT_MIN_FILL=0s",
		"CONPRO_CONTACT_RATE=10000",
		// CONPRO_CONSENT_RATE stays at its default: each POST /consent
		// comes from an address of its own (bench/wrk/consent.lua).
	)
}

// buildBinaries builds the site and the bare baseline into out.
func buildBinaries(ctx context.Context, root, out string) (site, bare string, err error) {
	site, bare = filepath.Join(out, "conpro"), filepath.Join(out, "baseline")
	for _, b := range []struct{ bin, pkg string }{{site, "./cmd/conpro"}, {bare, "./bench/baseline"}} {
		if _, err := runTool(ctx, 5*time.Minute, root, "go", "build", "-o", b.bin, b.pkg); err != nil {
			return "", "", fmt.Errorf("build %s: %w", b.pkg, err)
		}
	}
	return site, bare, nil
}

func startSite(root, bin, databaseURL, out string) (*child, error) {
	cmd := exec.Command(bin, "serve")
	cmd.Dir = root
	cmd.Env = serverEnv(databaseURL, filepath.Join(out, "spool"))
	return startChild("conpro", syscall.SIGTERM, filepath.Join(out, "server.log"), cmd)
}

// waitHTTP polls target until it answers 200, the process exits, or timeout.
func waitHTTP(ctx context.Context, c *child, target string, timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for {
		if c.exited() {
			return fmt.Errorf("%s exited before %s answered (see its log in bench/out)", c.name, target)
		}
		resp, err := client.Get(target)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer 200 within %s", target, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// newClient follows no redirects (the POSTs answer 303) and leaves gzip
// bodies compressed when the request asks for gzip itself.
func newClient() *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// consentCookie saves a choice granting analytics and returns the
// conpro_consent cookie the site sets for it, as "name=value".
func consentCookie(ctx context.Context, client *http.Client, base string) (string, error) {
	form := url.Values{"action": {"save"}, "category": {"analytics"}, "return_to": {"/"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/consent", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("POST /consent: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("POST /consent: status %d, want 303", resp.StatusCode)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "conpro_consent" && c.Value != "" {
			return c.Name + "=" + c.Value, nil
		}
	}
	return "", fmt.Errorf("POST /consent set no conpro_consent cookie")
}

var tokenRE = regexp.MustCompile(`name="t" value="([^"]+)"`)

// contactToken returns the signed timestamp of a freshly shown contact form.
func contactToken(ctx context.Context, client *http.Client, base string) (string, error) {
	body, _, err := get(ctx, client, base+"/contact", nil)
	if err != nil {
		return "", err
	}
	m := tokenRE.FindSubmatch(body)
	if m == nil {
		return "", fmt.Errorf("GET /contact: no form token in the page")
	}
	return string(m[1]), nil
}

// contactBody is the URL-encoded body of a valid contact post.
func contactBody(token string) string {
	return url.Values{
		"naam":     {"Bench Tester"},
		"email":    {"bench@example.be"},
		"telefoon": {"03 123 45 67"},
		"bericht":  {"Graag een offerte voor de renovatie van onze keuken in Berchem."},
		"website":  {""},
		"t":        {token},
	}.Encode()
}

func get(ctx context.Context, client *http.Client, target string, header http.Header) ([]byte, *http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", target, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("GET %s: status %d", target, resp.StatusCode)
	}
	return body, resp, nil
}

// recorded is one response of the site as the baselines replay it.
type recorded struct {
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	body   []byte
}

// notReplayed are header fields that belong to a connection or a moment,
// which every server writes for itself.
var notReplayed = []string{"Date", "Connection", "Keep-Alive", "Transfer-Encoding"}

// capturePage fetches path as the GET scenario does and keeps its bytes.
func capturePage(ctx context.Context, client *http.Client, base, path string, header http.Header) (recorded, error) {
	body, resp, err := get(ctx, client, base+path, header)
	if err != nil {
		return recorded{}, err
	}
	h := resp.Header.Clone()
	for _, k := range notReplayed {
		h.Del(k)
	}
	if resp.ContentLength >= 0 {
		h.Set("Content-Length", fmt.Sprint(len(body)))
	}
	return recorded{Status: resp.StatusCode, Header: h, body: body}, nil
}

// save writes the body and the headers (JSON) for the bare baseline.
func (r recorded) save(bodyFile, headerFile string) error {
	if err := os.WriteFile(bodyFile, r.body, 0o644); err != nil {
		return fmt.Errorf("save body: %w", err)
	}
	js, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(headerFile, js, 0o644); err != nil {
		return fmt.Errorf("save headers: %w", err)
	}
	return nil
}

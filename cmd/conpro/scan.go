package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"time"

	"conpro/internal/config"
	"conpro/internal/consent"
	"conpro/internal/scan"
	"conpro/internal/store/postgres"
)

// errFindings is what `conpro scan` ends with when it found a leak or an
// undeclared item (exit status 1).
var errFindings = errors.New("the scan found leaks or undeclared items")

// scanSite visits every page of the sitemap in headless Chromium in every
// consent state, keeps the report, mails the company about new findings,
// and prints the report. Exit status 0: clean; 1: a leak or an undeclared
// item (each named); 2: the scan could not run.
func scanSite(ctx context.Context, args []string, cfg config.Config, db *postgres.DB, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	site := fs.String("site", cfg.BaseURL.String(), "the site's address (CONPRO_BASE_URL)")
	settle := fs.Duration("settle", 1500*time.Millisecond, "how long a page may go on loading after its load event")
	if err := fs.Parse(args); err != nil {
		return couldNotRun(err)
	}
	o, err := scanOptions(cfg, *site)
	if err != nil {
		return couldNotRun(err)
	}
	// The vendors as the server has them: the environment and the staff's
	// settings.
	settings, err := db.ServiceSettings(ctx)
	if err != nil {
		return couldNotRun(err)
	}
	if o.Vendors, err = consent.NewRegistryWith(func(k string) string { return cfg.VendorIDs[k] }, settings); err != nil {
		return couldNotRun(err)
	}
	o.Settle = *settle
	r, err := scan.Check(ctx, db, o, cfg.MailTo, time.Now)
	if err != nil {
		return couldNotRun(err)
	}
	if *asJSON {
		out, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return couldNotRun(err)
		}
		_, _ = fmt.Fprintf(stdout, "%s\n", out)
	} else {
		_, _ = fmt.Fprintf(stdout, "scanned %s: %d pages in %d consent states, %d items seen\n", r.Site, len(r.Pages), len(r.States), r.Seen)
		for _, f := range r.Findings {
			_, _ = fmt.Fprintf(stdout, "%s %s %q (vendor %q) in state %s on %v\n", f.Kind, f.What, f.Name, f.Vendor, f.State, f.Pages)
		}
	}
	if !r.Clean() {
		return errFindings
	}
	if !*asJSON {
		_, _ = fmt.Fprintln(stdout, "clean: no leak, nothing undeclared")
	}
	return nil
}

// scanOptions are what a scan of the site at raw needs: its registry, as
// the server builds it, and a Chromium.
func scanOptions(cfg config.Config, raw string) (scan.Options, error) {
	site, err := url.Parse(raw)
	if err != nil || site.Host == "" {
		return scan.Options{}, fmt.Errorf("site %q: not an address", raw)
	}
	vendors, err := consent.NewRegistry(func(k string) string { return cfg.VendorIDs[k] })
	if err != nil {
		return scan.Options{}, err
	}
	chromium, err := scan.Find()
	if err != nil {
		return scan.Options{}, err
	}
	return scan.Options{Site: site, Vendors: vendors, Chromium: chromium}, nil
}

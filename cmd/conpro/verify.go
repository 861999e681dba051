package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"conpro/internal/config"
	"conpro/internal/consentlog"
	"conpro/internal/store/postgres"
)

// exitStatus is an error that asks for an exit status other than 1.
type exitStatus struct {
	code int
	err  error
}

func (e *exitStatus) Error() string { return e.err.Error() }
func (e *exitStatus) Unwrap() error { return e.err }

// couldNotRun marks an error that kept a check from running (status 2),
// as against a check that ran and found a fault (status 1).
func couldNotRun(err error) error { return &exitStatus{code: 2, err: err} }

// verifyLog links what is not yet in the consent chain, then checks every
// event against its seal and the chain, records the result (the staff area
// shows it) and prints it. Exit status 0: intact; 1: an event fails (named);
// 2: the check could not run.
func verifyLog(ctx context.Context, args []string, cfg config.Config, db *postgres.DB, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify-log", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return couldNotRun(err)
	}
	if cfg.CookieKey == nil {
		return couldNotRun(errors.New("verify-log needs CONPRO_COOKIE_KEY, the key the server seals the log with"))
	}
	sealer := consentlog.NewSealer(cfg.CookieKey)
	if _, _, err := consentlog.Extend(ctx, db, sealer, consentlog.Whole); err != nil {
		return couldNotRun(err)
	}
	report, err := consentlog.Verify(ctx, db, sealer, time.Now())
	if err != nil {
		return couldNotRun(err)
	}
	if err := db.RecordVerification(ctx, report); err != nil {
		return couldNotRun(err)
	}
	if *asJSON {
		out, err := json.MarshalIndent(report, "", "  ")
		if err != nil {
			return couldNotRun(err)
		}
		_, _ = fmt.Fprintf(stdout, "%s\n", out)
	} else {
		_, _ = fmt.Fprintf(stdout, "consent log: %d events checked, %d removed by the purge or an erasure, %d not yet linked; chain of %d links\n",
			report.Checked, report.Removed, report.Pending, report.Head.Pos)
	}
	if !report.OK() {
		return report.Failure
	}
	if !*asJSON {
		_, _ = fmt.Fprintln(stdout, "intact: no event was changed or removed")
	}
	return nil
}

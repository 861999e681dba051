package main

import (
	"reflect"
	"testing"
	"time"

	"conpro/internal/config"
)

// Each conversion fills every option (but those only tests set): a field
// added to a domain's options and forgotten here would be zero in
// production.
func TestOptions_EveryFieldIsFilledFromTheConfiguration(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL":    "postgres://conpro@localhost/conpro",
		"CONPRO_SMTP_URL": "smtp://website:pw@127.0.0.1:2525",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	cfg.SMTP.ImplicitTLS = true // the one flag the URL above leaves false
	for name, opts := range map[string]any{
		"retention": retentionPeriods(cfg),
		"mail":      mailOptions(cfg),
	} {
		v := reflect.ValueOf(opts)
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.Name == "TLSConfig" {
				continue // tests only
			}
			if v.Field(i).IsZero() {
				t.Errorf("%s options: %s is not filled", name, f.Name)
			}
		}
	}
	if got := retentionPeriods(cfg).Contact; got != 730*24*time.Hour {
		t.Errorf("contact messages kept %s", got)
	}
}

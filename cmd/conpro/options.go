package main

import (
	"conpro/internal/config"
	"conpro/internal/mail"
	"conpro/internal/retention"
)

// The domain packages do not know the configuration: each takes options of
// its own, filled here from what config.Load read.

func retentionPeriods(cfg config.Config) retention.Periods {
	return retention.Periods{
		Contact:            cfg.Retention.Contact,
		Consent:            cfg.Retention.Consent,
		SentMail:           cfg.Retention.SentMail,
		UnverifiedRequests: cfg.Retention.UnverifiedRequests,
		Requests:           cfg.Retention.Requests,
	}
}

// mailOptions is for a configuration with CONPRO_SMTP_URL set.
func mailOptions(cfg config.Config) mail.Options {
	return mail.Options{
		Host:        cfg.SMTP.Host,
		Port:        cfg.SMTP.Port,
		Username:    cfg.SMTP.Username,
		Password:    cfg.SMTP.Password,
		ImplicitTLS: cfg.SMTP.ImplicitTLS,
		Plain:       cfg.SMTP.Plain,
		From:        cfg.MailFrom,
	}
}

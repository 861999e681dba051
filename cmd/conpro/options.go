package main

import (
	"conpro/internal/config"
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

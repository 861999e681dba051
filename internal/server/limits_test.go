package server_test

import (
	"net/http"
	"net/url"
	"testing"
)

// Two instances of the site on one database (behind a load balancer) share
// every limit: a client does not get twice its messages or choices by
// landing on the other instance.
func TestLimits_SharedByTwoInstances(t *testing.T) {
	env := map[string]string{"CONPRO_CONTACT_RATE": "2", "CONPRO_CONSENT_RATE": "2"}
	one := newSite(t, siteOptions{env: env})
	two := newSite(t, siteOptions{env: env, dbURL: one.dbURL})

	form := one.contactForm(t).Encode()
	if res := one.postForm(t, "/contact", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first message: %d", res.StatusCode)
	}
	if res := two.postForm(t, "/contact", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("second message, on the other instance: %d", res.StatusCode)
	}
	if res := one.postForm(t, "/contact", form); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("third message: %d, want 429", res.StatusCode)
	}

	choice := url.Values{"action": {"reject_all"}, "return_to": {"/"}}.Encode()
	for i, s := range []*site{two, one} {
		if res := s.postForm(t, "/consent", choice); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("choice %d: %d", i+1, res.StatusCode)
		}
	}
	if res := two.postForm(t, "/consent", choice); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("third choice: %d, want 429", res.StatusCode)
	}
}

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// consentLimit is the server's default CONPRO_CONSENT_RATE (a minute).
const consentLimit = 60

// limitCheck is what one client got when it posted more choices than its
// limit through the load balancer, which sent them to both instances.
type limitCheck struct {
	sent, acknowledged, refused int
	byInstance                  map[string]int
}

// held reports whether both instances together allowed the limit and no
// more: with a limit per instance the client would get twice as many.
func (c limitCheck) held() bool {
	return c.acknowledged == consentLimit && c.refused == c.sent-consentLimit && len(c.byInstance) == 2
}

func (c limitCheck) String() string {
	return fmt.Sprintf("%d choices from one address: %d acknowledged, %d refused with 429; answered by %v", c.sent, c.acknowledged, c.refused, c.byInstance)
}

// checkLimits posts consentLimit+10 choices from one address, as fast as
// one client can, through the balancer.
func checkLimits(ctx context.Context, base string) (limitCheck, error) {
	c := limitCheck{byInstance: map[string]int{}}
	client := newClient()
	form := url.Values{"action": {"reject_all"}, "return_to": {"/"}}.Encode()
	for range consentLimit + 10 {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/consent", strings.NewReader(form))
		if err != nil {
			return c, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", "2001:db8:ffff:fffe::1")
		res, err := client.Do(req)
		if err != nil {
			return c, fmt.Errorf("limit check: %w", err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		c.sent++
		c.byInstance[res.Header.Get(instanceHeader)]++
		switch res.StatusCode {
		case http.StatusSeeOther:
			c.acknowledged++
		case http.StatusTooManyRequests:
			c.refused++
		}
	}
	return c, nil
}

package consent

import (
	"net/url"
	"strings"

	"conpro/internal/csp"
)

// Script is one script element a page carries: an external file (Src) or an
// inline script (Inline, allowed by its hash).
type Script struct {
	Src    string
	Inline string
}

// Injection is what a page loads for one consent state, and the CSP that
// allows exactly that.
type Injection struct {
	Scripts []Script
	CSP     csp.Policy
	// CSPHeader is CSP as a header value, rendered once.
	CSPHeader string
	// Social is true when the social media widgets may load; otherwise the
	// share buttons are plain links.
	Social bool
}

// Inject returns the scripts and CSP for a choice. A nil choice (no current
// consent) loads nothing from third parties. Each set of granted vendors is
// worked out once; the result is shared, and callers do not change it.
func (r *Registry) Inject(c *Choice) Injection {
	if c == nil {
		return Injection{}
	}
	granted := c.GrantedVendors(r)
	if len(granted) == 0 {
		return Injection{}
	}
	var key strings.Builder
	for _, v := range granted {
		key.WriteString(v.Code)
		key.WriteByte('~')
	}
	if inj, ok := r.injections.Load(key.String()); ok {
		return inj.(Injection)
	}
	inj := r.inject(granted)
	inj.CSPHeader = inj.CSP.String()
	r.injections.Store(key.String(), inj)
	return inj
}

func (r *Registry) inject(granted []Vendor) Injection {
	var inj Injection
	has := func(key string) bool {
		for _, v := range granted {
			if v.Key == key {
				return true
			}
		}
		return false
	}
	for _, v := range granted {
		inj.CSP.ScriptHosts = append(inj.CSP.ScriptHosts, v.ScriptHosts...)
		inj.CSP.ConnectHosts = append(inj.CSP.ConnectHosts, v.ConnectHosts...)
		inj.CSP.ImgHosts = append(inj.CSP.ImgHosts, v.ImgHosts...)
		inj.CSP.FrameHosts = append(inj.CSP.FrameHosts, v.FrameHosts...)
	}

	// Google Analytics and Google Ads share one gtag.js, told by Consent
	// Mode v2 exactly what the visitor allowed.
	ga, ads := has("google-analytics"), has("google-ads")
	if ga || ads {
		var b strings.Builder
		b.WriteString("window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}")
		b.WriteString("gtag('consent','default',{")
		b.WriteString("'ad_storage':'" + grantedOrDenied(ads) + "',")
		b.WriteString("'ad_user_data':'" + grantedOrDenied(ads) + "',")
		b.WriteString("'ad_personalization':'" + grantedOrDenied(ads) + "',")
		b.WriteString("'analytics_storage':'" + grantedOrDenied(ga) + "'});")
		b.WriteString("gtag('js',new Date());")
		first := ""
		if ga {
			b.WriteString("gtag('config','" + r.ID("google-analytics") + "');")
			first = r.ID("google-analytics")
		}
		if ads {
			b.WriteString("gtag('config','" + r.ID("google-ads") + "');")
			if first == "" {
				first = r.ID("google-ads")
			}
		}
		inj.add(Script{Inline: b.String()})
		inj.add(Script{Src: "https://www.googletagmanager.com/gtag/js?id=" + url.QueryEscape(first)})
	}
	if has("smartlook") {
		inj.add(Script{Inline: "window.smartlook||(function(d){var o=window.smartlook=function(){o.api.push(arguments)},h=d.getElementsByTagName('head')[0];" +
			"var c=d.createElement('script');o.api=[];c.async=true;c.src='https://web-sdk.smartlook.com/recorder.js';h.appendChild(c);})(document);" +
			"smartlook('init','" + r.ID("smartlook") + "',{region:'eu'});"})
	}
	if has("meta-pixel") {
		inj.add(Script{Inline: "!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};" +
			"if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;" +
			"s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,document,'script','https://connect.facebook.net/en_US/fbevents.js');" +
			"fbq('consent','grant');fbq('init','" + r.ID("meta-pixel") + "');fbq('track','PageView');"})
	}
	if has("linkedin-insight") {
		inj.add(Script{Inline: "window._linkedin_data_partner_ids=window._linkedin_data_partner_ids||[];" +
			"window._linkedin_data_partner_ids.push('" + r.ID("linkedin-insight") + "');"})
		inj.add(Script{Src: "https://snap.licdn.com/li.lms-analytics/insight.min.js"})
	}
	if has("social-widgets") {
		inj.Social = true
		inj.add(Script{Src: "https://platform.linkedin.com/in.js"})
	}
	return inj
}

func (inj *Injection) add(s Script) {
	inj.Scripts = append(inj.Scripts, s)
	if s.Inline != "" {
		inj.CSP.ScriptHashes = append(inj.CSP.ScriptHashes, csp.Hash(s.Inline))
	}
}

func grantedOrDenied(b bool) string {
	if b {
		return "granted"
	}
	return "denied"
}

// RefusedCookies returns the names among present (the cookies a request
// carries) that belong to vendors the choice does not grant: these must be
// expired. A nil choice refuses every vendor.
func RefusedCookies(c *Choice, present []string) []string {
	var out []string
	catalog := vendorCatalog()
	for _, name := range present {
		for _, v := range catalog {
			if (c == nil || !c.GrantsVendor(v)) && v.MatchesCookie(name) {
				out = append(out, name)
				break
			}
		}
	}
	return out
}

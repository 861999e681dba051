package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func htmlLang(t *testing.T, body string) string {
	t.Helper()
	h := all(doc(t, body), "html")
	v, _ := attr(h[0], "lang")
	return v
}

func TestLanguage_DutchByDefault(t *testing.T) {
	s := newSite(t, siteOptions{})
	res := s.get(t, "/")
	if got := htmlLang(t, res.Body); got != "nl" {
		t.Fatalf("lang %q", got)
	}
	if res.Header.Get("Content-Language") != "nl" || !strings.Contains(res.Header.Get("Vary"), "Accept-Language") {
		t.Errorf("Content-Language %q, Vary %q", res.Header.Get("Content-Language"), res.Header.Get("Vary"))
	}
}

func TestLanguage_FromAcceptLanguage(t *testing.T) {
	s := newSite(t, siteOptions{})
	cases := map[string]string{
		"fr-BE,fr;q=0.9,en;q=0.5": "fr",
		"en-GB,en;q=0.9":          "en",
		"nl-BE":                   "nl",
		"de-DE":                   "nl",
		"x;;;garbage,,":           "nl",
		"":                        "nl",
	}
	for header, want := range cases {
		res := s.get(t, "/", "Accept-Language", header)
		if got := htmlLang(t, res.Body); got != want {
			t.Errorf("Accept-Language %q: lang %q, want %q", header, got, want)
		}
	}
}

func TestLanguage_PolicyStaysDutchAndSaysSoInFrenchAndEnglish(t *testing.T) {
	s := newSite(t, siteOptions{})
	fr := s.get(t, "/privacy", "Accept-Language", "fr")
	if !strings.Contains(fr.Body, "Cette politique n&#39;existe qu&#39;en néerlandais.") && !strings.Contains(fr.Body, "Cette politique n'existe qu'en néerlandais.") {
		t.Error("French page does not say the policy is Dutch only")
	}
	if !strings.Contains(fr.Body, `<article class="policy" lang="nl"`) {
		t.Error("policy text is not marked as Dutch")
	}
	if !strings.Contains(fr.Body, "Rechten van betrokkenen") {
		t.Error("policy text not shown in Dutch")
	}
	nl := s.get(t, "/privacy")
	if strings.Contains(nl.Body, "alleen in het Nederlands") {
		t.Error("Dutch page says the policy is Dutch only")
	}
}

func TestLanguage_SwitchIsRememberedInAFunctionalCookie(t *testing.T) {
	s := newSite(t, siteOptions{})
	res := s.postForm(t, "/taal", "lang=en&return_to=%2Fprivacy%3Fx%3D1")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/privacy?x=1" {
		t.Fatalf("POST /taal: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "conpro_lang" {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != "en" || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.MaxAge < 300*24*3600 {
		t.Fatalf("cookie %+v", cookie)
	}
	// The remembered choice beats the browser's language.
	res = s.get(t, "/", "Cookie", "conpro_lang=en", "Accept-Language", "fr")
	if got := htmlLang(t, res.Body); got != "en" {
		t.Fatalf("lang %q after choosing en", got)
	}
	if !strings.Contains(res.Body, `aria-pressed="true">EN<span class="visually-hidden"> English</span></button>`) {
		t.Error("switch does not show English as chosen")
	}
}

func TestLanguage_SwitchIsSecureInProduction(t *testing.T) {
	s := newSite(t, siteOptions{env: map[string]string{"CONPRO_ENV": "production"}})
	res := s.postForm(t, "/taal", "lang=fr&return_to=/")
	if c := res.Cookies(); len(c) != 1 || !c[0].Secure {
		t.Fatalf("cookies %+v", c)
	}
}

func TestLanguage_SwitchNeverRedirectsOffSite(t *testing.T) {
	s := newSite(t, siteOptions{})
	for _, rt := range []string{"https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", "%2F%2Fevil.example", "/%0d%0aSet-Cookie:x=1", ""} {
		res := s.postForm(t, "/taal", "lang=fr&return_to="+rt)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Errorf("return_to %q: %d to %q", rt, res.StatusCode, res.Header.Get("Location"))
		}
	}
}

func TestLanguage_SwitchRejectsUnknownLanguage(t *testing.T) {
	s := newSite(t, siteOptions{})
	res := s.postForm(t, "/taal", "lang=de&return_to=/")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "Ongeldig verzoek") {
		t.Fatalf("lang=de: %d", res.StatusCode)
	}
}

func TestLanguage_SwitchFromAnotherSiteIsRefused(t *testing.T) {
	s := newSite(t, siteOptions{})
	res := s.postForm(t, "/taal", "lang=fr&return_to=/", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "Verzoek geweigerd") {
		t.Fatalf("cross-site POST: %d", res.StatusCode)
	}
	if len(res.Cookies()) != 0 {
		t.Error("cross-site POST set a cookie")
	}
}

func TestLanguage_OversizedBodyIsRefused(t *testing.T) {
	s := newSite(t, siteOptions{})
	res := s.postForm(t, "/taal", "lang=fr&return_to="+strings.Repeat("a", 100<<10))
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(res.Body, "Te veel gegevens") {
		t.Fatalf("oversized POST: %d", res.StatusCode)
	}
}

func TestLanguage_EveryPageIsFullyTranslated(t *testing.T) {
	s := newSite(t, siteOptions{env: allVendors})
	// A visitor with a history, so the settings page shows all it can.
	_, c := s.choose(t, url.Values{"action": {"accept_all"}, "return_to": {"/"}})
	_, c = s.choose(t, url.Values{"action": {"withdraw"}, "return_to": {"/"}}, "Cookie", c.Name+"="+c.Value)
	for _, lang := range []string{"nl", "fr", "en"} {
		for _, p := range []string{"/", "/contact", "/privacy", "/privacy/versies", "/privacy/versies/2", "/bestaat-niet", "/cookies", "/cookies?opgeslagen=1"} {
			for _, withChoice := range []bool{false, true} {
				cookie := "conpro_lang=" + lang
				if withChoice {
					cookie += "; " + c.Name + "=" + c.Value
				}
				res := s.get(t, p, "Cookie", cookie, "Sec-GPC", "1")
				if strings.Contains(res.Body, "⟦missing:") {
					t.Errorf("%s in %s: untranslated message", p, lang)
				}
				if got := htmlLang(t, res.Body); got != lang {
					t.Errorf("%s in %s: lang %q", p, lang, got)
				}
			}
			res := s.get(t, p, "Cookie", "conpro_lang="+lang)
			if strings.Contains(res.Body, "⟦missing:") {
				t.Errorf("%s in %s: untranslated message", p, lang)
			}
			if got := htmlLang(t, res.Body); got != lang {
				t.Errorf("%s in %s: lang %q", p, lang, got)
			}
		}
	}
}

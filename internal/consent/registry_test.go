package consent

import (
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"conpro/internal/locale"
	"conpro/locales"
)

// Every entry carries its policy row; every vendor the site can load carries
// all that the banner, the cookie, injection, the CSP and cookie expiry
// read, so that adding one is an entry and its messages.
func TestRegistry_EveryEntryIsComplete(t *testing.T) {
	ix := catalogue()
	var keys, codes, vars []string
	cookieCode := regexp.MustCompile(`^[a-z]{1,8}$`)
	for _, v := range ix.all {
		if v.Key == "" || slices.Contains(keys, v.Key) {
			t.Errorf("key %q is empty or repeated", v.Key)
		}
		keys = append(keys, v.Key)
		if v.Party == "" || v.Location == "" || v.Service == "" || (!v.Category.Optional() && v.Category != Functional && v.Category != AnyCategory) {
			t.Errorf("%s: incomplete policy row %q, %q, %q, %q", v.Key, v.Party, v.Category, v.Location, v.Service)
		}
		if !v.loadable() {
			if v.Code != "" || v.Name != "" || len(v.Cookies)+len(v.Snippet)+len(v.ScriptHosts)+len(v.ConnectHosts)+len(v.ImgHosts)+len(v.FrameHosts) > 0 || v.Loader != nil || v.Widgets || v.Embed != "" {
				t.Errorf("%s: the site never loads it, yet it has what a loaded vendor has", v.Key)
			}
			continue
		}
		if !cookieCode.MatchString(v.Code) || slices.Contains(codes, v.Code) {
			t.Errorf("%s: code %q is not a short lowercase word, or is repeated", v.Key, v.Code)
		}
		codes = append(codes, v.Code)
		if slices.Contains(vars, v.Variable.Name) || !strings.HasPrefix(v.Variable.Name, "CONPRO_") || v.Variable.Doc == "" {
			t.Errorf("%s: variable %+v is repeated, misnamed or undocumented", v.Key, v.Variable)
		}
		vars = append(vars, v.Variable.Name)
		if p, err := regexp.Compile(v.Variable.pattern); err != nil || !strings.HasPrefix(v.Variable.pattern, "^") || !strings.HasSuffix(v.Variable.pattern, "$") || p.MatchString("'") {
			t.Errorf("%s: pattern %q must compile and match a whole ID (%v)", v.Key, v.Variable.pattern, err)
		}
		if !v.Category.Optional() {
			t.Errorf("%s: a vendor the site loads needs consent, but %s is not optional", v.Key, v.Category)
		}
		if v.Name == "" || v.Company == "" || v.PurposeID == "" {
			t.Errorf("%s: name %q, company %q or purpose %q missing", v.Key, v.Name, v.Company, v.PurposeID)
		}
		if len(v.Snippet) == 0 && v.Loader == nil && (v.Embed == "" || len(v.FrameHosts) == 0) {
			t.Errorf("%s: nothing to load", v.Key)
		}
		for _, s := range v.Snippet {
			if (s.Src == "") == (s.Inline == "") {
				t.Errorf("%s: a script is either a file or inline: %+v", v.Key, s)
			}
		}
		if v.Loader != nil && !v.Loader.grantsOnly(v.LoaderGrants) || v.Loader == nil && len(v.LoaderGrants) > 0 {
			t.Errorf("%s: grants %v that its loader does not know", v.Key, v.LoaderGrants)
		}
		for _, c := range v.Cookies {
			if _, err := path.Match(c.Pattern, ""); err != nil || c.MaxAge <= 0 {
				t.Errorf("%s: cookie %+v", v.Key, c)
			}
		}
		for _, h := range slices.Concat(v.ScriptHosts, v.ConnectHosts, v.ImgHosts, v.FrameHosts) {
			if !strings.HasPrefix(h, "https://") || strings.ContainsAny(h, " ;'") {
				t.Errorf("%s: host %q is not an https source", v.Key, h)
			}
		}
	}
	if len(ix.vendors) > maxActive {
		t.Errorf("%d vendors: Inject's memo keys on a %d-bit mask", len(ix.vendors), maxActive)
	}
}

func (l *Loader) grantsOnly(signals []string) bool {
	for _, s := range signals {
		if !slices.Contains(l.Signals, s) {
			return false
		}
	}
	return len(signals) > 0
}

func TestRegistry_EveryVendorsPurposeIsTranslated(t *testing.T) {
	b, err := locale.Load(locales.FS())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range catalogue().vendors {
		for _, lang := range locale.Langs() {
			if got := b.Localizer(lang).T(v.PurposeID); strings.Contains(got, "⟦missing:") {
				t.Errorf("%s: %s has no message %s", v.Key, lang, v.PurposeID)
			}
		}
	}
}

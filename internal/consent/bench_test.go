package consent_test

import (
	"strings"
	"testing"
	"time"

	"conpro/internal/consent"
)

func BenchmarkCodec_Decode(b *testing.B) {
	c, err := consent.NewCodec([]byte(strings.Repeat("k", 32)))
	if err != nil {
		b.Fatal(err)
	}
	v := c.Encode(consent.Choice{ID: consent.NewID(), PolicyVersion: 2, Categories: []consent.Category{consent.Analytics}, Vendors: []string{"google-analytics"}, Time: time.Now()})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Decode(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRegistry_InjectAndCSP(b *testing.B) {
	r := benchRegistry(b)
	ch := consent.Choice{Categories: []consent.Category{consent.Analytics, consent.Advertising}, Vendors: []string{"google-analytics", "meta-pixel"}}
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Inject(&ch).CSP.String()
	}
}

// BenchmarkRegistry_Inject is what every page request pays: the injection of
// a consent state already worked out once.
func BenchmarkRegistry_Inject(b *testing.B) {
	r := benchRegistry(b)
	ch := consent.Choice{Categories: []consent.Category{consent.Analytics, consent.Advertising}, Vendors: []string{"google-analytics", "meta-pixel"}}
	b.ReportAllocs()
	for b.Loop() {
		if r.Inject(&ch).CSPHeader == "" {
			b.Fatal("no CSP")
		}
	}
}

func benchRegistry(b *testing.B) *consent.Registry {
	r, err := consent.NewRegistry(func(k string) string {
		return map[string]string{"CONPRO_GA_MEASUREMENT_ID": "G-BENCH1234", "CONPRO_META_PIXEL_ID": "1234567890"}[k]
	})
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// Package consent holds the cookie categories and the registry of parties
// that may set cookies or receive data through the site. The registry is the
// one list that the policy's cookie tables, the banner, the settings page,
// the consent cookie, script injection, the Content-Security-Policy, cookie
// expiry and the configuration read.
package consent

import (
	"net/url"
	"strings"
	"time"
)

// Adding a vendor the site can load is an entry in entries below and its
// PurposeID message in each locales/active.*.toml; no other code changes
// (README's configuration table documents the new variable, and a test
// keeps the two in step). The registry's tests check the entry and that
// every language has its message. The entry gives:
//
//   - Key, and a Code for the consent cookie that no vendor ever had;
//   - the policy's row: Party, Category, Location, Service;
//   - Name, Company and PurposeID for the banner and the settings page;
//   - Variable: the environment variable, what it documents, and the
//     pattern an ID must match (the ID is written into a script); config
//     reads it from here;
//   - Cookies, expired when the visitor refuses the vendor;
//   - the hosts its code contacts, which the CSP allows only when granted;
//   - Snippet, with idSlot for the configured ID, and/or a shared Loader
//     (Google's vendors share gtag.js) with the Signals the vendor grants.
//
// Insert it anywhere, but never reorder the vendors already here: the
// consent cookie lists codes in registry order, and cookies already set
// would stop decoding.
//
// A policy version's tables name parties by Key. A published version keeps
// its text (the store records its digest), so a new vendor appears in the
// tables of the next version; the policy's tables list examples, not every
// party.
//
// A party the policy names but the site never loads has only its Key and
// policy row.

const (
	day  = 24 * time.Hour
	year = 365 * day
)

// entries is the registry, in order: first the vendors the site can load
// (in the order forms list them), then the parties the policy only names.
func entries() []Vendor {
	gtag := &Loader{
		Signals: []string{"ad_storage", "ad_user_data", "ad_personalization", "analytics_storage"},
		Scripts: gtagScripts,
	}
	return []Vendor{
		{
			Key: "google-analytics", Party: "Google", Category: Analytics, Location: "US (Privacy Shield)", Service: "Analytics, Tag manager, ...",
			Variable: Variable{Name: "CONPRO_GA_MEASUREMENT_ID", Doc: "Google Analytics 4 measurement ID (G-…); activates Google Analytics", pattern: `^G-[A-Z0-9]{4,20}$`},
			Code:     "ga", Name: "Google Analytics", Company: "Google", PurposeID: "VendorPurposeGoogleAnalytics",
			Cookies:      []Cookie{{"_ga", 2 * year}, {"_ga_*", 2 * year}, {"_gid", day}, {"_gat*", time.Minute}},
			ScriptHosts:  []string{"https://www.googletagmanager.com"},
			ConnectHosts: []string{"https://*.google-analytics.com", "https://*.analytics.google.com", "https://www.googletagmanager.com"},
			ImgHosts:     []string{"https://*.google-analytics.com", "https://www.googletagmanager.com"},
			Loader:       gtag, LoaderGrants: []string{"analytics_storage"},
		},
		{
			Key: "smartlook", Party: "Smartlook", Category: Analytics, Location: "US (Privacy Shield)", Service: "Smartlook, script ter opname van websiteactiviteit (relevant voor bug detectie en verbeteren van de ervaring), ...",
			Variable: Variable{Name: "CONPRO_SMARTLOOK_KEY", Doc: "Smartlook project key; activates Smartlook", pattern: `^[0-9a-f]{20,64}$`},
			Code:     "sl", Name: "Smartlook", Company: "Smartlook", PurposeID: "VendorPurposeSmartlook",
			Cookies:      []Cookie{{"SL_*", year}},
			ScriptHosts:  []string{"https://web-sdk.smartlook.com"},
			ConnectHosts: []string{"https://*.smartlook.com", "https://*.smartlook.cloud"},
			ImgHosts:     []string{"https://*.smartlook.com", "https://*.smartlook.cloud"},
			Snippet: []Script{{Inline: "window.smartlook||(function(d){var o=window.smartlook=function(){o.api.push(arguments)},h=d.getElementsByTagName('head')[0];" +
				"var c=d.createElement('script');o.api=[];c.async=true;c.src='https://web-sdk.smartlook.com/recorder.js';h.appendChild(c);})(document);" +
				"smartlook('init','" + idSlot + "',{region:'eu'});"}},
		},
		{
			Key: "google-ads", Party: "Google", Category: Advertising, Location: "US (Privacy Shield)", Service: "Adwords, remarketing snippets, ...",
			Variable: Variable{Name: "CONPRO_GOOGLE_ADS_ID", Doc: "Google Ads ID (AW-…); activates Google Ads", pattern: `^AW-[0-9]{6,15}$`},
			Code:     "gads", Name: "Google Ads", Company: "Google", PurposeID: "VendorPurposeGoogleAds",
			Cookies:      []Cookie{{"_gcl_*", 90 * day}, {"_gac_*", 90 * day}},
			ScriptHosts:  []string{"https://www.googletagmanager.com", "https://www.googleadservices.com", "https://googleads.g.doubleclick.net"},
			ConnectHosts: []string{"https://www.googletagmanager.com", "https://googleads.g.doubleclick.net", "https://www.google.com"},
			ImgHosts:     []string{"https://googleads.g.doubleclick.net", "https://www.google.com", "https://www.google.be"},
			FrameHosts:   []string{"https://td.doubleclick.net", "https://www.googletagmanager.com"},
			Loader:       gtag, LoaderGrants: []string{"ad_storage", "ad_user_data", "ad_personalization"},
		},
		{
			Key: "meta-pixel", Party: "Facebook", Category: Advertising, Location: "US (Privacy Shield)", Service: "Facebook pixel, like & share buttons, page includes, API connections, ...",
			Variable: Variable{Name: "CONPRO_META_PIXEL_ID", Doc: "Meta (Facebook) pixel ID; activates the Meta pixel", pattern: `^[0-9]{6,20}$`},
			Code:     "meta", Name: "Meta Pixel (Facebook)", Company: "Facebook", PurposeID: "VendorPurposeMetaPixel",
			Cookies:      []Cookie{{"_fbp", 90 * day}, {"_fbc", 90 * day}},
			ScriptHosts:  []string{"https://connect.facebook.net"},
			ConnectHosts: []string{"https://www.facebook.com", "https://connect.facebook.net"},
			ImgHosts:     []string{"https://www.facebook.com"},
			Snippet: []Script{{Inline: "!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};" +
				"if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;" +
				"s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,document,'script','https://connect.facebook.net/en_US/fbevents.js');" +
				"fbq('consent','grant');fbq('init','" + idSlot + "');fbq('track','PageView');"}},
		},
		{
			Key: "linkedin-insight", Party: "LinkedIn", Category: Advertising, Location: "US (Privacy Shield)", Service: "Pixel / Remarketing service, ...",
			Variable: Variable{Name: "CONPRO_LINKEDIN_PARTNER_ID", Doc: "LinkedIn Insight Tag partner ID; activates LinkedIn Insight", pattern: `^[0-9]{3,12}$`},
			Code:     "li", Name: "LinkedIn Insight Tag", Company: "LinkedIn", PurposeID: "VendorPurposeLinkedIn",
			Cookies:      []Cookie{{"li_*", 90 * day}, {"_li_*", 90 * day}, {"ln_or", day}},
			ScriptHosts:  []string{"https://snap.licdn.com"},
			ConnectHosts: []string{"https://px.ads.linkedin.com"},
			ImgHosts:     []string{"https://px.ads.linkedin.com"},
			Snippet: []Script{
				{Inline: "window._linkedin_data_partner_ids=window._linkedin_data_partner_ids||[];window._linkedin_data_partner_ids.push('" + idSlot + "');"},
				{Src: "https://snap.licdn.com/li.lms-analytics/insight.min.js"},
			},
		},
		{
			Key: "social-widgets", Party: "*", Category: Social, Location: "EU / US", Service: "Cookies die het mogelijk maken om bepaalde onderdelen van de website te delen op social media.",
			Variable: Variable{Name: "CONPRO_SOCIAL_WIDGETS", Off: "0", Doc: "1 shows Facebook and LinkedIn share widgets to visitors who accept social media cookies", pattern: `^1$`},
			Code:     "soc", Name: "Facebook- en LinkedIn-knoppen", Company: "Facebook, LinkedIn", PurposeID: "VendorPurposeSocial",
			ScriptHosts:  []string{"https://platform.linkedin.com"},
			ConnectHosts: []string{"https://www.linkedin.com"},
			ImgHosts:     []string{"https://www.facebook.com", "https://static.xx.fbcdn.net", "https://static.licdn.com"},
			FrameHosts:   []string{"https://www.facebook.com", "https://www.linkedin.com"},
			Snippet:      []Script{{Src: "https://platform.linkedin.com/in.js"}},
			Widgets:      true,
		},
		// The embeds: a page's video or map loads in a frame of the
		// vendor's, after consent for that vendor (web/embed.go). Their
		// cookies are set on their own domains inside the frame, never on
		// this site's: the declaration names those domains, the purpose
		// message names the cookies.
		{
			Key: "youtube", Party: "Google", Category: Advertising, Location: "US (Data Privacy Framework)", Service: "YouTube, video's in de pagina's",
			Variable: Variable{Name: "CONPRO_YOUTUBE", Off: "0", Doc: "1 shows YouTube videos in pages (youtube-nocookie.com) to visitors who allow YouTube; a placeholder for the others", pattern: `^1$`},
			Code:     "yt", Name: "YouTube", Company: "Google", PurposeID: "VendorPurposeYouTube",
			FrameHosts: []string{"https://www.youtube-nocookie.com"},
			Embed:      EmbedVideo,
		},
		{
			Key: "vimeo", Party: "Vimeo", Category: Analytics, Location: "US (Data Privacy Framework)", Service: "Vimeo, video's in de pagina's",
			Variable: Variable{Name: "CONPRO_VIMEO", Off: "0", Doc: "1 shows Vimeo videos in pages (player.vimeo.com, do not track) to visitors who allow Vimeo; a placeholder for the others", pattern: `^1$`},
			Code:     "vim", Name: "Vimeo", Company: "Vimeo", PurposeID: "VendorPurposeVimeo",
			FrameHosts: []string{"https://player.vimeo.com"},
			Embed:      EmbedVideo,
		},
		{
			Key: "google-maps", Party: "Google", Category: Advertising, Location: "US (Data Privacy Framework)", Service: "Google Maps, kaarten in de pagina's",
			Variable: Variable{Name: "CONPRO_GOOGLE_MAPS", Off: "0", Doc: "1 shows Google Maps maps in pages to visitors who allow Google Maps; a placeholder for the others", pattern: `^1$`},
			Code:     "gmap", Name: "Google Maps", Company: "Google", PurposeID: "VendorPurposeGoogleMaps",
			// Only the embed path: no other page of www.google.com may be
			// framed.
			FrameHosts: []string{"https://www.google.com/maps/embed"},
			Embed:      EmbedMap,
		},

		{Key: "mail-software", Party: "Mailsoftware", Category: Advertising, Location: "US (Privacy Shield)", Service: "Advertentie cookies, plug-in/script voor opt-in email nieuwsletter en remarketing/reminders"},
		{Key: "retargeting-software", Party: "Retargeting software", Category: Advertising, Location: "US (Privacy Shield)", Service: "Het tonen van gerichte advertenties door middel van cookies."},
		{Key: "cms-wordpress", Party: "Wordpress", Category: Functional, Location: "US (Privacy Shield)", Service: "CMS"},
		{Key: "cms-joomla", Party: "Joomla", Category: Functional, Location: "US (Privacy Shield)", Service: "CMS"},
		{Key: "cms-drupal", Party: "Drupal", Category: Functional, Location: "EU", Service: "CMS"},
		{Key: "cms-other", Party: "Ander CMS", Category: Functional, Location: "EU / US", Service: "CMS"},
		// OpenStreetMap's embedded map sets no cookies and needs no consent:
		// a functional embed, always allowed on pages that carry one.
		{Key: "openstreetmap", Party: "OpenStreetMap", Category: Functional, Location: "VK (adequaatheidsbesluit)", Service: "Kaarten in de pagina's, zonder cookies"},
		{Key: "cloudflare", Party: "Cloudflare", Category: Functional, Location: "US (Privacy Shield)", Service: "Verbetering van web prestaties en technisch relevante identificatie van een gebruiker met nadruk op security"},
		{Key: "functional-other", Party: "*", Category: Functional, Location: "EU", Service: "Technisch relevante cookies met betrekking tot (verbeterde) werkzaamheid/functionaliteit van de website."},
		{Key: "payment-provider", Party: "Payment provider", Category: AnyCategory, Location: "EU / US", Service: "Cookies die noodzakelijk zijn voor het uitvoeren van betalingen alsook het adverteren of opvolgen van betalingen via cookies."},
	}
}

// gtagScripts is Google's gtag.js, shared by Google Analytics and Google
// Ads, told by Consent Mode v2 exactly what the visitor allowed. It loads
// under the first granted vendor's ID and configures each.
func gtagScripts(signals []Signal, ids []string) []Script {
	var b strings.Builder
	b.WriteString("window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}")
	b.WriteString("gtag('consent','default',{")
	for i, s := range signals {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("'" + s.Name + "':'" + grantedOrDenied(s.Granted) + "'")
	}
	b.WriteString("});gtag('js',new Date());")
	for _, id := range ids {
		b.WriteString("gtag('config','" + id + "');")
	}
	return []Script{
		{Inline: b.String()},
		{Src: "https://www.googletagmanager.com/gtag/js?id=" + url.QueryEscape(ids[0])},
	}
}

func grantedOrDenied(b bool) string {
	if b {
		return "granted"
	}
	return "denied"
}

package policy

import (
	"fmt"
	"strings"
	"time"

	"conpro/internal/consent"
)

// ReviewMarker starts each passage of a suggested draft that a person must
// read and adapt: a version whose text still holds it is not published.
const ReviewMarker = "[[nakijken]]"

// Facts is what the site knows of its own processing: who is responsible,
// how long each kind of data is kept, how long a consent holds, and the
// services it uses.
type Facts struct {
	Company, Address, Email, Phone string
	// The retention periods as configured.
	Contact, Consent, Requests, UnverifiedRequests, SentMail time.Duration
	ConsentMaxAge                                            time.Duration
	// Vendors are the services the site loads (with consent).
	Vendors []consent.Vendor
}

// Suggest writes a draft from the facts: the processing the site's own
// forms do with their legal basis and retention, the cookie declaration,
// the services with where they are established, the self-service pages
// for each right, and the supervisory authority. It is a suggestion: each
// generated passage starts with ReviewMarker, and CheckPublish refuses the
// text until a person has read each one and taken the marker away.
func Suggest(f Facts) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Privacy- en cookie policy\n\n")
	w("%s Deze verklaring zegt welke persoonsgegevens %s verwerkt via de website %s, waarom, op welke grond en hoe lang. Verantwoordelijke: %s, %s, %s, %s.\n\n",
		ReviewMarker, f.Company, "conpro-bouw.be", f.Company, f.Address, f.Email, f.Phone)

	w("## Welke gegevens wij verwerken\n\n")
	w("%s Deze verwerkingen doet de website zelf; vul aan wat het bedrijf daarnaast doet (offertes, facturatie, boekhouding).\n\n", ReviewMarker)
	w("| Wat | Waarom | Grond | Hoe lang |\n| --- | --- | --- | --- |\n")
	w("| Naam, e-mailadres, telefoonnummer en bericht van het contactformulier | Uw vraag beantwoorden | Maatregelen op uw verzoek voor een overeenkomst (art. 6.1.b AVG), anders ons gerechtvaardigd belang om vragen te beantwoorden (art. 6.1.f AVG) | %s |\n", period(f.Contact))
	w("| Uw keuze over cookies, met een willekeurige code, het tijdstip en een ingekort IP-adres | Kunnen aantonen welke toestemming u gaf | Wettelijke verplichting (art. 7.1 AVG) | %s na uw laatste keuze |\n", period(f.Consent))
	w("| E-mailadres en verzoek bij een vraag over uw gegevens | Uw rechten uitvoeren | Wettelijke verplichting (art. 12 tot 22 AVG) | %s; een verzoek dat u niet bevestigde %s |\n", period(f.Requests), period(f.UnverifiedRequests))
	w("| De meldingen die de website ons mailt | Weten dat er een bericht of verzoek wacht | Ons gerechtvaardigd belang (art. 6.1.f AVG) | %s |\n\n", period(f.SentMail))

	w("## Cookies\n\n")
	w("%s Technische cookies zijn nodig om de website te laten werken en om uw keuzes te onthouden; daarvoor is geen toestemming nodig. Andere cookies plaatsen wij alleen als u dat toestaat. Uw keuze geldt %s; daarna vragen wij ze opnieuw. U kunt ze altijd wijzigen of intrekken op de pagina Cookie-instellingen (/cookies).\n\n", ReviewMarker, period(f.ConsentMaxAge))
	w("%s\n\n", DeclarationMarker)

	w("## Diensten van derden en doorgifte buiten de EU\n\n")
	if len(f.Vendors) == 0 {
		w("%s De website gebruikt geen diensten van derden die cookies plaatsen of gegevens ontvangen.\n\n", ReviewMarker)
	} else {
		w("%s Deze diensten gebruikt de website, alleen met uw toestemming. Controleer bij elke dienst waar ze gevestigd is en op welke grond gegevens naar buiten de EU gaan (bijvoorbeeld het EU-VS Data Privacy Framework).\n\n", ReviewMarker)
		for _, v := range f.Vendors {
			w("- **%s** (%s): %s\n", v.Name, v.Company, v.Location)
		}
		w("\n%s\n\n", PartiesMarker)
	}

	w("## Uw rechten\n\n")
	w("%s U hebt het recht uw gegevens in te zien, te laten verbeteren of wissen, de verwerking te laten beperken, bezwaar te maken, uw gegevens mee te nemen en een toestemming in te trekken.\n\n", ReviewMarker)
	w("- Inzage, verbetering, wissen of bezwaar: vraag het zelf via de pagina Uw gegevens inzien of wissen (/privacy/verzoek); wij vragen u eerst uw e-mailadres te bevestigen.\n")
	w("- Cookies: wijzig of trek uw keuze in via Cookie-instellingen (/cookies).\n")
	w("- Of schrijf ons: %s.\n\n", f.Email)

	w("## Klacht\n\n")
	w("%s U kunt een klacht indienen bij de Gegevensbeschermingsautoriteit, Drukpersstraat 35, 1000 Brussel, contact@apd-gba.be, +32 2 274 48 00, www.gegevensbeschermingsautoriteit.be.\n\n", ReviewMarker)

	w("## Wijzigingen privacy- en cookie policy\n\n")
	w("Wij kunnen deze policy aanpassen. Elke nieuwe versie staat met de datum waarop ze van kracht wordt bij de versies van deze policy, met wat er veranderde; wie cookies toestond, vragen wij dan opnieuw om een keuze.\n\n")

	w("## Contact\n\n")
	w("- %s\n- %s\n- %s\n", f.Address, f.Email, f.Phone)
	return b.String()
}

// period writes a retention period in Dutch: in years, months or days.
func period(d time.Duration) string {
	days := int(d / (24 * time.Hour))
	switch {
	case days <= 0:
		return "niet bewaard"
	case days%365 == 0:
		return plural(days/365, "jaar", "jaar")
	case days%30 == 0:
		return plural(days/30, "maand", "maanden")
	case days%7 == 0:
		return plural(days/7, "week", "weken")
	}
	return plural(days, "dag", "dagen")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

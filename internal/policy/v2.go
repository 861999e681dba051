package policy

import "time"

// version2 is the policy of 5 June 2020, as the company wrote it. Only
// obvious typing errors are corrected ("Informereren", "functionaliiteit",
// the order of postcode and comma in the address); the "[.....]" placeholders
// of the original are left out.
func version2() Version {
	return Version{
		Number: 2,
		Date:   date(2020, time.June, 5),
		Title:  "Privacy- en cookie policy",
		Intro: []Block{
			Paragraph{Text: "Indien u onze website conpro-bouw.be of een van onze andere domeinen die naar deze website doorstuurt bezoekt, worden er persoonsgegevens van u verwerkt. Construct Professional bvba acht uw privacy van groot belang."},
			Paragraph{Text: "Om uw privacy zo goed mogelijk te respecteren, hanteren wij een aantal normen:"},
			List{Items: []string{
				"**Informeren:** Wij willen u zo goed mogelijk informeren over hoe en waarom wij uw persoonsgegevens verwerken. Dat doen wij via deze policy.",
				"**Gegevens beperken:** Wij trachten onze verzameling van persoonsgegevens te beperken tot datgene wat nodig is voor de goede werking van onze website en dienstverlening.",
				"**Security:** Wij nemen passende beveiligingsmaatregelen om uw persoonsgegevens te beschermen.",
				"**Toestemming:** Wij vragen om uitdrukkelijke toestemming in gevallen waarin uw toestemming wettelijk vereist is omtrent gegevensverwerking.",
				"**Rechten:** Wij respecteren uw recht om de persoonsgegevens, die wij van u verwerken, in te zien, te corrigeren of te verwijderen en eventuele andere rechten, die u op grond van de toepasselijke privacywetgeving heeft.",
			}},
			Paragraph{Text: "In deze privacy- en cookie policy kunt u lezen hoe wij bovenstaande in de praktijk brengen."},
		},
		Sections: []Section{
			{
				ID:    "het-gebruik-van-persoonsgegevens",
				Title: "Het gebruik van persoonsgegevens",
				Blocks: []Block{
					Paragraph{Text: "Bij het gebruik van onze websites laat u bepaalde gegevens bij ons achter. Dat kunnen ook persoonsgegevens zijn. Wij verzamelen, bewaren en gebruiken de persoonsgegevens, die rechtstreeks door u worden opgegeven (bijvoorbeeld via het contactformulier op de website) of waarvan bij opgave duidelijk is dat ze aan ons worden verstrekt om te verwerken."},
					Paragraph{Text: "Wij zullen uw persoonsgegevens niet voor andere doeleinden gebruiken dan waarvoor wij deze hebben verkregen, tenzij u daar vooraf toestemming voor heeft gegeven of wij dit op grond van de wet mogen of moeten doen. Afhankelijk van welke functionaliteiten of diensten die u via de website of onze dienstverlening gebruikt, kunnen wij de volgende persoonsgegevens van u verwerken:"},
					List{Items: []string{
						"NAW-gegevens;",
						"Telefoonnummer;",
						"Facturatie gegevens;",
						"Betalingsgegevens;",
						"E-mailadres;",
						"Logingegevens;",
						"Geslacht;",
						"IP-adres.",
					}},
					Paragraph{Text: "Uw persoonsgegevens worden door ons onder andere gebruikt voor de onderstaande doeleinden maar niet uitsluitend beperkt tot deze doeleinden:"},
					List{Items: []string{
						"Het verlenen van toegang tot de website;",
						"Het aanbieden van functionaliteiten via de website;",
						"Het factureren van de afgenomen diensten;",
						"Het registreren van domeinnamen;",
						"Het versturen van nieuwsbrieven;",
						"Het verbeteren en evalueren van onze website en dienstverlening;",
						"Het beantwoorden en afhandelen van de door u gestelde vragen;",
						"Het aanbieden van gerichte advertenties via zoekmachines;",
						"Het aanbieden van gerichte advertenties via marketingplatformen (zoals bijv: Facebook, LinkedIn, ...).",
					}},
				},
			},
			{
				ID:    "contactformulier-en-e-mails",
				Title: "Contactformulier en e-mails",
				Blocks: []Block{
					Paragraph{Text: "Indien u vragen heeft over Construct Professional bvba of de door ons aangeboden diensten, kunt u contact met ons opnemen. U kunt contact opnemen via mail of telefonisch tussen de kantooruren (dit met uitzondering van feestdagen en gevallen van overmacht). Onze contactgegevens vindt u terug op de website: conpro-bouw.be."},
					Paragraph{Text: "Indien u het contactformulier op de contactpagina invult, of wanneer u ons een e-mail stuurt, worden de gegevens die u ons toestuurt bewaard zolang als naar de aard van het formulier of de inhoud van uw e-mail nodig is voor de volledige beantwoording en afhandeling daarvan."},
					Paragraph{Text: "E-mailverwerking is mogelijk maar niet beperkt tot volgende partijen:"},
					Table{
						Caption: "Partijen die e-mail kunnen verwerken",
						Header:  []string{"Partij", "Doel", "Vestiging", "Dienst"},
						Rows: [][]string{
							{"Google", "E-mailverkeer", "US (Privacy Shield)", "G Suite"},
							{"CRM", "CRM management", "US (Privacy Shield)", "Customer Relations"},
							{"Administratie software", "Administratie", "US (Privacy Shield)", "Administratie"},
							{"Support software", "Support", "US (Privacy Shield)", "Ticketing systeem"},
							{"E-mail software", "E-mail marketing /Internet marketing", "US (Privacy Shield)", "E-mail marketing"},
							{"Payment provider", "Het verwerken van betalingen en verzenden van al dan niet marketinggerelateerde e-mails.", "EU / US (Privacy Shield)", "Gegevens die noodzakelijk zijn voor het uitvoeren van betalingen alsook het adverteren of opvolgen van betalingen via e-mail."},
						},
					},
					Paragraph{Text: "(Let op: bovenstaande kunnen wijzigen)", Note: true},
				},
			},
			{
				ID:    CookieSectionID,
				Title: "Cookies",
				Blocks: []Block{
					Paragraph{Text: "Op onze website wordt gebruik gemaakt van cookies. Een cookie is een klein bestandje dat met de pagina's van onze website wordt meegestuurd en in het geheugen van uw apparaat wordt opgeslagen. De informatie, die in een cookie wordt opgeslagen kan worden overgebracht naar onze eigen beveiligde servers of die van een derde partij."},
					Paragraph{Text: "Op onze website worden cookies gebruikt om:"},
					List{Items: []string{
						"Bepaalde functionaliteiten van de website mogelijk te maken en om de website te beschermen (technische & functionele cookies);",
						"Het gebruik van de website te analyseren en op basis daarvan de website en onze diensten te verbeteren / optimaliseren (analytische cookies);",
						"Het webaanbod voor u interessanter te maken door middel van gerichte advertenties via verscheidene kanalen (advertentie cookies);",
						"U de mogelijkheid te bieden om de informatie op onze website te delen via verschillende 'social media' (social media cookies).",
					}},
					Paragraph{Text: "Wanneer u onze websites voor het eerst bezoekt, wordt er een banner getoond waarin wordt aangegeven dat, indien u onze policies accepteert op de website, u ons toestemming geeft om cookies en plug-ins te gebruiken zoals omschreven in deze privacy- en cookie policy."},
					Paragraph{Text: "Wij hebben geen controle op hetgeen derde partijen zelf met gegevens doen, die via de geplaatste cookies worden verkregen. Meer informatie over de wijze waarop deze partijen de verkregen gegevens opslaan en wat zij met deze gegevens doen, kunt u vinden in de privacyverklaring van de betreffende partijen (let op: deze kan regelmatig wijzigen)."},
					Paragraph{Text: "Deze cookies en plug-ins kunnen bestaan uit maar beperken zich niet tot het volgende:"},
					PartyTable{
						Caption: "Cookies en plug-ins (1)",
						Parties: []string{"google-analytics", "google-ads", "meta-pixel", "mail-software", "retargeting-software"},
					},
					PartyTable{
						Caption: "Cookies en plug-ins (2)",
						Parties: []string{"smartlook", "linkedin-insight", "cms-wordpress", "cms-joomla", "cms-drupal", "cms-other", "cloudflare", "functional-other", "social-widgets", "payment-provider"},
					},
					Paragraph{Text: "(Let op: bovenstaande kunnen wijzigen). Het sterretje refereert naar het regex symbool (*). Het geeft aan dat het allesomvattend is/wildcard.", Note: true},
				},
			},
			{
				ID:    "in-en-uitschakelen-van-cookies",
				Title: "In- en uitschakelen van cookies",
				Blocks: []Block{
					Paragraph{Text: "U kunt het plaatsen van cookies uitschakelen door uw browserinstellingen te wijzigen. Bekijk de handleiding van uw browser voor exacte instructies. Houd er wel rekening mee dat (bepaalde functionaliteiten op) de websites mogelijk niet of niet-volledig werken indien u de cookies uitschakelt. De websites of onderdelen hiervan kunnen hieromtrent ook toegang weigeren."},
				},
			},
			{
				ID:    "verwijderen-van-cookies",
				Title: "Verwijderen van cookies",
				Blocks: []Block{
					Paragraph{Text: "De meeste cookies hebben een houdbaarheidsdatum. Dat betekent dat ze na een bepaalde periode automatisch verlopen en geen gegevens van uw sitebezoek meer registreren. U kunt er ook voor kiezen de cookies handmatig te verwijderen voordat de houdbaarheidsdatum is verstreken. Voor meer informatie hierover, kunt u de handleiding van uw browser raadplegen."},
					Paragraph{Text: "Wanneer u bepaalde cookies niet wenst te delen, zoals gerichte advertenties, kunt u zich hiervoor uitschrijven. Dit kan per e-mail. Stuur hiervoor een mail naar info@conpro-bvba.be. Ook wanneer u uitgeschreven bent, kan het zijn dat u advertenties blijft zien, maar deze zijn niet gepersonaliseerd door Construct Professional bvba."},
				},
			},
			{
				ID:    "websites-van-derden",
				Title: "Websites van derden",
				Blocks: []Block{
					Paragraph{Text: "Deze privacy- en cookie policy is niet van toepassing op websites en diensten van derden die door middel van links of scripts / plug-ins met onze website verbonden zijn. Wij kunnen niet garanderen dat deze derden op een betrouwbare / veilige manier met uw persoonsgegevens omgaan. Wij raden u aan de privacyverklaring van deze websites te lezen alvorens van deze websites gebruik te maken."},
				},
			},
			{
				ID:    "vertrouwelijkheid-en-verstrekking-aan-derden",
				Title: "Vertrouwelijkheid en verstrekking aan derden",
				Blocks: []Block{
					Paragraph{Text: "Wij gaan vertrouwelijk met uw persoonsgegevens om. De persoonsgegevens die wij via onze website verzamelen, zullen wij niet aan andere partijen verstrekken, tenzij dat noodzakelijk is in het kader van de uitvoering van de overeenkomst of in gevallen waarin wij dit op basis van de wet mogen of moeten doen."},
				},
			},
			{
				ID:    "beveiliging",
				Title: "Beveiliging",
				Blocks: []Block{
					Paragraph{Text: "Wij nemen passende beveiligingsmaatregelen om misbruik van en ongeautoriseerde toegang tot uw persoonsgegevens te beperken. Zo zorgen wij dat alleen de noodzakelijke personen toegang hebben tot uw gegevens en dat de toegang tot uw persoonsgegevens afgeschermd is."},
				},
			},
			{
				ID:    "bewaartermijn",
				Title: "Bewaartermijn",
				Blocks: []Block{
					Paragraph{Text: "Wij bewaren uw persoonsgegevens niet langer dan nodig is voor de doeleinden waarvoor de gegevens zijn verstrekt of verkregen, rekening houdend met de doeleinden van de verwerking en eventuele wettelijke bewaartermijnen."},
				},
			},
			{
				ID:    "rechten-van-betrokkenen",
				Title: "Rechten van betrokkenen",
				Blocks: []Block{
					Paragraph{Text: "Indien u aan ons persoonsgegevens heeft verstrekt, kunt u ons een verzoek toesturen om deze gegevens in te zien, te wijzigen of te verwijderen. U kunt uw verzoeken richten aan info@conpro-bvba.be of per aangetekende brief naar: Eikelstraat 26, 2600 Berchem-Antwerpen, België."},
					Paragraph{Text: "Om misbruik te voorkomen zullen wij u vragen om uzelf te identificeren, voordat wij gegevens toesturen. Wanneer het gaat om inzage in persoonsgegevens gekoppeld aan een cookie, dient u een kopie van de betreffende cookie mee te sturen. U kunt deze terugvinden in de instellingen van uw browser."},
				},
			},
			{
				ID:    "wijzigingen-privacy-en-cookie-policy",
				Title: "Wijzigingen privacy- en cookie policy",
				Blocks: []Block{
					Paragraph{Text: "Wij behouden ons het recht voor om deze privacy- en cookie policy aan te passen. Indien zich een wijziging voordoet zal hiervan een melding op onze website worden gepubliceerd. Het verdient dan ook aanbeveling om deze verklaring regelmatig te raadplegen, zodat u van eventuele wijzigingen op de hoogte bent."},
				},
			},
			{
				ID:    "contact",
				Title: "Contact",
				Blocks: []Block{
					Paragraph{Text: "Mocht u verder, na het lezen van onze privacy- en cookie policy nog vragen of opmerkingen hebben dan kunt u contact met ons opnemen via onderstaande contactgegevens."},
					List{Items: []string{
						"Eikelstraat 26, 2600 Berchem-Antwerpen, België",
						"info@conpro-bvba.be",
						"0484 53 27 38",
					}},
				},
			},
		},
	}
}

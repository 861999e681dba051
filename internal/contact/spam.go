package contact

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// FormMaxAge is how long a shown form looks fresh; a post from a form open
// longer than this is marked for staff.
const FormMaxAge = 24 * time.Hour

// Signs are what the server saw of a post besides what was typed.
type Signs struct {
	// FormAge is how long the form was open before it was sent, read from
	// its token; TokenErr says why the token could not tell
	// (ErrBadToken, ErrUnverifiedToken), nil when it could.
	FormAge  time.Duration
	TokenErr error
	// MinFill is the least time a person takes to fill the form
	// (CONPRO_CONTACT_MIN_FILL).
	MinFill time.Duration
}

// Limits of the links a message may hold before it looks like spam: an
// enquiry may point at a photo album or a plan, advertising lists many.
const maxLinks = 2

// links finds web addresses as spam writes them.
var links = regexp.MustCompile(`(?i)\b(?:https?://|www\.)\S+`)

// SpamReason says in plain Dutch, for staff, why a valid message may be
// spam: one sentence for each weak sign it shows, or "" when it shows none.
// No sign proves anything (a browser that fills the form itself, a form
// left open overnight, a key rotation trip them too), so a message that
// shows one is kept and marked for staff to judge, never dropped: only
// the honeypot drops a post.
func SpamReason(s Submission, sg Signs) string {
	var reasons []string
	switch {
	case errors.Is(sg.TokenErr, ErrBadToken):
		reasons = append(reasons, "Het bericht is niet via het formulier op de website verstuurd: de verborgen controle van het formulier ontbreekt.")
	case sg.TokenErr != nil:
		reasons = append(reasons, "De verborgen controle van het formulier klopt niet, bijvoorbeeld omdat de website intussen vernieuwd werd.")
	case sg.FormAge < sg.MinFill:
		reasons = append(reasons, fmt.Sprintf("Verstuurd %s na het openen van het formulier: sneller dan iemand het invult.", seconds(sg.FormAge)))
	case sg.FormAge > FormMaxAge:
		reasons = append(reasons, "Het formulier stond langer dan een dag open voor het verstuurd werd.")
	}
	if n := len(links.FindAllStringIndex(s.Message, -1)); n > maxLinks {
		reasons = append(reasons, fmt.Sprintf("Het bericht bevat %d webadressen.", n))
	}
	if links.MatchString(s.Name) {
		reasons = append(reasons, "De naam bevat een webadres.")
	}
	return strings.Join(reasons, " ")
}

// seconds writes a short duration as staff read it.
func seconds(d time.Duration) string {
	switch n := int(d / time.Second); {
	case n < 1:
		return "binnen een seconde"
	case n == 1:
		return "1 seconde"
	default:
		return fmt.Sprintf("%d seconden", n)
	}
}

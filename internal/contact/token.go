package contact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Tokens sign the moment a form was shown. A post carries it back, so the
// server knows how long the visitor took without storing anything: people
// need seconds, bots post at once.
type Tokens struct {
	key []byte
}

// NewTokens returns a signer; key is a server secret (domain-separated from
// its other uses here).
func NewTokens(key []byte) *Tokens {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("conpro contact form token"))
	return &Tokens{key: m.Sum(nil)}
}

func (t *Tokens) mac(payload string) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// Issue returns the token for a form shown at now.
func (t *Tokens) Issue(now time.Time) string {
	p := strconv.FormatInt(now.UnixMilli(), 10)
	return p + "." + t.mac(p)
}

// Age returns how long ago the form of a token was shown. A token that is
// not shaped like the ones Issue makes is ErrBadToken; one that is, but
// whose signature or time does not hold, is ErrUnverifiedToken.
func (t *Tokens) Age(token string, now time.Time) (time.Duration, error) {
	if len(token) > 64 {
		return 0, ErrBadToken
	}
	p, mac, ok := strings.Cut(token, ".")
	if !ok || len(mac) != macLen || strings.Trim(mac, base64URLAlphabet) != "" {
		return 0, ErrBadToken
	}
	ms, err := strconv.ParseInt(p, 10, 64)
	if err != nil || ms <= 0 {
		return 0, ErrBadToken
	}
	if !hmac.Equal([]byte(mac), []byte(t.mac(p))) {
		return 0, ErrUnverifiedToken
	}
	age := now.Sub(time.UnixMilli(ms))
	if age < -time.Minute {
		return 0, ErrUnverifiedToken
	}
	return age, nil
}

// macLen is the length of a token's signature: 16 bytes in unpadded
// base64url.
const macLen = 22

const base64URLAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

package cookie

import (
	"fmt"
	"strings"
	"time"
)

// Default lifetimes of the frameworks that judge a cookie by its signing
// time, as they ship.
const (
	FlaskLifetime        = 31 * 24 * time.Hour // PERMANENT_SESSION_LIFETIME
	DjangoLifetime       = 14 * 24 * time.Hour // SESSION_COOKIE_AGE
	SecurecookieLifetime = 30 * 24 * time.Hour // securecookie and sessions.CookieStore MaxAge
	StarletteLifetime    = 14 * 24 * time.Hour // SessionMiddleware max_age
)

// setLifetime records that the framework refuses d from lifetime after it
// was signed, by default, under the setting named from.
func (d *Decoded) setLifetime(lifetime time.Duration, from string) {
	d.lifetime, d.lifetimeFrom = lifetime, from
}

// JudgeAge checks d's age at now: its own expiry (JWT exp, koa _expire,
// Rails exp) and, for formats the server judges by the signing time
// (Flask, Django, gorilla), the framework's default lifetime or maxAge
// when it is above 0 (--max-age: the app's own setting). It sets the
// expiry the server applies and adds the expired warning when it has
// passed: such a cookie is refused however valid its signature.
func JudgeAge(d *Decoded, maxAge time.Duration, now time.Time) {
	life, from := d.lifetime, d.lifetimeFrom
	if maxAge > 0 {
		life, from = maxAge, "--max-age"
	}
	if d.IssuedAt != nil && life > 0 {
		exp := d.IssuedAt.Add(life)
		d.field("max_age", fmt.Sprintf("%s after issued (%s)", lifetimeText(life), from))
		if d.ExpiresAt == nil || exp.Before(*d.ExpiresAt) {
			d.ExpiresAt = &exp
		}
		if exp.Before(now) {
			d.warnOnce(fmt.Sprintf("expired: signed %s ago, past the max age of %s (%s): the server refuses it",
				lifetimeText(now.Sub(*d.IssuedAt)), lifetimeText(life), from))
			return
		}
	}
	if d.ExpiresAt != nil && d.ExpiresAt.Before(now) {
		d.warnOnce(WarnExpired)
	}
}

// warnOnce adds an expired warning unless d has one.
func (d *Decoded) warnOnce(w string) {
	for _, x := range d.Warnings {
		if strings.HasPrefix(x, "expired:") {
			return
		}
	}
	d.warn(w)
}

// lifetimeText writes a duration in the largest whole unit that fits:
// "31 days", "2 weeks", "36h0m0s".
func lifetimeText(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d >= 7*day && d%(7*day) == 0:
		return counted(int64(d/(7*day)), "week")
	case d >= day && d%day == 0:
		return counted(int64(d/day), "day")
	case d >= 2*day:
		return counted(int64(d/day), "day")
	}
	return d.Round(time.Second).String()
}

func counted(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

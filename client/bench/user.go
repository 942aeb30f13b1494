package bench

import "time"

// vu is a virtual user: its cookies, its requests with the current Cookie
// header (one per URL, rebuilt only when a cookie changes) and its session's
// counter state.
type vu struct {
	cookies userCookies
	expiry  time.Time // earliest cookie expiry; zero when none
	reqs    [][]byte
	gens    []int
	seq     seqState
}

func (e *engine) newVU(cookies userCookies) *vu {
	v := &vu{cookies: cookies, reqs: make([][]byte, len(e.targets)), gens: make([]int, len(e.targets))}
	for i := range v.gens {
		v.gens[i] = -1
	}
	v.expiry = v.cookies.nextExpiry()
	return v
}

func (v *vu) request(e *engine, ti int, now time.Time) []byte {
	if !v.expiry.IsZero() && now.After(v.expiry) {
		v.cookies.expire(now)
		v.expiry = v.cookies.nextExpiry()
	}
	if v.gens[ti] != v.cookies.gen {
		t := e.tmpls[ti]
		b := append(v.reqs[ti][:0], t.head...)
		b = v.cookies.appendHeader(b, t.path)
		v.reqs[ti] = append(b, t.tail...)
		v.gens[ti] = v.cookies.gen
	}
	return v.reqs[ti]
}

// applyCookies stores the response's cookies in v (with apply; shared mode
// keeps its session) and reports whether one it held now carries another
// session.
func (v *vu) applyCookies(r *response, path string, now time.Time, apply bool) (fresh bool) {
	changed := false
	for _, sc := range r.setCookies {
		f, ch := v.cookies.set(sc, path, now, apply)
		fresh = fresh || f
		changed = changed || ch
	}
	if changed && apply {
		v.expiry = v.cookies.nextExpiry()
	}
	return fresh
}

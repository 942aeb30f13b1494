package client

import (
	"bytes"
	"encoding/json"
	"sort"

	"github.com/sessctl/sessctl/cookie"
)

var jsonNull = json.RawMessage("null")

// bodyChanges compares the JSON leaves of two JSON bodies.
func bodyChanges(prev, cur json.RawMessage, curIsJSON bool) []Change {
	if prev == nil || !curIsJSON {
		return nil
	}
	a, b := map[string]json.RawMessage{}, map[string]json.RawMessage{}
	flattenJSON(a, "", prev)
	flattenJSON(b, "", cur)
	var names []string
	for k := range a {
		names = append(names, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var out []Change
	for _, k := range names {
		from, to := a[k], b[k]
		if from == nil {
			from = jsonNull
		}
		if to == nil {
			to = jsonNull
		}
		if bytes.Equal(from, to) {
			continue
		}
		out = append(out, Change{Kind: ChangeField, Name: k, From: from, To: to})
	}
	return out
}

// flattenJSON records the leaves of a JSON value by path ("a.b"); arrays
// and scalars are leaves.
func flattenJSON(m map[string]json.RawMessage, path string, v json.RawMessage) {
	var obj map[string]json.RawMessage
	if len(v) > 0 && v[0] == '{' && json.Unmarshal(v, &obj) == nil && len(obj) > 0 {
		for k, sub := range obj {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flattenJSON(m, p, sub)
		}
		return
	}
	if path == "" {
		path = "(body)"
	}
	var b bytes.Buffer
	if json.Compact(&b, v) == nil {
		v = b.Bytes()
	}
	m[path] = v
}

// jarChanges compares the jar before and after a visit.
func jarChanges(prev, cur []JarCookie) []Change {
	old := map[string]JarCookie{}
	for _, c := range prev {
		old[c.key()] = c
	}
	var out []Change
	for _, c := range cur {
		o, ok := old[c.key()]
		delete(old, c.key())
		if !ok {
			out = append(out, Change{Kind: ChangeCookieAdded, Name: c.Name, From: jsonNull, To: jsonString(c.Value)})
			continue
		}
		if o.Value == c.Value {
			continue
		}
		from, fromOK := sessionID(o.Name, o.Value)
		to, toOK := sessionID(c.Name, c.Value)
		if (fromOK || toOK) && (from != to || fromOK != toOK) {
			out = append(out, Change{Kind: ChangeSessionID, Name: c.Name, From: idJSON(from, fromOK), To: idJSON(to, toOK)})
			continue
		}
		out = append(out, Change{Kind: ChangeCookieChanged, Name: c.Name, From: jsonString(o.Value), To: jsonString(c.Value)})
	}
	for _, c := range prev {
		if _, gone := old[c.key()]; gone {
			out = append(out, Change{Kind: ChangeCookieRemoved, Name: c.Name, From: jsonString(c.Value), To: jsonNull})
		}
	}
	return out
}

func idJSON(id string, ok bool) json.RawMessage {
	if !ok {
		return jsonNull
	}
	return jsonString(id)
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// sessionIDKeys are the payload fields that hold a session's own id, in
// the order tried: Rails' session_id, then the usual short names.
var sessionIDKeys = []string{"session_id", "sessionId", "_session_id", "sid", "_id", "id"}

// sessionID is the session id a cookie carries, and whether it carries
// one: express-session's id (s:<id>.<sig>), an opaque id (PHPSESSID,
// JSESSIONID, a session-named token), or an id field of a decoded payload
// (Rails' session_id). A cookie-carried session without an id (Flask,
// Koa, cookie-session) carries none: its value changes with its data.
func sessionID(name, value string) (string, bool) {
	d, err := cookie.Decode(cookie.Input{Name: name, Value: value}, cookie.Keys{}, "")
	if err != nil {
		return "", false
	}
	if id, ok := d.Payload.(string); ok {
		// Express's s:<id>.<sig> and opaque ids.
		return id, d.Format == "opaque" || d.Format == "express"
	}
	raw, err := json.Marshal(d.Payload)
	if err != nil {
		return "", false
	}
	var obj map[string]any
	if json.Unmarshal(raw, &obj) != nil {
		return "", false
	}
	for _, k := range sessionIDKeys {
		switch v := obj[k].(type) {
		case string:
			if v != "" {
				return v, true
			}
		case float64:
			b, _ := json.Marshal(v)
			return string(b), true
		}
	}
	return "", false
}

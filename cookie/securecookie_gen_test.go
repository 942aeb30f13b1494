package cookie

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/securecookie"
)

var genSecurecookie = flag.Bool("gen-securecookie", false, "rewrite testdata/securecookie/vectors.json with gorilla/securecookie")

// scUser is an application type a decoder does not know: its gob payload
// cannot be decoded without it, so the type is named.
type scUser struct {
	Name  string
	Roles []string
}

// TestGenSecurecookieVectors makes testdata/securecookie/vectors.json with
// the real gorilla/securecookie (go test ./cookie -run TestGenSecurecookieVectors
// -gen-securecookie). Verdicts are what securecookie's own Decode says.
func TestGenSecurecookieVectors(t *testing.T) {
	if !*genSecurecookie {
		t.Skip("run with -gen-securecookie to rewrite the vectors")
	}
	hk := []byte("hash-key-0123456789abcdef-32byte")
	bk := []byte("block-key-0123456789abcdef-32byt")
	other := []byte("another-hash-key-of-32-bytes!!!!")
	jsonCodec := func(hash, block []byte) *securecookie.SecureCookie {
		return securecookie.New(hash, block).SetSerializer(securecookie.JSONEncoder{})
	}
	enc := func(c securecookie.Codec, name string, v any) string {
		s, err := c.Encode(name, v)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	type want struct {
		Format          string `json:"format"`
		Signature       string `json:"signature"`
		SecretIndex     int    `json:"secret_index"`
		Payload         any    `json:"payload"`
		PayloadContains string `json:"payload_contains,omitempty"`
		Warning         string `json:"warning,omitempty"`
	}
	type vector struct {
		Desc    string   `json:"desc"`
		Name    string   `json:"name"`
		Value   string   `json:"value"`
		Secrets []string `json:"secrets"`
		EncKeys []string `json:"enc_keys,omitempty"`
		Want    want     `json:"want"`
	}
	// judge asks securecookie itself whether one of secrets decodes value.
	judge := func(name, value string, secrets, encKeys []string, s *securecookie.SecureCookie) (string, int) {
		if len(secrets) == 0 {
			return "unverified", -1
		}
		for i, sec := range secrets {
			var bkey []byte
			if len(encKeys) > 0 {
				bkey = []byte(encKeys[0])
			}
			c := securecookie.New([]byte(sec), bkey)
			if s != nil {
				c = s
			}
			c.MaxAge(0)
			var dst any = &map[string]any{}
			if err := c.Decode(name, value, dst); err == nil || !strings.Contains(err.Error(), "hmac") && !strings.Contains(err.Error(), "the value is not valid") {
				return "valid", i
			}
		}
		return "invalid", -1
	}
	var vs []vector
	add := func(desc, name, value string, secrets, encKeys []string, payload any, extra want) {
		v := vector{Desc: desc, Name: name, Value: value, Secrets: secrets, EncKeys: encKeys}
		v.Want = extra
		v.Want.Format = "securecookie"
		v.Want.Signature, v.Want.SecretIndex = judge(name, value, secrets, encKeys, nil)
		v.Want.Payload = payload
		vs = append(vs, v)
	}
	data := map[string]any{"user": "alice", "n": 1}
	j1 := enc(jsonCodec(hk, nil), "session", data)
	add("JSON payload, valid", "session", j1, []string{string(hk)}, nil, data, want{})
	add("JSON payload, no key given", "session", j1, nil, nil, data, want{})
	add("JSON payload, wrong hash key", "session", j1, []string{string(other)}, nil, data, want{})
	add("JSON payload, decoded under another cookie name (the MAC covers the name)", "other", j1, []string{string(hk)}, nil, data, want{})
	raw, _ := base64.URLEncoding.DecodeString(j1)
	parts := strings.SplitN(string(raw), "|", 3)
	forgedData := map[string]any{"user": "admin", "n": 1}
	fj, _ := json.Marshal(forgedData)
	forged := base64.URLEncoding.EncodeToString([]byte(parts[0] + "|" + base64.URLEncoding.EncodeToString(fj) + "|" + parts[2]))
	add("JSON payload, tampered value with the original MAC", "session", forged, []string{string(hk)}, nil, forgedData, want{})
	uni := map[string]any{"name": "Zoë ☃ 日本語 🍪"}
	add("JSON payload, unicode", "session", enc(jsonCodec(hk, nil), "session", uni), []string{string(hk)}, nil, uni, want{})
	big := map[string]any{"blob": strings.Repeat("b", 2200)}
	add("JSON payload, large (near 4 KB)", "session", enc(jsonCodec(hk, nil), "session", big), []string{string(hk)}, nil, big, want{Warning: "near 4 KB limit"})
	add("rotation: signed by the second hash key", "session", enc(jsonCodec(other, nil), "session", data),
		[]string{string(hk), string(other)}, nil, data, want{})
	gobData := map[any]any{"user": "alice", "count": 3}
	add("gob payload (gorilla/sessions map), valid", "session", enc(securecookie.New(hk, nil), "session", gobData),
		[]string{string(hk)}, nil, map[string]any{"user": "alice", "count": 3}, want{})
	gob.Register(scUser{})
	add("gob payload of an application type: the type named, not guessed", "session",
		enc(securecookie.New(hk, nil), "session", map[any]any{"u": scUser{Name: "alice", Roles: []string{"admin"}}}),
		[]string{string(hk)}, nil, nil, want{Warning: "gob type"})
	encd := enc(jsonCodec(hk, bk), "session", data)
	add("AES-256-CTR encrypted JSON with --enc-key", "session", encd, []string{string(hk)}, []string{string(bk)}, data, want{})
	add("AES-256-CTR encrypted, no --enc-key: payload hidden", "session", encd, []string{string(hk)}, nil, nil, want{})
	s512 := jsonCodec(hk, nil).HashFunc(sha512.New)
	v512 := enc(s512, "session", data)
	v := vector{Desc: "HMAC-SHA512 hash function", Name: "session", Value: v512, Secrets: []string{string(hk)}}
	v.Want = want{Format: "securecookie", Payload: data}
	v.Want.Signature, v.Want.SecretIndex = judge("session", v512, v.Secrets, nil, jsonCodec(hk, nil).HashFunc(sha512.New))
	vs = append(vs, v)

	b, err := json.MarshalIndent(vs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "securecookie", "vectors.json")
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d vectors to %s", len(vs), path)
}

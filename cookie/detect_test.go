package cookie

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// decodeVector is one golden vector of testdata/<format>/vectors.json, made
// by the real library with the script named in the README (interop/gen-vectors-*.js,
// securecookie_gen_test.go).
type decodeVector struct {
	Desc    string   `json:"desc"`
	Name    string   `json:"name"`
	Value   string   `json:"value"`
	Sig     string   `json:"sig"`
	HasSig  bool     `json:"has_sig"`
	Secrets []string `json:"secrets"`
	EncKeys []string `json:"enc_keys"`
	KeyPEM  string   `json:"key_pem"`
	Want    struct {
		Format          string          `json:"format"`
		Signature       Verdict         `json:"signature"`
		SecretIndex     int             `json:"secret_index"`
		Payload         json.RawMessage `json:"payload"`
		PayloadContains string          `json:"payload_contains"`
		Warning         string          `json:"warning"`
	} `json:"want"`
}

// decodeVectorFormats are the testdata folders of this file's formats.
var decodeVectorFormats = []string{"express", "cookie-session", "koa-session", "jwt", "securecookie", "opaque", "starlette", "iron", "authjs", "secure-session"}

func loadDecodeVectors(t testing.TB, format string) []decodeVector {
	t.Helper()
	path := filepath.Join("testdata", format, "vectors.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var vs []decodeVector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(vs) < 6 {
		t.Errorf("%s: %d vectors, want at least 6", path, len(vs))
	}
	return vs
}

func (v decodeVector) input() Input {
	return Input{Name: v.Name, Value: v.Value, Sig: v.Sig, HasSig: v.HasSig}
}

func (v decodeVector) keys(t testing.TB) Keys {
	var k Keys
	for _, s := range v.Secrets {
		k.Secrets = append(k.Secrets, []byte(s))
	}
	for _, s := range v.EncKeys {
		k.EncKeys = append(k.EncKeys, []byte(s))
	}
	if v.KeyPEM != "" {
		pk, err := ParsePublicKeys([]byte(v.KeyPEM))
		if err != nil {
			t.Fatal(err)
		}
		k.PublicKeys = pk
	}
	return k
}

// jsonEqual compares two JSON documents by value.
func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

func TestDecodeVectors(t *testing.T) {
	for _, format := range decodeVectorFormats {
		for _, v := range loadDecodeVectors(t, format) {
			t.Run(format+"/"+v.Desc, func(t *testing.T) {
				d, err := Decode(v.input(), v.keys(t), "")
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				// As decode judges it: an "expired" vector expired long ago.
				JudgeAge(d, 0, time.Now())
				if d.Format != v.Want.Format {
					t.Errorf("format = %q, want %q", d.Format, v.Want.Format)
				}
				if d.Signature != v.Want.Signature {
					t.Errorf("signature = %q, want %q", d.Signature, v.Want.Signature)
				}
				if d.SecretIndex != v.Want.SecretIndex {
					t.Errorf("secret_index = %d, want %d", d.SecretIndex, v.Want.SecretIndex)
				}
				got, err := json.Marshal(d.Payload)
				if err != nil {
					t.Fatalf("payload does not marshal: %v", err)
				}
				if v.Want.PayloadContains != "" {
					if !bytes.Contains(got, []byte(v.Want.PayloadContains)) {
						t.Errorf("payload %s does not contain %q", got, v.Want.PayloadContains)
					}
				} else if !jsonEqual(got, v.Want.Payload) {
					t.Errorf("payload = %s\nwant %s", got, v.Want.Payload)
				}
				if w := v.Want.Warning; w != "" && !hasWarning(d, w) {
					t.Errorf("warnings %q lack %q", d.Warnings, w)
				}
				if d.Name != v.Name {
					t.Errorf("name = %q, want %q", d.Name, v.Name)
				}
				out, _ := json.Marshal(d)
				for _, s := range v.Secrets {
					if len(s) >= 4 && bytes.Contains(out, []byte(s)) {
						t.Errorf("output holds the secret %q: %s", s, out)
					}
				}
			})
		}
	}
}

func hasWarning(d *Decoded, prefix string) bool {
	for _, w := range d.Warnings {
		if strings.HasPrefix(w, prefix) {
			return true
		}
	}
	return false
}

func TestParseInput(t *testing.T) {
	tests := []struct {
		args []string
		want []Input
	}{
		{[]string{"eyJhIjoxfQ=="}, []Input{{Value: "eyJhIjoxfQ=="}}},
		{[]string{"session=eyJhIjoxfQ=="}, []Input{{Name: "session", Value: "eyJhIjoxfQ=="}}},
		{[]string{"Cookie: session=eyJhIjoxfQ==; session.sig=abc; other=1"},
			[]Input{{Name: "session", Value: "eyJhIjoxfQ==", Sig: "abc", HasSig: true}, {Name: "other", Value: "1"}}},
		{[]string{"Set-Cookie: connect.sid=s%3Aabc.def; Path=/; HttpOnly"}, []Input{{Name: "connect.sid", Value: "s%3Aabc.def"}}},
		// A .sig pairs within one input, never across two.
		{[]string{"set-cookie: session.sig=xyz; path=/", "session=e30="},
			[]Input{{Name: "session.sig", Value: "xyz"}, {Name: "session", Value: "e30="}}},
		{[]string{"session=e30=; session.sig=a", "session=e30=; session.sig=b"},
			[]Input{{Name: "session", Value: "e30=", Sig: "a", HasSig: true}, {Name: "session", Value: "e30=", Sig: "b", HasSig: true}}},
		{[]string{"a=1; b=2"}, []Input{{Name: "a", Value: "1"}, {Name: "b", Value: "2"}}},
		{[]string{`n="quoted"`}, []Input{{Name: "n", Value: "quoted"}}},
		{[]string{"lonely.sig=abc"}, []Input{{Name: "lonely.sig", Value: "abc"}}},
		{[]string{"  ", ""}, nil},
		{[]string{"WvaEO8/x+y=--AQ1t--lVqy=="}, []Input{{Value: "WvaEO8/x+y=--AQ1t--lVqy=="}}},
	}
	for _, tt := range tests {
		var got []Input
		for _, a := range tt.args {
			got = append(got, ParseInput(a)...)
		}
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseInput(%q) = %+v, want %+v", tt.args, got, tt.want)
		}
	}
}

func TestDecodeUnknown(t *testing.T) {
	for _, v := range []string{"hello world", "aGVsbG8gd29ybGQ=", "%00%01"} {
		_, err := Decode(Input{Value: v}, Keys{}, "")
		var ue *UnknownError
		if err == nil || !errorsAs(err, &ue) {
			t.Errorf("Decode(%q) err = %v, want UnknownError", v, err)
			continue
		}
		if ue.Hint == "" {
			t.Errorf("no hint for %q", v)
		}
	}
	_, err := Decode(Input{Value: "aGVsbG8gd29ybGQ="}, Keys{}, "")
	if !strings.Contains(err.Error(), `"hello world"`) {
		t.Errorf("hint does not show the base64 text: %v", err)
	}
}

func TestDecodeForcedFormat(t *testing.T) {
	if _, err := Decode(Input{Value: "x"}, Keys{}, "nope"); err == nil {
		t.Error("unknown --format accepted")
	}
	_, err := Decode(Input{Value: "not a jwt"}, Keys{}, "jwt")
	if err == nil || !errorsIs(err, ErrMalformed) {
		t.Errorf("forced jwt on garbage: %v, want ErrMalformed", err)
	}
}

package cookie

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// formatVector is one vector of testdata/<format>/vectors.json, written by
// the generator scripts in testdata/gen from the real libraries. It is the
// schema cmd's TestDecodeVectorsCLI reads too.
type formatVector struct {
	Desc    string   `json:"desc"`
	Name    string   `json:"name"` // the cookie's, "" for a bare value
	Value   string   `json:"value"`
	Secrets []string `json:"secrets"`
	Want    struct {
		Format      string            `json:"format"`
		Signature   Verdict           `json:"signature"`
		SecretIndex int               `json:"secret_index"`
		Payload     json.RawMessage   `json:"payload"`
		IssuedAt    string            `json:"issued_at"`
		ExpiresAt   string            `json:"expires_at"`
		Fields      map[string]string `json:"fields"`
	} `json:"want"`
	Note string `json:"note"`
}

func (v formatVector) input() Input { return Input{Name: v.Name, Value: v.Value} }

func (v formatVector) keys() Keys {
	var k Keys
	for _, s := range v.Secrets {
		k.Secrets = append(k.Secrets, []byte(s))
	}
	return k
}

func loadVectors(t testing.TB, format string) []formatVector {
	t.Helper()
	path := filepath.Join("testdata", format, "vectors.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var vs []formatVector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(vs) < 6 {
		t.Fatalf("%s: %d vectors, want at least 6", path, len(vs))
	}
	return vs
}

// sameJSON reports whether a and b hold the same JSON value.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("unmarshal %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func timeString(tm *time.Time) string {
	if tm == nil {
		return ""
	}
	return tm.UTC().Format(time.RFC3339)
}

// testVectors decodes every vector of format with f: detection picks f,
// and format, verdict, secret index, payload, timestamps and the listed
// fields are the library's.
func testVectors(t *testing.T, f Format) {
	for _, v := range loadVectors(t, f.Name()) {
		t.Run(v.Desc, func(t *testing.T) {
			in := v.input()
			best, score := f, f.Match(in)
			for _, g := range Formats() {
				if s := g.Match(in); s > score {
					best, score = g, s
				}
			}
			if best.Name() != v.Want.Format {
				t.Errorf("detected as %s (%d), want %s (%d)", best.Name(), score, v.Want.Format, f.Match(in))
			}
			d, err := f.Decode(in, v.keys())
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if d.Format != v.Want.Format || d.Signature != v.Want.Signature || d.SecretIndex != v.Want.SecretIndex {
				t.Errorf("format %s, signature %s, secret index %d; want %s, %s, %d",
					d.Format, d.Signature, d.SecretIndex, v.Want.Format, v.Want.Signature, v.Want.SecretIndex)
			}
			got, err := json.Marshal(d.Payload)
			if err != nil {
				t.Fatalf("marshal payload: %v", err)
			}
			want := []byte(v.Want.Payload)
			if len(want) == 0 {
				want = []byte("null")
			}
			if !sameJSON(t, got, want) {
				t.Errorf("payload\n got %s\nwant %s", got, want)
			}
			if s := timeString(d.IssuedAt); s != v.Want.IssuedAt {
				t.Errorf("issued_at %q, want %q", s, v.Want.IssuedAt)
			}
			if s := timeString(d.ExpiresAt); s != v.Want.ExpiresAt {
				t.Errorf("expires_at %q, want %q", s, v.Want.ExpiresAt)
			}
			for k, want := range v.Want.Fields {
				if got := fieldValue(d.Fields, k); got != want {
					t.Errorf("field %s = %q, want %q", k, got, want)
				}
			}
			if _, err := json.Marshal(d); err != nil {
				t.Errorf("marshal Decoded: %v", err)
			}
			for _, s := range v.Secrets {
				for _, w := range d.Warnings {
					if strings.Contains(w, s) {
						t.Errorf("warning %q shows a secret", w)
					}
				}
				for _, fl := range d.Fields {
					if strings.Contains(fl.Value, s) {
						t.Errorf("field %s=%q shows a secret", fl.Key, fl.Value)
					}
				}
			}
		})
	}
}

// testAuditVectors checks that the Target of every vector with a valid
// verdict accepts its secret and refuses a wrong one, and its clone too.
func testAuditVectors(t *testing.T, f Format) {
	a, ok := f.(Auditor)
	if !ok {
		t.Fatalf("%s is no Auditor", f.Name())
	}
	for _, v := range loadVectors(t, f.Name()) {
		if v.Want.Signature != Valid {
			continue
		}
		t.Run(v.Desc, func(t *testing.T) {
			tg, err := a.Prepare(v.input())
			if err != nil {
				t.Fatalf("Prepare: %v", err)
			}
			for _, tt := range []Target{tg, tg.Clone()} {
				if tt.Try([]byte("definitely-not-it")) {
					t.Error("a wrong secret verifies")
				}
				if !tt.Try([]byte(v.Secrets[v.Want.SecretIndex])) {
					t.Error("the secret does not verify")
				}
			}
		})
	}
}

// fuzzDecode seeds f with the vectors' values and checks that no input
// panics, that Decode either fails or returns a Decoded that marshals, and
// that Match claims nothing Decode refuses. tryTarget also runs the
// wordlist target (Rails' costs two PBKDF2 runs a try: it is left out).
func fuzzDecode(f *testing.F, format Format, name, secret string, tryTarget bool) {
	for _, v := range loadVectors(f, format.Name()) {
		f.Add(v.Value)
	}
	f.Fuzz(func(t *testing.T, value string) {
		in := Input{Name: name, Value: value}
		score := format.Match(in)
		d, err := format.Decode(in, Keys{Secrets: [][]byte{[]byte(secret), []byte("base64:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")}})
		if err != nil {
			if score > 0 {
				t.Fatalf("Match %d but Decode: %v", score, err)
			}
			return
		}
		if _, err := json.Marshal(d); err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if a, ok := format.(Auditor); ok {
			tg, err := a.Prepare(in)
			if err != nil {
				t.Fatalf("Decode works but Prepare: %v", err)
			}
			if tryTarget {
				tg.Try([]byte(secret))
				tg.Clone().Try(nil)
			}
		}
	})
}

// benchAudit measures wordlist candidates per second on one core for the
// first vector with a valid verdict.
func benchAudit(b *testing.B, f Format) {
	var v formatVector
	for _, x := range loadVectors(b, f.Name()) {
		if x.Want.Signature == Valid {
			v = x
			break
		}
	}
	tg, err := f.(Auditor).Prepare(v.input())
	if err != nil {
		b.Fatal(err)
	}
	cands := make([][]byte, 1024)
	for i := range cands {
		cands[i] = []byte("candidate-secret-" + strings.Repeat("x", i%17))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tg.Try(cands[i%len(cands)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "candidates/s")
}

func TestFlaskVectors(t *testing.T) { testVectors(t, Flask{}) }

func TestFlaskAudit(t *testing.T) { testAuditVectors(t, Flask{}) }

func TestFlaskMalformed(t *testing.T) {
	for _, v := range []string{
		"",
		"abc",
		"a.b",
		// itsdangerous tests/test_itsdangerous/test_timed.py: a timestamp
		// after year 9999 is malformed.
		"value.TgPVoaGhoQ.AGBfQ6G6cr07byTRt0zAdPljHOY",
		"eyJhIjoxfQ.awojnA.c2hvcnQ",                      // signature too short
		".bm90emxpYg.awojnA.o0SrHpcSKQVdqv48Q7HW3iC45Ew", // "." but not zlib
		"eyJhIjoxfQ.a!ojnA.o0SrHpcSKQVdqv48Q7HW3iC45Ew",
	} {
		if _, err := (Flask{}).Decode(Input{Value: v}, Keys{}); err == nil {
			t.Errorf("Decode(%q) = nil error, want malformed", v)
		}
		if s := (Flask{}).Match(Input{Value: v}); s != 0 {
			t.Errorf("Match(%q) = %d, want 0", v, s)
		}
	}
}

func TestFlaskLegacyEpoch(t *testing.T) {
	// The same raw timestamp read in both epochs: a value below the 2011
	// epoch is an itsdangerous < 1.0 age, a later one a Unix time.
	for _, v := range loadVectors(t, "flask") {
		d, err := (Flask{}).Decode(v.input(), Keys{})
		if err != nil {
			t.Fatal(err)
		}
		legacy := fieldValue(d.Fields, "timestamp_epoch") != "unix"
		if legacy != (v.Desc == "legacy-epoch") {
			t.Errorf("%s: legacy epoch %v", v.Desc, legacy)
		}
	}
}

func FuzzDecodeFlask(f *testing.F) { fuzzDecode(f, Flask{}, "session", "s3cr3t", true) }

func BenchmarkAuditFlask(b *testing.B) { benchAudit(b, Flask{}) }

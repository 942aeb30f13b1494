package report

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/sessctl/sessctl/client/bench"
	"github.com/sessctl/sessctl/cookie"
)

func TestEscape(t *testing.T) {
	for _, test := range []struct{ in, want string }{
		{"plain text, café, 日本", "plain text, café, 日本"},
		{"\x1b[2J\x1b]0;pwned\x07", `\x1b[2J\x1b]0;pwned\x07`},
		{"a\nb\tc\r", `a\nb\tc\r`},
		{"del\x7f c1\u009b bidi\u202eevil", `del\x7f c1\u009b bidi\u202eevil`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{`a\x1b`, `a\x1b`},
	} {
		if got := escape(test.in); got != test.want {
			t.Errorf("escape(%q) = %q, want %q", test.in, got, test.want)
		}
	}
}

// Every view escapes what came from outside: decode's cookie names,
// fields, payloads and errors; bench's error samples.
func TestViewsEscape(t *testing.T) {
	evil := "\x1b]0;pwned\x07"
	var buf bytes.Buffer
	r := lipgloss.NewRenderer(&buf)
	r.SetColorProfile(termenv.Ascii)
	ds := []*cookie.Decoded{
		{Name: "n" + evil, Format: "flask", Signature: cookie.Unverified, Payload: json.RawMessage(`{"a":"\u001b[2J\u009b"}`),
			Fields: []cookie.Field{{Key: "kind", Value: "k" + evil}}, Warnings: []string{"w" + evil}, SecretIndex: -1},
		{Name: "e" + evil, Format: "unknown", Error: "bad " + evil},
	}
	if err := decodeText(&buf, r, ds, time.Now()); err != nil {
		t.Fatal(err)
	}
	res := &bench.Result{Method: "GET", URLs: []string{"http://x/"}, Errors: map[string]int64{"status": 1},
		ErrorSamples: map[string]string{"status": "GET http://x/: status 500 " + evil}, Aborted: "gone " + evil}
	if err := benchText(&buf, r, res); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.ContainsAny(out, "\x1b\x07\u009b") {
		t.Errorf("a control byte reached the view:\n%q", out)
	}
	if !strings.Contains(out, `n\x1b]0;pwned\x07`) || !strings.Contains(out, `\u009b`) {
		t.Errorf("escapes missing:\n%s", out)
	}
}

func TestJSONEscapesControls(t *testing.T) {
	v := map[string]string{"a": "x\x1b[2J\x7f\u009b\u0085é"}
	for _, write := range []func(io.Writer, any) error{writeJSON, writeJSONLine} {
		var buf bytes.Buffer
		if err := write(&buf, v); err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(buf.String(), "\x1b\x7f\u009b\u0085") {
			t.Errorf("a control reached the JSON: %q", buf.String())
		}
		var back map[string]string
		if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back["a"] != v["a"] {
			t.Errorf("the JSON reads back as %q (%v), want %q", back["a"], err, v["a"])
		}
	}
}

// FuzzEscape: nothing escape returns holds a control byte, and it leaves
// safe text alone.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[2J", "caf\xc3\xa9", "\xff\xfe", "\u009b\u202e", "a\nb\tc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := escape(s)
		if !utf8.ValidString(e) {
			t.Fatalf("escape(%q) = %q is not UTF-8", s, e)
		}
		for _, r := range e {
			if r < 0x20 || r == 0x7f || unsafeRune(r) {
				t.Fatalf("escape(%q) = %q holds %U", s, e, r)
			}
		}
		if isSafe(s) && e != s {
			t.Fatalf("escape changed safe %q to %q", s, e)
		}
	})
}

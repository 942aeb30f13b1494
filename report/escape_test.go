package report

import "testing"

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

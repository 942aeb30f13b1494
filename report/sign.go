package report

import (
	"fmt"
	"strings"

	"github.com/sessctl/sessctl/cookie"
)

// The sign JSON document (sessctl sign -o json) is an array with one array
// per signed cookie, holding the cookies it is made of (two for
// cookie-session and koa-session: the value and its .sig):
//
//	name   string  cookie name
//	value  string  cookie value as the framework sets it
//
// The secret and keys never appear in it.

// Signed writes the cookies sign made to s.Out in form: "pair" (NAME=VALUE,
// the cookies of one signed value on one line joined by "; ", as a Cookie
// header lists them), "value" (one bare value a line), "set-cookie" (one
// Set-Cookie line per cookie, Path=/ and HttpOnly) or "json".
func Signed(s *Streams, signed [][]cookie.SignedCookie, form string) error {
	if form == "json" {
		if signed == nil {
			signed = [][]cookie.SignedCookie{}
		}
		return writeJSON(s.Out, signed)
	}
	var b strings.Builder
	for _, cs := range signed {
		switch form {
		case "value":
			for _, c := range cs {
				b.WriteString(c.Value + "\n")
			}
		case "set-cookie":
			for _, c := range cs {
				fmt.Fprintf(&b, "Set-Cookie: %s=%s; Path=/; HttpOnly\n", c.Name, c.Value)
			}
		default:
			for i, c := range cs {
				if i > 0 {
					b.WriteString("; ")
				}
				b.WriteString(c.Name + "=" + c.Value)
			}
			b.WriteString("\n")
		}
	}
	_, err := fmt.Fprint(s.Out, b.String())
	return err
}

// SignPlanted says on s.ErrOut which cookies were planted in which jar for
// which URL.
func SignPlanted(s *Streams, signed [][]cookie.SignedCookie, url, jar string) {
	var names []string
	for _, cs := range signed {
		for _, c := range cs {
			names = append(names, c.Name)
		}
	}
	fmt.Fprintf(s.ErrOut, "planted %s for %s in %s\n", strings.Join(names, ", "), url, jar)
}

package report

import (
	"fmt"
	"strings"

	"github.com/sessctl/sessctl/client/bench"
)

// benchSessionDoc is the JSON document of bench --create-session-only.
type benchSessionDoc struct {
	Jar string `json:"jar"`
	*bench.SharedSession
}

// BenchSessionJSON writes the shared session bench --create-session-only
// made, and the jar it went to, as one JSON document (-o json), a
// contract:
//
//	{
//	  "jar": "cookies.txt",                 where the agents take it from (--jar)
//	  "url": "http://127.0.0.1:3000/",      the target it was made on
//	  "session_cookie": "connect.sid",      the cookie that carries it
//	  "session_format": "express",          its format as decode names it; only when known
//	  "session_in_cookie": true,            only when the session lives in the cookie
//	  "counter_path": "visitCount",
//	  "initial_counter": 1                  the counter its creation answered
//	}
func BenchSessionJSON(s *Streams, jar string, sess *bench.SharedSession) error {
	return writeJSON(s.Out, benchSessionDoc{Jar: jar, SharedSession: sess})
}

// BenchSessionText writes the human view of the shared session bench
// --create-session-only made: its cookie, its counter and the jar.
func BenchSessionText(s *Streams, jar string, sess *bench.SharedSession) error {
	st := newStyles(s.renderer())
	var b strings.Builder
	row := columns{b: &b, st: st, width: benchLabelWidth}.row
	fmt.Fprintf(&b, "%s  %s\n", st.title.Render("bench: shared session created"), escape(sess.URL))
	format, where := "", "its value is an id, the session is on the server"
	if sess.Format != "" {
		format = " (" + sess.Format + ")"
	}
	if sess.InCookie {
		where = "the session lives in the cookie: each agent holds a copy of its state"
	}
	row("session", fmt.Sprintf("%s%s: %s", escape(sess.Cookie), format, where))
	row("counter", fmt.Sprintf("%s %d", escape(sess.CounterPath), sess.InitialCounter))
	row("jar", escape(jar)+st.faint.Render("   the agents continue it: bench --shared --jar "+escape(jar)+" --segment I/N"))
	_, err := s.Out.Write([]byte(b.String()))
	return err
}

package client

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/sessctl/sessctl/cookie"
	"github.com/sessctl/sessctl/internal/redact"
)

// MaxInputLine bounds one line of decode's stdin: 1 MiB (a cookie is at
// most 4 KB; a Cookie header of many is still far below).
const MaxInputLine = 1 << 20

// DecodeSource says where decode's inputs come from: what the user gave
// (Args, "-" for Stdin, one input a line), the cookies of a cookies.txt
// jar, and the cookies a server sets on one visit. Each argument, stdin
// line, jar site and response is one group: a "<name>.sig" cookie pairs
// with its partner within its group only.
type DecodeSource struct {
	// Args are the inputs as typed; "-" reads Stdin, one input a line.
	Args  []string
	Stdin io.Reader
	// Jar is a cookies.txt file. Without URL every cookie in it is an
	// input; with URL it is the jar the visit sends and saves.
	Jar string
	// URL is visited once (GET); the cookies its response sets are inputs,
	// or, when it sets none, those the jar sends it.
	URL string
	// Timeout bounds the visit; 0 means none.
	Timeout time.Duration
	// Header is sent with the visit (-H).
	Header http.Header
	// Insecure skips TLS certificate verification (curl -k).
	Insecure bool
}

// Validate checks the source: something to read, a URL visit takes, a jar
// that exists when it is read without a visit. It sets URL to its
// normalised form.
func (s *DecodeSource) Validate() error {
	if len(s.Args) == 0 && s.Jar == "" && s.URL == "" {
		return errors.New("nothing to decode: give a cookie value, -, --jar or --url")
	}
	if s.URL != "" {
		u, err := ParseURL(s.URL)
		if err != nil {
			return fmt.Errorf("--url: %w", err)
		}
		s.URL = u
	}
	if s.Jar != "" && s.URL == "" {
		if _, err := os.Stat(s.Jar); err != nil {
			return fmt.Errorf("--jar: %w", err)
		}
	}
	return nil
}

// nothing says why a run found no cookie to decode.
func (s *DecodeSource) nothing() string {
	switch {
	case s.URL != "":
		return fmt.Sprintf("nothing to decode: %s set no cookie and the jar sends it none", redact.URL(s.URL))
	case s.Jar != "" && len(s.Args) == 0:
		return fmt.Sprintf("nothing to decode: the jar %s holds no cookie", s.Jar)
	}
	return "nothing to decode: no cookie in the input"
}

// decodeInputs yields a DecodeSource's groups one at a time: stdin is read
// a line per call, so memory does not grow with it.
type decodeInputs struct {
	ctx   context.Context
	src   *DecodeSource
	args  []string
	stdin *lineReader
	stage int // 0 arguments and stdin, 1 the jar or the visit, 2 done
	jar   [][]cookie.Input
}

// Inputs returns a function that yields the source's inputs a group at a
// time, then io.EOF: for cookie.DecodeEach.
func (s *DecodeSource) Inputs(ctx context.Context) func() ([]cookie.Input, error) {
	it := &decodeInputs{ctx: ctx, src: s, args: s.Args}
	return it.next
}

func (it *decodeInputs) next() ([]cookie.Input, error) {
	for {
		switch {
		case it.stdin != nil:
			line, err := it.stdin.next()
			if err == io.EOF {
				it.stdin = nil
				continue
			}
			if err != nil {
				return nil, err
			}
			if ins := cookie.ParseInput(line); len(ins) > 0 {
				return ins, nil
			}
		case len(it.args) > 0:
			a := it.args[0]
			it.args = it.args[1:]
			if a == "-" {
				if it.src.Stdin == nil {
					return nil, errors.New("read stdin: no standard input")
				}
				it.stdin = newLineReader(it.src.Stdin, MaxInputLine)
				continue
			}
			if ins := cookie.ParseInput(a); len(ins) > 0 {
				return ins, nil
			}
		case it.stage == 0:
			it.stage = 1
			if err := it.collect(); err != nil {
				return nil, err
			}
		case it.stage == 1 && len(it.jar) > 0:
			g := it.jar[0]
			it.jar = it.jar[1:]
			return g, nil
		default:
			it.stage = 2
			return nil, io.EOF
		}
	}
}

// collect reads the jar, or makes the visit, into it.jar.
func (it *decodeInputs) collect() error {
	s := it.src
	if s.Jar == "" && s.URL == "" {
		return nil
	}
	var jar *Jar
	if s.Jar != "" {
		j, err := OpenJar(s.Jar, JarOptions{ReadOnly: s.URL == ""})
		if err != nil {
			return err
		}
		jar = j
	}
	if s.URL == "" {
		it.jar = jarGroups(jar.All())
		return nil
	}
	if jar == nil {
		jar = NewJar()
	}
	steps, err := Visit(it.ctx, VisitConfig{URL: s.URL, Jar: jar, Timeout: s.Timeout, Header: s.Header, Insecure: s.Insecure})
	if err != nil {
		return fmt.Errorf("--url: %w", err) // err names the method and URL
	}
	if err := jar.Save(); err != nil {
		return err
	}
	var set []cookie.Input
	for _, st := range steps {
		for _, sc := range st.SetCookies {
			if sc.Value != "" {
				set = append(set, cookie.Input{Name: sc.Name, Value: sc.Value, Origin: cookie.OriginServer})
			}
		}
	}
	if len(set) > 0 {
		it.jar = [][]cookie.Input{cookie.PairSignatures(set)}
		return nil
	}
	// The server set nothing new: show what the jar sends it.
	u, _ := url.Parse(s.URL)
	var sent []cookie.Input
	for _, c := range jar.Cookies(u) {
		sent = append(sent, cookie.Input{Name: c.Name, Value: c.Value, Origin: cookie.OriginJar})
	}
	if len(sent) > 0 {
		it.jar = [][]cookie.Input{cookie.PairSignatures(sent)}
	}
	return nil
}

// jarGroups groups a jar's cookies by domain and path, as a browser sends
// them together, with their signatures paired.
func jarGroups(all []JarCookie) [][]cookie.Input {
	var out [][]cookie.Input
	var g []cookie.Input
	for i, c := range all {
		if i > 0 && (c.Domain != all[i-1].Domain || c.Path != all[i-1].Path) {
			out = append(out, cookie.PairSignatures(g))
			g = nil
		}
		g = append(g, cookie.Input{Name: c.Name, Value: c.Value, Origin: cookie.OriginJar})
	}
	if len(g) > 0 {
		out = append(out, cookie.PairSignatures(g))
	}
	return out
}

// lineReader reads lines of at most max bytes, counting them.
type lineReader struct {
	r    *bufio.Reader
	max  int
	n    int
	buf  []byte
	done bool
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

// next returns the next line without its "\n" (or "\r\n"), or io.EOF. A
// line longer than max is an error naming the limit and the line.
func (l *lineReader) next() (string, error) {
	if l.done {
		return "", io.EOF
	}
	l.buf = l.buf[:0]
	for {
		frag, err := l.r.ReadSlice('\n')
		if len(l.buf)+len(frag) > l.max+2 || len(l.buf)+len(bytes.TrimRight(frag, "\r\n")) > l.max {
			return "", fmt.Errorf("stdin line %d is longer than the %s limit of a line", l.n+1, byteLimit(l.max))
		}
		l.buf = append(l.buf, frag...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			l.done = true
			if len(l.buf) == 0 {
				return "", io.EOF
			}
		} else if err != nil {
			return "", fmt.Errorf("read stdin: %w", err)
		}
		l.n++
		return string(bytes.TrimSuffix(bytes.TrimSuffix(l.buf, []byte("\n")), []byte("\r"))), nil
	}
}

// byteLimit writes a limit in MiB or KiB when it is a whole number of them.
func byteLimit(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d-byte", n)
}

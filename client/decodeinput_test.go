package client

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/cookie"
)

func TestLineReader(t *testing.T) {
	r := newLineReader(strings.NewReader("a\r\nbb\n\nccc"), 8)
	var got []string
	for {
		l, err := r.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, l)
	}
	if strings.Join(got, "|") != "a|bb||ccc" {
		t.Errorf("lines %q", got)
	}
	// The limit is the line's length without its end; one byte over fails,
	// naming the limit and the line.
	long := strings.Repeat("x", 2048)
	r = newLineReader(strings.NewReader("ok\n"+long+"\r\n"+long+"x\n"), 2048)
	for i, want := range []string{"ok", long} {
		if l, err := r.next(); err != nil || l != want {
			t.Fatalf("line %d: %d bytes, %v", i+1, len(l), err)
		}
	}
	if _, err := r.next(); err == nil || err.Error() != "stdin line 3 is longer than the 2 KiB limit of a line" {
		t.Errorf("long line: %v", err)
	}
}

// TestDecodeSourceStreams: stdin is read a line per group, each line paired
// within itself.
func TestDecodeSourceStreams(t *testing.T) {
	pr, pw := io.Pipe()
	src := &DecodeSource{Args: []string{"a=1; a.sig=x", "-", "b=2"}, Stdin: pr}
	next := src.Inputs(context.Background())
	g, err := next()
	if err != nil || len(g) != 1 || g[0].Name != "a" || g[0].Sig != "x" {
		t.Fatalf("first group %+v %v", g, err)
	}
	go func() {
		io.WriteString(pw, "c=3\n")
		// The second line is written only after the first was read: a
		// reader that waits for the whole of stdin would hang here.
	}()
	g, err = next()
	if err != nil || len(g) != 1 || g[0].Name != "c" {
		t.Fatalf("stdin group %+v %v", g, err)
	}
	go func() {
		io.WriteString(pw, "c.sig=y\n")
		pw.Close()
	}()
	var rest []cookie.Input
	for {
		g, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rest = append(rest, g...)
	}
	if len(rest) != 2 || rest[0].Name != "c.sig" || rest[0].HasSig || rest[1].Name != "b" {
		t.Errorf("rest %+v", rest)
	}
}

func TestJarGroups(t *testing.T) {
	gs := jarGroups([]JarCookie{
		{Domain: "a.test", Path: "/", Name: "koa.sess", Value: "v1"},
		{Domain: "a.test", Path: "/", Name: "koa.sess.sig", Value: "s1"},
		{Domain: "b.test", Path: "/", Name: "koa.sess", Value: "v2"},
		{Domain: "c.test", Path: "/", Name: "koa.sess.sig", Value: "s3"},
	})
	if len(gs) != 3 || len(gs[0]) != 1 || gs[0][0].Sig != "s1" || gs[1][0].HasSig || gs[2][0].Name != "koa.sess.sig" {
		t.Errorf("groups %+v", gs)
	}
}

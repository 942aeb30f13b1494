package cookie

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// batchTest is one DecodeAll run: inputs and options in, the formats listed,
// the counts and the outcome out.
type batchTest struct {
	desc     string
	ins      []Input
	secrets  []string
	wordlist string // "" for no wordlist
	formats  []string
	counts   Batch // only the count fields are compared
	outcome  Outcome
	msg      string
}

func TestDecodeAll(t *testing.T) {
	s, _ := NewExpressSigner([]byte("letmein"))
	sid := Input{Name: "connect.sid", Value: s.SessionCookieValue("PMlCSyrJvg70j3xqLf7zZLEPg3OPZ2Jc")}
	jarSid := sid
	jarSid.Origin = OriginJar
	theme := Input{Name: "theme", Value: "dark"}
	jarTheme, serverTheme := theme, theme
	jarTheme.Origin, serverTheme.Origin = OriginJar, OriginServer
	opaque := Input{Name: "PHPSESSID", Value: "9f86d081884c7d659a2feaa0c55ad015"}
	rs256 := Input{Name: "jwt", Value: b64url(`{"alg":"RS256"}`) + "." + b64url(`{"sub":"1"}`) + ".c2ln"}

	for _, tt := range []batchTest{
		{desc: "valid", ins: []Input{sid}, secrets: []string{"x", "letmein"},
			formats: []string{"express"}, counts: Batch{Inputs: 1}, outcome: BatchOK},
		{desc: "invalid", ins: []Input{sid, opaque}, secrets: []string{"wrong"},
			formats: []string{"express", "opaque"}, counts: Batch{Inputs: 2, Invalid: 1},
			outcome: BatchCheckFailed, msg: "1 of 2 signatures did not verify"},
		{desc: "user input in no format", ins: []Input{theme, sid}, secrets: []string{"wrong"},
			formats: []string{"unknown", "express"}, counts: Batch{Inputs: 2, Undecoded: 1, Invalid: 1},
			outcome: BatchUndecodable, msg: "1 of 2 inputs could not be decoded"},
		{desc: "jar and server cookies in no format", ins: []Input{jarSid, jarTheme, serverTheme}, secrets: []string{"letmein"},
			formats: []string{"express", "unknown", "unknown"}, counts: Batch{Inputs: 3, Foreign: 2}, outcome: BatchOK},
		{desc: "jar cookie in no format, bad signature", ins: []Input{jarSid, jarTheme}, secrets: []string{"wrong"},
			formats: []string{"express", "unknown"}, counts: Batch{Inputs: 2, Foreign: 1, Invalid: 1},
			outcome: BatchCheckFailed, msg: "1 of 2 signatures did not verify"},
		{desc: "wordlist finds the secret", ins: []Input{sid, opaque}, wordlist: "a\nb\nletmein\n",
			formats: []string{"express", "opaque"}, counts: Batch{Inputs: 2, Searched: true, Audited: 1}, outcome: BatchOK},
		{desc: "wordlist lacks the secret", ins: []Input{sid}, wordlist: "a\nb\n",
			formats: []string{"express"}, counts: Batch{Inputs: 1, Searched: true, Audited: 1, NotFound: 1},
			outcome: BatchCheckFailed, msg: "the wordlist holds no secret for 1 of 1 inputs"},
		{desc: "nothing to search for", ins: []Input{opaque, rs256}, wordlist: "a\n",
			formats: []string{"opaque", "jwt"}, counts: Batch{Inputs: 2, Searched: true},
			outcome: BatchCheckFailed, msg: "no input is signed with an HMAC secret a wordlist can search for"},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			opts := BatchOptions{Workers: 2}
			for _, k := range tt.secrets {
				opts.Keys.Secrets = append(opts.Keys.Secrets, []byte(k))
			}
			var searched []string
			if tt.wordlist != "" {
				opts.Wordlist = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(tt.wordlist)), nil }
				opts.Searching = func(in Input) { searched = append(searched, in.Name) }
			}
			b, err := DecodeAll(context.Background(), tt.ins, opts)
			if err != nil {
				t.Fatal(err)
			}
			var formats []string
			for _, d := range b.Decoded {
				formats = append(formats, d.Format)
			}
			if strings.Join(formats, ",") != strings.Join(tt.formats, ",") {
				t.Errorf("formats %q, want %q", formats, tt.formats)
			}
			got := Batch{Inputs: b.Inputs, Undecoded: b.Undecoded, Foreign: b.Foreign, Invalid: b.Invalid,
				Searched: b.Searched, Audited: b.Audited, NotFound: b.NotFound}
			if got.Inputs != tt.counts.Inputs || got.Undecoded != tt.counts.Undecoded || got.Foreign != tt.counts.Foreign ||
				got.Invalid != tt.counts.Invalid || got.Searched != tt.counts.Searched || got.Audited != tt.counts.Audited ||
				got.NotFound != tt.counts.NotFound {
				t.Errorf("counts %+v, want %+v", got, tt.counts)
			}
			if o, msg := b.Outcome(); o != tt.outcome || msg != tt.msg {
				t.Errorf("Outcome() = %d %q, want %d %q", o, msg, tt.outcome, tt.msg)
			}
			if len(searched) != b.Audited {
				t.Errorf("Searching called for %q, %d audited", searched, b.Audited)
			}
		})
	}
}

func TestDecodeAllAuditFound(t *testing.T) {
	s, _ := NewExpressSigner([]byte("letmein"))
	in := Input{Name: "connect.sid", Value: s.SessionCookieValue("PMlCSyrJvg70j3xqLf7zZLEPg3OPZ2Jc")}
	opts := BatchOptions{Keys: Keys{Secrets: [][]byte{[]byte("wrong")}},
		Wordlist: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("a\nletmein\n")), nil }}
	b, err := DecodeAll(context.Background(), []Input{in}, opts)
	if err != nil {
		t.Fatal(err)
	}
	d := b.Decoded[0]
	// Decoded again with the found secret: valid, though no given secret is.
	if d.Signature != Valid || d.SecretIndex != -1 || d.Audit == nil || !d.Audit.Found || d.Audit.Line != 2 {
		t.Fatalf("%+v audit %+v", d, d.Audit)
	}
	if w := d.Warnings[len(d.Warnings)-1]; !strings.HasPrefix(w, "weak secret:") {
		t.Errorf("last warning %q, want weak secret", w)
	}
	if o, _ := b.Outcome(); o != BatchOK {
		t.Errorf("outcome %d, want BatchOK", o)
	}
}

func TestDecodeAllUnaudited(t *testing.T) {
	rs := Input{Name: "jwt", Value: b64url(`{"alg":"RS256"}`) + "." + b64url(`{"sub":"1"}`) + ".c2ln"}
	opened := 0
	opts := BatchOptions{Wordlist: func() (io.ReadCloser, error) { opened++; return io.NopCloser(strings.NewReader("a\n")), nil }}
	b, err := DecodeAll(context.Background(), []Input{rs}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Unaudited) != 1 || b.Unaudited[0].Input.Name != "jwt" || !strings.Contains(b.Unaudited[0].Err.Error(), "not HMAC") || opened != 0 {
		t.Errorf("Unaudited %+v, wordlist opened %d times", b.Unaudited, opened)
	}
}

func TestDecodeAllNowAndErrors(t *testing.T) {
	// Now decides expiry: exp 1000 is past at 2000 and ahead at 500.
	tok := Input{Value: b64url(`{"alg":"none"}`) + "." + b64url(`{"exp":1000}`) + "."}
	for _, tc := range []struct {
		now     int64
		expired bool
	}{{2000, true}, {500, false}} {
		now := time.Unix(tc.now, 0)
		b, err := DecodeAll(context.Background(), []Input{tok}, BatchOptions{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		expired := strings.Contains(strings.Join(b.Decoded[0].Warnings, "|"), WarnExpired)
		if expired != tc.expired || !b.Now.Equal(now) {
			t.Errorf("now %d: expired %v, want %v (warnings %q)", tc.now, expired, tc.expired, b.Decoded[0].Warnings)
		}
	}
	// A wordlist that cannot be opened, and a cancelled search, fail the batch.
	s, _ := NewExpressSigner([]byte("k"))
	in := Input{Name: "connect.sid", Value: s.SessionCookieValue("id")}
	boom := errors.New("boom")
	_, err := DecodeAll(context.Background(), []Input{in}, BatchOptions{Wordlist: func() (io.ReadCloser, error) { return nil, boom }})
	if !errors.Is(err, boom) {
		t.Errorf("open error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = DecodeAll(ctx, []Input{in}, BatchOptions{Wordlist: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(strings.Repeat("x\n", 100000))), nil
	}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

package cookie

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// wordlist returns n lines "candidate-<i>" with secret on line at (1-based).
func wordlist(n, at int, secret string) *bytes.Buffer {
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		if i == at {
			b.WriteString(secret)
		} else {
			fmt.Fprintf(&b, "candidate-%d", i)
		}
		b.WriteByte('\n')
	}
	return &b
}

func expressTarget(t testing.TB, secret string) Target {
	s, _ := NewExpressSigner([]byte(secret))
	tg, err := Express{}.Prepare(Input{Name: "connect.sid", Value: s.SessionCookieValue("PMlCSyrJvg70j3xqLf7zZLEPg3OPZ2Jc")})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestAuditFindsSecretIn100k(t *testing.T) {
	const at = 73456
	tg := expressTarget(t, "hunter2")
	res, err := Audit(context.Background(), tg, wordlist(100000, at, "hunter2"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Found || res.Secret != "hunter2" || res.Line != at {
		t.Fatalf("Audit = %+v, want hunter2 at line %d", res, at)
	}
	if res.Candidates < 1 || res.Candidates > 100000 {
		t.Errorf("candidates = %d", res.Candidates)
	}
}

func TestAuditNotFound(t *testing.T) {
	tg := expressTarget(t, "not-in-the-list")
	res, err := Audit(context.Background(), tg, wordlist(10000, 0, ""), 3)
	if err != nil {
		t.Fatal(err)
	}
	if res.Found || res.Candidates != 10000 || res.Workers != 3 {
		t.Fatalf("Audit = %+v, want not found after 10000", res)
	}
}

func TestAuditLineEndings(t *testing.T) {
	tg := expressTarget(t, "s3cret")
	for _, list := range []string{"a\r\nb\r\ns3cret\r\nc\r\n", "a\nb\ns3cret", "\n\ns3cret\n"} {
		res, err := Audit(context.Background(), tg, strings.NewReader(list), 2)
		if err != nil || !res.Found || res.Line != 3 {
			t.Errorf("%q: %+v %v, want found on line 3", list, res, err)
		}
	}
	// An empty secret is a candidate too (blank HMAC keys are a known flaw).
	tg = expressTarget(t, "")
	if res, _ := Audit(context.Background(), tg, strings.NewReader("a\n\nb\n"), 1); !res.Found || res.Line != 2 {
		t.Errorf("empty secret: %+v", res)
	}
	// A line longer than the read buffer is kept whole.
	long := strings.Repeat("L", 300<<10)
	tg = expressTarget(t, long)
	if res, _ := Audit(context.Background(), tg, strings.NewReader("x\n"+long+"\ny\n"), 2); !res.Found || res.Line != 2 {
		t.Errorf("long line: found=%v line=%d", res.Found, res.Line)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestAuditReadErrorAndCancel(t *testing.T) {
	tg := expressTarget(t, "x")
	if _, err := Audit(context.Background(), tg, errReader{}, 1); err == nil {
		t.Error("read error not reported")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	<-ctx.Done()
	if _, err := Audit(ctx, tg, wordlist(100000, 0, ""), 2); err == nil {
		t.Error("deadline not reported")
	}
}

// TestAuditorsOnVectors checks every auditable valid vector: its own secret
// verifies through Prepare/Try and Clone, another does not.
func TestAuditorsOnVectors(t *testing.T) {
	n := 0
	for _, format := range decodeVectorFormats {
		f, _ := FormatByName(format)
		a, ok := f.(Auditor)
		if !ok {
			continue
		}
		for _, v := range loadDecodeVectors(t, format) {
			if v.Want.Signature != Valid || len(v.Secrets) == 0 || len(v.EncKeys) > 0 {
				continue
			}
			tg, err := a.Prepare(v.input())
			if err != nil {
				if format == "jwt" && v.KeyPEM != "" {
					continue // public-key JWTs have no secret to search for
				}
				t.Errorf("%s/%s: Prepare: %v", format, v.Desc, err)
				continue
			}
			secret := []byte(v.Secrets[v.Want.SecretIndex])
			if !tg.Try(secret) || !tg.Clone().Try(secret) {
				t.Errorf("%s/%s: Try(own secret) = false", format, v.Desc)
			}
			if tg.Try([]byte("definitely-wrong")) {
				t.Errorf("%s/%s: Try(wrong) = true", format, v.Desc)
			}
			n++
		}
	}
	if n < 15 {
		t.Errorf("only %d vectors audited", n)
	}
}

func TestMacStateMatchesHMAC(t *testing.T) {
	// Keys longer than the block are hashed first, as crypto/hmac does.
	for _, alg := range []string{"sha1", "sha256", "sha384", "sha512"} {
		m := newMacState(hashByName(alg))
		for _, key := range [][]byte{nil, []byte("k"), bytes.Repeat([]byte("K"), 64), bytes.Repeat([]byte("K"), 200)} {
			kg, _ := NewKeygrip(alg, key)
			got := string(m.mac(key, []byte("data=1")))
			want := kg.digest(key, "data=1")
			if b64 := b64url(got); b64 != want {
				t.Errorf("%s key len %d: %s, want %s", alg, len(key), b64, want)
			}
		}
	}
}

func b64url(s string) string {
	return strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(stdB64(s)), "=")
}

// benchTry measures Try on one goroutine (one core) and reports
// candidates/s.
func benchTry(b *testing.B, tg Target) {
	cands := make([][]byte, 1024)
	for i := range cands {
		cands[i] = []byte(fmt.Sprintf("candidate-%06d", i))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if tg.Try(cands[i&1023]) {
			b.Fatal("found")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "candidates/s")
}

func benchVector(b *testing.B, format, desc string) Target {
	f, _ := FormatByName(format)
	for _, v := range loadDecodeVectors(b, format) {
		if v.Desc == desc {
			tg, err := f.(Auditor).Prepare(v.input())
			if err != nil {
				b.Fatal(err)
			}
			return tg
		}
	}
	b.Fatalf("no vector %q", desc)
	return nil
}

func BenchmarkAuditExpress(b *testing.B) { benchTry(b, expressTarget(b, "s")) }
func BenchmarkAuditCookieSession(b *testing.B) {
	benchTry(b, benchVector(b, "cookie-session", "valid, signed with the first key"))
}
func BenchmarkAuditKoa(b *testing.B) {
	benchTry(b, benchVector(b, "koa-session", "valid, default maxAge (one day, _expire set)"))
}
func BenchmarkAuditJWT(b *testing.B) { benchTry(b, benchVector(b, "jwt", "HS256 valid")) }
func BenchmarkAuditSecurecookie(b *testing.B) {
	benchTry(b, benchVector(b, "securecookie", "JSON payload, valid"))
}

// BenchmarkAuditPipelineExpress runs the whole search (reading, batching,
// every core) over a wordlist of b.N lines.
func BenchmarkAuditPipelineExpress(b *testing.B) {
	tg := expressTarget(b, "not-there")
	list := wordlist(b.N, 0, "").Bytes()
	b.ResetTimer()
	res, err := Audit(context.Background(), tg, bytes.NewReader(list), 0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(res.Candidates)/b.Elapsed().Seconds(), "candidates/s")
}

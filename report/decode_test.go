package report

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sessctl/sessctl/cookie"
)

func decodeSample() []*cookie.Decoded {
	iat := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	exp := iat.Add(time.Hour)
	return []*cookie.Decoded{
		{Name: "connect.sid", Format: "express", Signature: cookie.Valid, Payload: "PMlCSyrJvg70j3xqLf7zZLEPg3OPZ2Jc",
			SecretIndex: 1, SizeBytes: 88, Warnings: []string{},
			Fields: []cookie.Field{{Key: "kind", Value: "express-session id (the session data is on the server)"}}},
		{Name: "token", Format: "jwt", Signature: cookie.Invalid, Payload: json.RawMessage(`{"sub":"alice","role":"<admin>","exp":1795003600}`),
			IssuedAt: &iat, ExpiresAt: &exp, SecretIndex: -1, SizeBytes: 4000,
			Fields:   []cookie.Field{{Key: "alg", Value: "HS256"}},
			Warnings: []string{cookie.WarnClientReadable, "near 4 KB limit: name and value take 4000 bytes; browsers drop cookies over 4096"}},
		{Name: "session", Format: "cookie-session", Signature: cookie.Valid, Payload: json.RawMessage(`{"user":"a"}`),
			SecretIndex: -1, SizeBytes: 30, Warnings: []string{"weak secret: the wordlist holds the secret (line 3)"},
			Audit: &cookie.AuditResult{Found: true, Secret: "a", Line: 3, Candidates: 3, ElapsedMS: 1, CandidatesPerS: 3000, Workers: 2}},
		{Name: "", Format: "unknown", SecretIndex: -1, SizeBytes: 5, Warnings: []string{}, Error: "value: unknown cookie format (not base64; 5 chars)"},
	}
}

func TestDecodeText(t *testing.T) {
	s, _, out, _ := Test()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	if err := DecodeText(s, decodeSample(), now); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "decode", "text.golden", out.Bytes())
}

func TestDecodeJSON(t *testing.T) {
	s, _, out, _ := Test()
	if err := DecodeJSON(s, decodeSample()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "decode", "json.golden", out.Bytes())
	var back []map[string]any
	if err := json.Unmarshal(out.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"name", "format", "signature", "payload", "secret_index", "size_bytes", "warnings"} {
		if _, ok := back[0][k]; !ok {
			t.Errorf("field %q missing", k)
		}
	}
	if back[1]["issued_at"] != "2026-11-27T12:00:00Z" {
		t.Errorf("issued_at = %v", back[1]["issued_at"])
	}
	s, _, out, _ = Test()
	DecodeJSON(s, nil)
	if out.String() != "[]\n" {
		t.Errorf("empty: %q", out)
	}
}

// TestDecodeWriterJSONLinesAndLabels: -o jsonl writes one compact object a
// line; a label longer than the default column widens it for its cookie.
func TestDecodeWriterJSONLinesAndLabels(t *testing.T) {
	s, _, out, _ := Test()
	w := NewDecodeWriter(s, DecodeJSONLines, time.Time{})
	for _, d := range decodeSample() {
		if err := w.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(decodeSample()) {
		t.Fatalf("%d lines: %s", len(lines), out)
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Errorf("line %q: %v", l, err)
		}
	}
	if strings.Contains(lines[0], `"error"`) {
		t.Errorf("a decoded cookie has an error key: %s", lines[0])
	}
	s, _, out, _ = Test()
	d := &cookie.Decoded{Name: "laravel_session", Format: "laravel", Signature: cookie.Valid, SecretIndex: 0, Warnings: []string{},
		Fields: []cookie.Field{{Key: "cookie_prefix_check", Value: "matches"}, {Key: "cipher", Value: "AES-256-CBC"}}}
	if err := DecodeText(s, []*cookie.Decoded{d}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	col := -1
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")[1:] {
		_, rest, _ := strings.Cut(l, ":")
		c := len(l) - len(strings.TrimLeft(rest, " "))
		if col >= 0 && c != col {
			t.Errorf("text column %d, want %d:\n%s", c, col, out)
			break
		}
		col = c
	}
}

package cookie

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestLaravelVectors(t *testing.T) { testVectors(t, Laravel{}) }

func TestLaravelAudit(t *testing.T) { testAuditVectors(t, Laravel{}) }

func TestLaravelMalformed(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, v := range []string{
		"",
		"not base64!",
		b64(`{"iv":"","value":""}`),
		b64(`{"iv":"AAAAAAAAAAAAAAAAAAAAAA==","value":"AAAAAAAAAAAAAAAAAAAAAA==","mac":"xyz","tag":""}`),
		b64(`{"iv":"AAAA","value":"AAAAAAAAAAAAAAAAAAAAAA==","mac":"` + strings.Repeat("0", 64) + `","tag":""}`),
		b64(`{"iv":"AAAAAAAAAAAAAAAA","value":"AAAA","mac":"","tag":"AAAA"}`),
	} {
		if _, err := (Laravel{}).Decode(Input{Value: v}, Keys{}); err == nil {
			t.Errorf("Decode(%q) = nil error, want malformed", v)
		}
		if s := (Laravel{}).Match(Input{Value: v}); s != 0 {
			t.Errorf("Match(%q) = %d, want 0", v, s)
		}
	}
}

func TestLaravelPrefixMismatch(t *testing.T) {
	for _, v := range loadVectors(t, "laravel") {
		if v.Desc != "session-cbc" {
			continue
		}
		in := v.input()
		in.Name = "XSRF-TOKEN"
		d, err := (Laravel{}).Decode(in, v.keys())
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, w := range d.Warnings {
			found = found || strings.HasPrefix(w, "prefix mismatch:")
		}
		if !found {
			t.Errorf("warnings %q, want a prefix mismatch", d.Warnings)
		}
	}
}

func FuzzDecodeLaravel(f *testing.F) { fuzzDecode(f, Laravel{}, "laravel_session", "s3cr3t", true) }

func BenchmarkAuditLaravel(b *testing.B) { benchAudit(b, Laravel{}) }

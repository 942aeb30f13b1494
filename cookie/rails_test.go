package cookie

import (
	"strings"
	"testing"
)

func TestRailsVectors(t *testing.T) { testVectors(t, Rails{}) }

func TestRailsAudit(t *testing.T) { testAuditVectors(t, Rails{}) }

func TestRailsMalformed(t *testing.T) {
	for _, v := range []string{
		"",
		"abc--def",
		"YWJj--YWJj--YWJj", // IV and tag of the wrong size
		"YWJj--AQ1tauAlr6PqNuW/--lVqyrOqIHGIKvwAXFGzAIw", // unpadded tag: not strict
		"--AQ1tauAlr6PqNuW/--lVqyrOqIHGIKvwAXFGzAIw==",   // empty data
		"YWJj--" + strings.Repeat("z", 40),               // HMAC not hex
		"YWJj--abcdef",                                   // HMAC too short
		"YWJ--" + strings.Repeat("a", 40),                // data not strict base64
	} {
		if _, err := (Rails{}).Decode(Input{Value: v}, Keys{}); err == nil {
			t.Errorf("Decode(%q) = nil error, want malformed", v)
		}
		if s := (Rails{}).Match(Input{Value: v}); s != 0 {
			t.Errorf("Match(%q) = %d, want 0", v, s)
		}
	}
}

func TestRailsPurposeMismatch(t *testing.T) {
	for _, v := range loadVectors(t, "rails") {
		if v.Desc != "rails70-sha256" {
			continue
		}
		in := v.input()
		in.Name = "other"
		d, err := (Rails{}).Decode(in, v.keys())
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, w := range d.Warnings {
			found = found || strings.HasPrefix(w, "purpose mismatch:")
		}
		if !found {
			t.Errorf("warnings %q, want a purpose mismatch", d.Warnings)
		}
	}
}

func FuzzDecodeRails(f *testing.F) { fuzzDecode(f, Rails{}, "_app_session", "s3cr3t", false) }

func BenchmarkAuditRails(b *testing.B) { benchAudit(b, Rails{}) }

package cookie

import "testing"

func TestDjangoVectors(t *testing.T) { testVectors(t, Django{}) }

func TestDjangoAudit(t *testing.T) { testAuditVectors(t, Django{}) }

func TestDjangoMalformed(t *testing.T) {
	for _, v := range []string{
		"",
		"abc:def",
		"eyJhIjoxfQ:1xX6XF:c2hvcnQ", // signature too short
		"eyJhIjoxfQ:1x!6XF:IH5lorT_tDhDebbPsbRaulobWsQ",  // timestamp not base62
		".bm90emxpYg:1xX6XF:IH5lorT_tDhDebbPsbRaulobWsQ", // "." but not zlib
		"s:abc.def",
	} {
		if _, err := (Django{}).Decode(Input{Value: v}, Keys{}); err == nil {
			t.Errorf("Decode(%q) = nil error, want malformed", v)
		}
		if s := (Django{}).Match(Input{Value: v}); s != 0 {
			t.Errorf("Match(%q) = %d, want 0", v, s)
		}
	}
}

func TestB62Decode(t *testing.T) {
	// "1k1beT" is the timestamp of Django's published legacy vector.
	for s, want := range map[string]int64{"0": 0, "z": 61, "10": 62, "1k1beT": 1596227353} {
		if n, ok := b62Decode(s); !ok || n != want {
			t.Errorf("b62Decode(%q) = %d, %v; want %d", s, n, ok, want)
		}
	}
}

func FuzzDecodeDjango(f *testing.F) { fuzzDecode(f, Django{}, "sessionid", "s3cr3t", true) }

func BenchmarkAuditDjango(b *testing.B) { benchAudit(b, Django{}) }

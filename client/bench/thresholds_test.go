package bench

import "testing"

func TestParseErrorLimit(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want ErrorLimit
		err  bool
	}{
		{"0", ErrorLimit{}, false},
		{"25", ErrorLimit{N: 25}, false},
		{"1%", ErrorLimit{Pct: 1, IsPct: true}, false},
		{"0.5%", ErrorLimit{Pct: 0.5, IsPct: true}, false},
		{"-1", ErrorLimit{}, true},
		{"101%", ErrorLimit{}, true},
		{"x", ErrorLimit{}, true},
		{"%", ErrorLimit{}, true},
	} {
		got, err := ParseErrorLimit(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseErrorLimit(%q) = %+v, %v", tt.in, got, err)
		}
		if err == nil && got.String() != tt.in {
			t.Errorf("%q reads back as %q", tt.in, got)
		}
	}
}

func TestThresholdsErrorShare(t *testing.T) {
	for _, tt := range []struct {
		requests, successes int64
		want                string
	}{
		{28179, 28169, "10 (0.035%)"},
		{200, 100, "100 (50.0%)"},
		{10, 10, "0 (0.0%)"},
		{0, 0, "0 (0.0%)"},
	} {
		th := Thresholds{}.Check(&Result{Requests: tt.requests, Successes: tt.successes})
		if th[0].Value != tt.want || th[0].OK != (tt.requests == tt.successes) {
			t.Errorf("%d of %d: %+v, want %s", tt.successes, tt.requests, th[0], tt.want)
		}
	}
}

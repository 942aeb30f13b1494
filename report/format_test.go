package report

import (
	"strings"
	"testing"
)

func TestFormatters(t *testing.T) {
	for _, test := range []struct{ got, want string }{
		{thousands(0), "0"},
		{thousands(999), "999"},
		{thousands(1234567), "1,234,567"},
		{thousands(-1500), "-1,500"},
		{counted(1, "session"), "1 session"},
		{counted(0, "session"), "0 sessions"},
		{counted(1, "connection"), "1 connection"},
		{counted(2500, "response"), "2,500 responses"},
		{latencyMS(0.412), "0.41"},
		{latencyMS(13.5), "13.5"},
		{latencyMS(150.3), "150"},
		{durationMS(2.345), "2.3ms"},
		{durationMS(12.5), "12ms"},
		{durationMS(1500), "1.50s"},
		{size(512000), "500.0 KiB"},
		{rate(3000), "3.0k"},
	} {
		if test.got != test.want {
			t.Errorf("got %q, want %q", test.got, test.want)
		}
	}
}

// TestCountsInViews checks the text views write a count of one in the
// singular: "1 connection", "1 session", "1 response".
func TestCountsInViews(t *testing.T) {
	res := perSessionResult()
	res.Connections, res.Consistency.Sessions, res.Consistency.Checked = 1, 1, 1
	s, _, out, _ := Test()
	if err := BenchText(s, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1 connection,", "1 session,", "1 response checked"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

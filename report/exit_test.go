package report

import "testing"

// An error may quote a server or a file: its control bytes are escaped,
// its line breaks kept.
func TestError(t *testing.T) {
	s, _, _, errOut := Test()
	Error(s, "read jar j: line 2: \x1b]0;pwned\x07\nsecond line")
	if got, want := errOut.String(), "sessctl: read jar j: line 2: \\x1b]0;pwned\\x07\nsecond line\n"; got != want {
		t.Errorf("Error printed %q, want %q", got, want)
	}
}

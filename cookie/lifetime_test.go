package cookie

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/securecookie"
)

// TestJudgeAgeSecurecookie: a gorilla cookie judged at several instants
// after it was made: expired past securecookie's 30 days (which
// securecookie's own Decode refuses), or past --max-age.
func TestJudgeAgeSecurecookie(t *testing.T) {
	hk := []byte("hash-key-0123456789abcdef-32byte")
	v, err := securecookie.New(hk, nil).Encode("session", map[any]any{"n": 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		after   time.Duration
		maxAge  time.Duration
		expired bool
	}{
		{time.Hour, 0, false},
		{29 * 24 * time.Hour, 0, false},
		{31 * 24 * time.Hour, 0, true},
		{2 * time.Hour, time.Hour, true},
		{31 * 24 * time.Hour, 60 * 24 * time.Hour, false},
	} {
		d, err := SecureCookie{}.Decode(Input{Name: "session", Value: v}, Keys{Secrets: [][]byte{hk}})
		if err != nil {
			t.Fatal(err)
		}
		JudgeAge(d, tt.maxAge, d.IssuedAt.Add(tt.after))
		if got := hasWarning(d, "expired:"); got != tt.expired || d.ExpiresAt == nil {
			t.Errorf("%s after, --max-age %s: expired %v, want %v; expires %v %q", tt.after, tt.maxAge, got, tt.expired, d.ExpiresAt, d.Warnings)
		}
	}
}

func TestSizeWarnings(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{
		{100, ""}, {3600, "near 4 KB limit:"}, {4096, "near 4 KB limit:"}, {4097, "over 4 KB limit:"}, {8192, "over 4 KB limit:"},
	} {
		d := newDecoded(Input{Name: "s", Value: strings.Repeat("a", tt.n-1)}, "x")
		got := strings.Join(d.Warnings, "|")
		if tt.want == "" && got != "" || tt.want != "" && !strings.HasPrefix(got, tt.want) || !strings.Contains(got, fmt.Sprint(tt.n)) && tt.want != "" {
			t.Errorf("%d bytes: %q, want %q", tt.n, got, tt.want)
		}
	}
}

package interop

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
)

// visitResult is the part of visit's JSON the checks read.
type visitResult struct {
	Visits []struct {
		Status int             `json:"status"`
		Body   json.RawMessage `json:"body"`
	} `json:"visits"`
}

func (s *suite) visitOnce(t *testing.T, jar string, args ...string) (status int, body map[string]any) {
	var v visitResult
	code := s.sessctlJSON(t, &v, append([]string{"visit", "--jar", jar, "-o", "json"}, args...)...)
	if code != 0 || len(v.Visits) != 1 {
		t.Fatalf("sessctl visit %v: exit %d, %d visits", args, code, len(v.Visits))
	}
	json.Unmarshal(v.Visits[0].Body, &body) // a body that is no JSON object stays nil
	return v.Visits[0].Status, body
}

// visit: three runs of sessctl visit through one jar continue one session.
func (s *suite) visit(t *testing.T) []string {
	jar := filepath.Join(t.TempDir(), "cookies.txt")
	var p []string
	for i := 1; i <= 3; i++ {
		status, body := s.visitOnce(t, jar, s.in.url)
		want := 200
		if i == 1 {
			want = 201
		}
		if n, _ := body["visitCount"].(float64); status != want || int(n) != i {
			p = append(p, fmt.Sprintf("visit %d: status %d visitCount %v, want %d and %d", i, status, body["visitCount"], want, i))
		}
	}
	return p
}

// loginLogout: POST /login stores the user; after GET /logout the next
// visit starts a new session.
func (s *suite) loginLogout(t *testing.T) []string {
	jar := filepath.Join(t.TempDir(), "cookies.txt")
	user := "u" + randHex(4)
	var p []string
	s.visitOnce(t, jar, s.in.url)
	if status, body := s.visitOnce(t, jar, "-X", "POST", "-d", "user="+user, s.in.url+"login"); status != 200 || body["user"] != user {
		p = append(p, fmt.Sprintf("POST /login: status %d body %v, want 200 and user %s", status, body, user))
	}
	s.visitOnce(t, jar, s.in.url+"logout")
	if status, body := s.visitOnce(t, jar, s.in.url); status != 201 || body["visitCount"] != 1.0 {
		p = append(p, fmt.Sprintf("GET / after logout: status %d visitCount %v, want 201 and 1", status, body["visitCount"]))
	}
	return p
}

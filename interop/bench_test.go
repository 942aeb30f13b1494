package interop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// truth is what an app's /_truth counts: the GET / requests it served, the
// sessions it created and the highest visitCount it issued.
type truth struct {
	Requests int `json:"requests"`
	Created  int `json:"created"`
	MaxCount int `json:"max_count"`
}

// truth reads the app's /_truth.
func (s *suite) truth(t *testing.T) truth {
	var tr truth
	getJSON(t, s.in.url+"_truth", &tr)
	return tr
}

// benchResult is the part of bench's JSON the checks read.
type benchResult struct {
	Requests    int            `json:"requests"`
	Successes   int            `json:"successes"`
	Errors      map[string]int `json:"errors"`
	Consistency struct {
		Verdict         string `json:"verdict"`
		SessionsCreated int    `json:"sessions_created"`
		ExtraSessions   int    `json:"extra_sessions"`
		Gaps            int    `json:"gaps"`
		Repeats         int    `json:"repeats"`
		Regressions     int    `json:"regressions"`
		Resets          int    `json:"resets"`
		IDChanges       int    `json:"id_changes"`
		InitialCounter  int    `json:"initial_counter"`
		FinalCounter    int    `json:"final_counter"`
		LostUpdates     int    `json:"lost_updates"`
		Duplicates      int    `json:"duplicates"`
	} `json:"consistency"`
}

func (s *suite) bench(t *testing.T, extra ...string) (benchResult, int) {
	var b benchResult
	args := append([]string{"bench", "-n", fmt.Sprint(benchN), "-c", fmt.Sprint(benchC), "-o", "json"}, extra...)
	code := s.sessctlJSON(t, &b, append(args, s.in.url)...)
	return b, code
}

// benchShared: every request on one session. The truth: the app counts the
// requests it served and the sessions it created; the final counter is the
// store's (server-side sessions) or the highest the app issued (the session
// lives in the cookie: every concurrent update on the one cookie but the
// last writer's is lost, and each lost one repeats a counter already sent).
func (s *suite) benchShared(t *testing.T) []string {
	before := s.truth(t)
	if before.Requests != 0 {
		t.Fatalf("bench-shared needs a fresh app, this one served %d requests", before.Requests)
	}
	b, code := s.bench(t, "--shared")
	after := s.truth(t)
	c := b.Consistency
	var p []string
	// The session's creation and bench's final probe are requests of their
	// own; a request that failed may or may not have reached the app.
	if extra := c.SessionsCreated + 1; after.Requests < b.Successes+extra || after.Requests > b.Requests+extra {
		p = append(p, fmt.Sprintf("bench counts %d successes of %d requests (errors %v) + %d sessions created + the final probe, the app served %d requests",
			b.Successes, b.Requests, b.Errors, c.SessionsCreated, after.Requests))
	}
	if c.Resets != after.Created-1 || c.ExtraSessions != after.Created-1 {
		p = append(p, fmt.Sprintf("resets %d, extra sessions %d: the app created %d session(s) in all, so %d",
			c.Resets, c.ExtraSessions, after.Created, after.Created-1))
	}
	final, where := after.MaxCount, "highest counter the app issued"
	if s.in.store != nil {
		final, where = 0, "store's counter"
		for _, v := range s.in.store(t) {
			if n, ok := v["visitCount"].(float64); ok && int(n) > final {
				final = int(n)
			}
		}
	}
	updates := after.Requests - after.Created
	lost := updates - (final - 1)
	if abs(c.LostUpdates-lost) > benchC {
		p = append(p, fmt.Sprintf("lost updates %d, truth %d (%d updates, %s %d)", c.LostUpdates, lost, updates, where, final))
	}
	if abs(c.FinalCounter-final) > benchC {
		p = append(p, fmt.Sprintf("final counter %d, %s %d", c.FinalCounter, where, final))
	}
	if s.spec.carried && abs(c.Duplicates-lost) > benchC {
		p = append(p, fmt.Sprintf("duplicates %d, truth %d (each lost update on a cookie repeats a counter)", c.Duplicates, lost))
	}
	wantVerdict, wantCode := "CONSISTENT", 0
	if lost > 0 {
		wantVerdict, wantCode = "INCONSISTENT", 1
	}
	if c.Verdict != wantVerdict || code != wantCode {
		p = append(p, fmt.Sprintf("verdict %s exit %d, want %s exit %d (truth: %d of %d updates lost)",
			c.Verdict, code, wantVerdict, wantCode, lost, updates))
	}
	t.Logf("%s: bench --shared: %d updates, %d lost (truth), bench: lost %d duplicates %d resets %d final %d, %s %d",
		s.spec.name, updates, lost, c.LostUpdates, c.Duplicates, c.Resets, c.FinalCounter, where, final)
	return p
}

// benchPerSession: one session per connection, each user's requests in
// sequence: nothing may be lost, and the app (and its store) created exactly
// the sessions bench reports.
func (s *suite) benchPerSession(t *testing.T) []string {
	before := s.truth(t)
	var storeBefore map[string]map[string]any
	if s.in.store != nil {
		storeBefore = s.in.store(t)
	}
	b, code := s.bench(t)
	after := s.truth(t)
	c := b.Consistency
	var p []string
	created := after.Created - before.Created
	if c.SessionsCreated != created {
		p = append(p, fmt.Sprintf("bench reports %d sessions created, the app created %d", c.SessionsCreated, created))
	}
	t.Logf("%s: bench: %d successes, %d sessions created; the app served %d requests, created %d sessions",
		s.spec.name, b.Successes, c.SessionsCreated, after.Requests-before.Requests, created)
	served := after.Requests - before.Requests
	if served < b.Successes || served > b.Requests {
		p = append(p, fmt.Sprintf("bench counts %d successes of %d requests (errors %v), the app served %d requests",
			b.Successes, b.Requests, b.Errors, served))
	}
	if s.in.store != nil {
		newSessions, sum := 0, 0
		for id, v := range s.in.store(t) {
			if _, old := storeBefore[id]; old {
				continue
			}
			newSessions++
			n, _ := v["visitCount"].(float64)
			sum += int(n)
		}
		if newSessions != c.SessionsCreated {
			p = append(p, fmt.Sprintf("the store has %d new sessions, bench reports %d created", newSessions, c.SessionsCreated))
		}
		// A request that failed on bench's side (a timeout) may still have
		// been saved.
		if sum < b.Successes || sum > b.Requests {
			p = append(p, fmt.Sprintf("the new sessions' counters add up to %d, bench counts %d successes of %d requests", sum, b.Successes, b.Requests))
		}
	}
	if c.Verdict != "CONSISTENT" || code != 0 || c.Resets+c.Gaps+c.Repeats+c.Regressions+c.IDChanges+c.ExtraSessions != 0 {
		p = append(p, fmt.Sprintf("verdict %s exit %d (resets %d, gaps %d, repeats %d, regressions %d, id changes %d, extra sessions %d), want CONSISTENT exit 0: %d users in sequence lose nothing",
			c.Verdict, code, c.Resets, c.Gaps, c.Repeats, c.Regressions, c.IDChanges, c.ExtraSessions, created))
	}
	return p
}

// benchErrors: half the requests get the app's 404 (round-robin over / and
// a missing page): the failures decide the exit status (--max-errors is 0
// by default), and the 404s are counted as such.
func (s *suite) benchErrors(t *testing.T) []string {
	var b benchResult
	code := s.sessctlJSON(t, &b, "bench", "-n", "200", "-c", "4", "--counter", "", "-o", "json", s.in.url, s.in.url+"no-such-page")
	var p []string
	if b.Successes == 0 || b.Successes == 200 {
		p = append(p, fmt.Sprintf("%d successes of 200, want some (half the requests went to a missing page)", b.Successes))
	}
	if errs, _ := json.Marshal(b.Errors); !strings.Contains(string(errs), "404") {
		p = append(p, fmt.Sprintf("errors %s name no 404", errs))
	}
	if code != 1 {
		p = append(p, fmt.Sprintf("exit %d with 100 of 200 requests failed, want 1 (--max-errors 0 by default)", code))
	}
	return p
}

// benchJar: bench --jar continues the session of a visit jar (shared mode
// on that session) and leaves the jar as it was.
func (s *suite) benchJar(t *testing.T) []string {
	jar := filepath.Join(t.TempDir(), "cookies.txt")
	for range 3 {
		s.visitOnce(t, jar, s.in.url)
	}
	before, err := os.ReadFile(jar)
	if err != nil {
		t.Fatal(err)
	}
	truthBefore := s.truth(t)
	var b benchResult
	r := run(t, binDir, "", s.bin, "bench", "--jar", jar, "-n", "100", "-c", "4", "-o", "json", s.in.url)
	var p []string
	if err := json.Unmarshal(r.stdout, &b); err != nil || r.code == 2 {
		return []string{fmt.Sprintf("bench --jar: exit %d: %s", r.code, bytes.TrimSpace(r.stderr))}
	}
	if created := s.truth(t).Created - truthBefore.Created; created != 0 || b.Consistency.InitialCounter != 4 {
		p = append(p, fmt.Sprintf("the app created %d sessions, bench's initial counter %d: want 0 and 4 (the jar's session after 3 visits, continued)",
			created, b.Consistency.InitialCounter))
	}
	if after, _ := os.ReadFile(jar); !bytes.Equal(before, after) {
		p = append(p, "bench --jar changed the jar (read only)")
	}
	return p
}

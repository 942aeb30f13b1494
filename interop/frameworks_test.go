package interop

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"testing"
)

const (
	benchN      = 300 // requests per bench run
	benchC      = 8   // bench connections
	decodeProcs = 4   // decode --url runs at a time
)

// TestFrameworks runs sessctl against each real framework app: bench
// --shared and per-session with the truth from the app and its store, visit
// x3 through one jar, login and logout, decode --url on fresh cookies
// compared with the framework's own reading, and wrong secrets and keys.
func TestFrameworks(t *testing.T) {
	for _, spec := range apps {
		t.Run(spec.name, func(t *testing.T) {
			t.Parallel()
			bin := sessctl(t)
			in := spec.start(t)
			s := &suite{spec: spec, in: in, bin: bin}
			// bench --shared first, on the fresh app: its session is then the
			// only one whose counter passed 3 (the truth's max_count).
			s.check(t, "bench-shared", s.benchShared)
			s.check(t, "bench-per-session", s.benchPerSession)
			s.check(t, "bench-errors", s.benchErrors)
			s.check(t, "bench-jar", s.benchJar)
			s.check(t, "visit", s.visit)
			s.check(t, "login-logout", s.loginLogout)
			s.check(t, "decode", s.decode)
			s.check(t, "decode-many", s.decodeMany)
			s.check(t, "decode-no-cookie", s.decodeNoCookie)
			if spec.secret {
				s.check(t, "wrong-secret", s.wrongSecret)
			}
			if spec.carried && spec.secret {
				s.check(t, "sign", s.signed)
			}
			if in.old != nil {
				s.check(t, "expired", s.expired)
			}
			if spec.gobType != "" {
				s.check(t, "gob-type", s.gobType)
			}
			if spec.encKey {
				s.check(t, "wrong-enc-key", s.wrongEncKey)
				s.check(t, "no-enc-key", s.noEncKey)
			}
		})
	}
}

// suite is one app's run; problems are what a check saw go wrong.
type suite struct {
	spec    appSpec
	in      *instance
	bin     string
	samples []map[string]string // the cookies of each decode sample, for the later checks
	truths  []map[string]any    // the framework's reading of each sample
}

// check runs one check as a subtest, applying knownBroken.
func (s *suite) check(t *testing.T, name string, f func(t *testing.T) []string) {
	t.Run(name, func(t *testing.T) {
		problems := f(t)
		reason, broken := knownBroken[check{s.spec.name, name}]
		switch {
		case broken && len(problems) > 0:
			t.Skipf("known broken (%s): %s", reason, strings.Join(problems, "; "))
		case broken:
			t.Fatalf("listed in knownBroken (%s) but holds now: remove it from the table", reason)
		case len(problems) > 0:
			t.Errorf("%s/%s:\n  %s", s.spec.name, name, strings.Join(problems, "\n  "))
		}
	})
}

// sessctlJSON runs sessctl with args and decodes its JSON stdout into v.
func (s *suite) sessctlJSON(t *testing.T, v any, args ...string) int {
	t.Helper()
	code, err := s.sessctlJSONErr(v, args...)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// sessctlJSONErr is sessctlJSON for worker goroutines: trouble is an error.
func (s *suite) sessctlJSONErr(v any, args ...string) (int, error) {
	r, err := runCmd(binDir, "", append([]string{s.bin}, args...)...)
	if err != nil {
		return 0, err
	}
	if err := json.Unmarshal(r.stdout, v); err != nil {
		return 0, fmt.Errorf("sessctl %s: exit %d, output not JSON (%v): %.300s\n%s",
			strings.Join(args, " "), r.code, err, r.stdout, r.stderr)
	}
	return r.code, nil
}

// parallel calls f(0..n-1) from decodeProcs goroutines; the first error
// stops the calls and fails the test.
func parallel(t *testing.T, n int, f func(i int) error) {
	t.Helper()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	next := make(chan int)
	stop := make(chan struct{})
	for range decodeProcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := f(i); err != nil {
					once.Do(func() { first = err; close(stop) })
				}
			}
		}()
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-stop:
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first != nil {
		t.Fatal(first)
	}
}

// tally counts the samples that failed each way and keeps two examples;
// safe for concurrent use.
type tally struct {
	mu       sync.Mutex
	kinds    []string
	count    map[string]int
	examples map[string][]string
}

func (b *tally) add(kind string, i int, msg string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.count == nil {
		b.count, b.examples = map[string]int{}, map[string][]string{}
	}
	if b.count[kind] == 0 {
		b.kinds = append(b.kinds, kind)
	}
	b.count[kind]++
	if len(b.examples[kind]) < 2 {
		b.examples[kind] = append(b.examples[kind], fmt.Sprintf("#%d: %s", i, msg))
	}
}

func (b *tally) problems(of int) []string {
	var p []string
	for _, k := range b.kinds {
		p = append(p, fmt.Sprintf("%s wrong on %d of %d cookies, e.g. %s", k, b.count[k], of, strings.Join(b.examples[k], " | ")))
	}
	return p
}

func jsonEqual(a, b any) bool {
	var x, y any
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	json.Unmarshal(ja, &x)
	json.Unmarshal(jb, &y)
	return reflect.DeepEqual(x, y)
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 200 {
		b = append(b[:200], "..."...)
	}
	return string(b)
}

func abs(n int) int { return int(math.Abs(float64(n))) }

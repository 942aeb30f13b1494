package cmd

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/demo"
	"github.com/sessctl/sessctl/internal/testenv"
	"github.com/sessctl/sessctl/report"
)

// runSessctl runs sessctl in-process with test streams and returns the exit
// code, stdout and stderr.
func runSessctl(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runSessctlIn(t, "", args...)
}

// runSessctlIn is runSessctl with stdin: every in-process run of the
// command tree goes through it.
func runSessctlIn(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	streams, in, out, errOut := report.Test()
	in.WriteString(stdin)
	root := NewRootCmd(streams)
	root.SetArgs(args)
	ctx := context.Background()
	code := ExitCode(root.ExecuteContext(ctx), ctx, streams)
	return code, out.String(), errOut.String()
}

func TestVisitFlags(t *testing.T) {
	t.Setenv("SESSCTL_JAR", "/tmp/env-jar.txt")
	dataFile := filepath.Join(t.TempDir(), "data.txt")
	os.WriteFile(dataFile, []byte("a=1&\r\nb=2\n"), 0o600)
	emptyFile := filepath.Join(t.TempDir(), "empty.txt")
	os.WriteFile(emptyFile, nil, 0o600)
	newlineFile := filepath.Join(t.TempDir(), "newline.txt")
	os.WriteFile(newlineFile, []byte("\r\n\n"), 0o600)
	type cfg = client.VisitConfig
	for _, test := range []struct {
		args []string
		want visitOptions
	}{
		{
			args: []string{},
			want: visitOptions{VisitConfig: cfg{Count: 1, Header: http.Header{}, Timeout: 30 * time.Second}, Output: "table"},
		},
		{
			args: []string{"127.0.0.1:3000"},
			want: visitOptions{VisitConfig: cfg{URL: "http://127.0.0.1:3000", Count: 1, Header: http.Header{}, Timeout: 30 * time.Second}, Output: "table", JarPath: "/tmp/env-jar.txt"},
		},
		{
			args: []string{"https://app.test/x", "-n", "3", "-H", "Accept: text/html", "-H", "X-A:1", "-H", "x-a: 2", "-X", "PUT",
				"-d", "@" + dataFile, "--follow", "--timeout", "5s", "-k", "-o", "json", "--jar", "j.txt", "--fresh", "-i"},
			want: visitOptions{VisitConfig: cfg{URL: "https://app.test/x", Count: 3, Method: "PUT",
				Header: http.Header{"Accept": {"text/html"}, "X-A": {"1", "2"}}, Body: []byte("a=1&b=2"),
				Follow: true, Timeout: 5 * time.Second, Insecure: true, AllHeaders: true}, Output: "json", JarPath: "j.txt", Fresh: true},
		},
		{
			args: []string{"--count=2", "--header=A: b", "--method=delete", "--data=", "--insecure", "--output=jsonl", "--jar=k.txt", "-v", "--timeout=0"},
			want: visitOptions{VisitConfig: cfg{Count: 2, Method: "DELETE", Header: http.Header{"A": {"b"}}, Body: []byte{},
				Insecure: true, Trace: true}, Output: "jsonl", JarPath: "k.txt"},
		},
		{
			// -H's Content-Type wins; --data-binary keeps CR and LF.
			args: []string{"-H", "content-type: text/plain", "--data-binary", "@" + dataFile, "-X", "propfind"},
			want: visitOptions{VisitConfig: cfg{Count: 1, Method: "propfind", Header: http.Header{"Content-Type": {"text/plain"}},
				Body: []byte("a=1&\r\nb=2\n"), Timeout: 30 * time.Second}, Output: "table"},
		},
		{
			args: []string{"--json", `{"a":1}`, "-H", "Accept: */*"},
			want: visitOptions{VisitConfig: cfg{Count: 1, Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"*/*"}},
				Body: []byte(`{"a":1}`), Timeout: 30 * time.Second}, Output: "table"},
		},
		{
			args: []string{"--json", "@" + emptyFile},
			want: visitOptions{VisitConfig: cfg{Count: 1, Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"application/json"}},
				Body: []byte{}, Timeout: 30 * time.Second}, Output: "table"},
		},
		{
			args: []string{"-d", "@" + newlineFile},
			want: visitOptions{VisitConfig: cfg{Count: 1, Header: http.Header{},
				Body: []byte{}, Timeout: 30 * time.Second}, Output: "table"},
		},
	} {
		streams, _, _, _ := report.Test()
		var got *visitOptions
		c := newVisitCmd(streams, func(_ context.Context, o *visitOptions) error { got = o; return nil })
		c.SetArgs(test.args)
		if err := c.Execute(); err != nil {
			t.Errorf("%v: %v", test.args, err)
			continue
		}
		if !reflect.DeepEqual(*got, test.want) {
			t.Errorf("%v:\n got %+v\nwant %+v", test.args, *got, test.want)
		}
	}
}

func TestVisitUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"visit", "-n", "0"},
		{"visit", "-o", "yaml"},
		{"visit", "-H", "no colon"},
		{"visit", "--timeout", "-1s"},
		{"visit", "--jar", ""},
		{"visit", "ftp://x/"},
		{"visit", "a", "b"},
		{"visit", "--nope"},
		{"visit", "-d", "@/does/not/exist"},
		{"visit", "-d", "a", "--json", "{}"},
		{"visit", "-o", "xml"},
	} {
		code, out, errOut := runSessctl(t, args...)
		if code != ExitTrouble || out != "" || !strings.HasPrefix(errOut, "sessctl: ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line on stderr", args, code, out, errOut)
		}
	}
}

func TestVisitExitCodes(t *testing.T) {
	srv := httptest.NewServer(demo.NewHandler(demo.Options{}))
	defer srv.Close()
	dir := t.TempDir()
	jar := filepath.Join(dir, "jar.txt")

	if code, out, _ := runSessctl(t, "visit", srv.URL+"/missing", "--jar", jar); code != ExitOK || !strings.Contains(out, "404 Not Found") {
		t.Errorf("404: exit %d\n%s", code, out)
	}

	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	code, _, errOut := runSessctl(t, "visit", closed.URL, "--jar", jar)
	if code != ExitTrouble || !strings.Contains(errOut, "connection refused") {
		t.Errorf("unreachable: exit %d, stderr %q", code, errOut)
	}

	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("# ok\nexample.com\tTRUE\t/\tFALSE\tnever\ta\tb\n"), 0o600)
	code, _, errOut = runSessctl(t, "visit", srv.URL, "--jar", bad)
	if code != ExitTrouble || !strings.Contains(errOut, bad+": line 2: expiry") {
		t.Errorf("corrupt jar: exit %d, stderr %q", code, errOut)
	}
}

// visitDoc is the part of visit's JSON document the tests read.
type visitDoc struct {
	URL    string `json:"url"`
	Jar    string `json:"jar"`
	Visits []struct {
		N           int     `json:"n"`
		Method      string  `json:"method"`
		Status      int     `json:"status"`
		DurationMS  float64 `json:"duration_ms"`
		CookiesSent []struct {
			Name, Value string
		} `json:"cookies_sent"`
		SetCookies []map[string]any `json:"set_cookies"`
		Body       struct {
			SID        int `json:"sid"`
			VisitCount int `json:"visitCount"`
		} `json:"body"`
		Changes []struct {
			Kind string          `json:"kind"`
			Name string          `json:"name"`
			From json.RawMessage `json:"from"`
			To   json.RawMessage `json:"to"`
		} `json:"changes"`
	} `json:"visits"`
}

func visitJSON(t *testing.T, args ...string) visitDoc {
	t.Helper()
	code, out, errOut := runSessctl(t, append([]string{"visit", "-o", "json"}, args...)...)
	if code != ExitOK {
		t.Fatalf("sessctl visit %v: exit %d: %s", args, code, errOut)
	}
	var doc visitDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("visit -o json is not JSON: %v\n%s", err, out)
	}
	return doc
}

func TestVisitJSONDocument(t *testing.T) {
	srv := httptest.NewServer(demo.NewHandler(demo.Options{}))
	defer srv.Close()
	jar := filepath.Join(t.TempDir(), "jar.txt")
	doc := visitJSON(t, srv.URL+"/", "-n", "2", "--jar", jar)
	if doc.URL != srv.URL+"/" || doc.Jar != jar || len(doc.Visits) != 2 {
		t.Fatalf("document: url %s jar %s visits %d", doc.URL, doc.Jar, len(doc.Visits))
	}
	v1, v2 := doc.Visits[0], doc.Visits[1]
	if v1.N != 1 || v1.Method != "GET" || v1.Status != 201 || v1.Body.VisitCount != 1 || v1.DurationMS <= 0 || len(v1.CookiesSent) != 0 {
		t.Errorf("visit 1: %+v", v1)
	}
	sc := v1.SetCookies
	if len(sc) != 1 || sc[0]["name"] != "connect.sid" || sc[0]["path"] != "/" || sc[0]["http_only"] != true ||
		sc[0]["secure"] != false || sc[0]["expires"] != nil || sc[0]["max_age"] != nil || sc[0]["outcome"] != "stored" {
		t.Errorf("visit 1 set_cookies: %v", sc)
	}
	if len(v1.Changes) != 1 || v1.Changes[0].Kind != "cookie_added" || v1.Changes[0].Name != "connect.sid" {
		t.Errorf("visit 1 changes: %+v", v1.Changes)
	}
	if v2.N != 2 || v2.Status != 200 || v2.Body.VisitCount != 2 || v2.Body.SID != v1.Body.SID ||
		len(v2.CookiesSent) != 1 || v2.CookiesSent[0].Name != "connect.sid" || len(v2.SetCookies) != 0 {
		t.Errorf("visit 2: %+v", v2)
	}
	if len(v2.Changes) != 1 || v2.Changes[0].Kind != "field" || v2.Changes[0].Name != "visitCount" ||
		string(v2.Changes[0].From) != "1" || string(v2.Changes[0].To) != "2" {
		t.Errorf("visit 2 changes: %+v", v2.Changes)
	}
	fi, err := os.Stat(jar)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("jar file: %v %v", fi, err)
	}
}

// curlVisit runs the real curl with jar as cookie file and cookie jar, and
// returns the status and the session's visitCount.
func curlVisit(t *testing.T, curl, url string, args ...string) (int, int) {
	t.Helper()
	var body struct {
		VisitCount int `json:"visitCount"`
	}
	cmd := exec.Command(curl, append([]string{"-s", "-w", "\n%{http_code}", url}, args...)...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	text := string(out)
	i := strings.LastIndexByte(text, '\n')
	if err := json.Unmarshal([]byte(text[:i]), &body); err != nil {
		t.Fatalf("curl body %q: %v", text[:i], err)
	}
	var status int
	json.Unmarshal([]byte(text[i+1:]), &status)
	return status, body.VisitCount
}

// TestVisitCurlInterop: sessctl and the real curl continue one session
// through one cookies.txt, in both directions.
func TestVisitCurlInterop(t *testing.T) {
	curl := testenv.Command(t, "curl")
	srv, err := demo.Open("", demo.Options{Secrets: [][]byte{[]byte("sessionTesting")}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	jar := filepath.Join(dir, "cookies.txt")

	for i, want := range []struct{ status, count int }{{201, 1}, {200, 2}} {
		v := visitJSON(t, srv.URL(), "--jar", jar).Visits[0]
		if v.Status != want.status || v.Body.VisitCount != want.count {
			t.Fatalf("sessctl visit %d: status %d visitCount %d, want %d %d", i+1, v.Status, v.Body.VisitCount, want.status, want.count)
		}
	}
	if status, count := curlVisit(t, curl, srv.URL(), "-b", jar, "-c", jar); status != 200 || count != 3 {
		t.Fatalf("curl -b jar -c jar after two sessctl visits: status %d visitCount %d, want 200 3", status, count)
	}
	data, _ := os.ReadFile(jar)
	if !strings.Contains(string(data), "generated by libcurl") || !strings.Contains(string(data), "#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t0\tconnect.sid\t") {
		t.Errorf("curl did not write the jar as expected:\n%s", data)
	}
	if v := visitJSON(t, srv.URL(), "--jar", jar).Visits[0]; v.Status != 200 || v.Body.VisitCount != 4 {
		t.Fatalf("sessctl visit after curl: status %d visitCount %d, want 200 4", v.Status, v.Body.VisitCount)
	}
	if status, count := curlVisit(t, curl, srv.URL(), "-b", jar, "-c", jar); status != 200 || count != 5 {
		t.Fatalf("curl after sessctl wrote the jar again: status %d visitCount %d, want 200 5", status, count)
	}

	// A jar curl wrote from scratch.
	fresh := filepath.Join(dir, "curl-fresh.txt")
	if status, count := curlVisit(t, curl, srv.URL(), "-c", fresh); status != 201 || count != 1 {
		t.Fatalf("curl -c: status %d visitCount %d", status, count)
	}
	doc := visitJSON(t, srv.URL(), "--jar", fresh, "-n", "2")
	if v := doc.Visits[0]; v.Status != 200 || v.Body.VisitCount != 2 {
		t.Fatalf("sessctl with the jar curl wrote: status %d visitCount %d, want 200 2", v.Status, v.Body.VisitCount)
	}
	if v := doc.Visits[1]; v.Body.VisitCount != 3 {
		t.Fatalf("second visit: visitCount %d, want 3", v.Body.VisitCount)
	}
}

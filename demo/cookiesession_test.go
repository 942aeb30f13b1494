package demo

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sessctl/sessctl/internal/testenv"
)

// TestCookieSessionInterop: the reference Express app under the real npm
// cookie-session, and the demo in cookie mode, with the same keys, continue
// each other's sessions both ways; the cookies are byte for byte the same.
func TestCookieSessionInterop(t *testing.T) {
	dir := testenv.Interop(t)
	nodeAddr := testenv.FreeAddr(t)
	_, port, _ := net.SplitHostPort(nodeAddr)
	node := exec.Command("node", "cookie-session-app.js")
	node.Dir = dir
	node.Env = append(os.Environ(), "PORT="+port, "KEYS=new,old")
	if err := node.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { node.Process.Kill(); node.Wait() })
	testenv.WaitListening(t, nodeAddr, 30*time.Second)
	nodeURL := "http://" + nodeAddr + "/"

	goSrv := httptest.NewServer(NewHandler(Options{Mode: ModeCookie, Secrets: [][]byte{[]byte("new"), []byte("old")}}))
	defer goSrv.Close()
	goURL := goSrv.URL + "/"
	c := &http.Client{}

	visit := func(who, url, ck string, wantStatus, wantCount int) (*http.Response, string) {
		t.Helper()
		resp, body := request(t, c, "GET", url, ck)
		var s struct{ VisitCount int }
		if err := json.Unmarshal([]byte(body), &s); err != nil || resp.StatusCode != wantStatus || s.VisitCount != wantCount {
			t.Fatalf("%s: %d %s, want %d and visitCount %d", who, resp.StatusCode, body, wantStatus, wantCount)
		}
		return resp, body
	}

	resp, _ := visit("demo creates", goURL, "", 201, 1)
	goSet := resp.Header.Values("Set-Cookie")
	resp, _ = visit("node continues", nodeURL, cookiePairs(resp), 200, 2)
	nodeSet := resp.Header.Values("Set-Cookie")
	resp, _ = visit("demo continues", goURL, cookiePairs(resp), 200, 3)
	visit("node continues again", nodeURL, cookiePairs(resp), 200, 4)
	if len(goSet) != 2 || len(nodeSet) != 2 {
		t.Fatalf("Set-Cookie lines: demo %q, node %q", goSet, nodeSet)
	}
	// Same session, same keys: the demo's cookies for visitCount 2 are
	// node's byte for byte.
	resp, _ = visit("node creates", nodeURL, "", 201, 1)
	resp, _ = visit("demo continues node's", goURL, cookiePairs(resp), 200, 2)
	second := cookiePairs(resp)
	resp, nodeBody := visit("node continues the demo's", nodeURL, second, 200, 3)
	nodeThird := resp.Header.Values("Set-Cookie")
	resp, goBody := visit("demo from the same cookies", goURL, second, 200, 3)
	if got := resp.Header.Values("Set-Cookie"); strings.Join(got, "\n") != strings.Join(nodeThird, "\n") || goBody != nodeBody {
		t.Fatalf("same input cookies, different answers:\ndemo %q %s\nnode %q %s", got, goBody, nodeThird, nodeBody)
	}

	// A cookie signed with the old key only is accepted by both.
	oldSigned := "session=eyJzaWQiOjcsInZpc2l0Q291bnQiOjEwfQ==; session.sig=" + mustKeygrip("old").Sign("session=eyJzaWQiOjcsInZpc2l0Q291bnQiOjEwfQ==")
	visit("node, old key", nodeURL, oldSigned, 200, 11)
	visit("demo, old key", goURL, oldSigned, 200, 11)
	// Tampered: both start afresh.
	tampered := "session=eyJzaWQiOjcsInZpc2l0Q291bnQiOjk5fQ==; session.sig=" + mustKeygrip("new").Sign("session=eyJzaWQiOjcsInZpc2l0Q291bnQiOjEwfQ==")
	visit("node, tampered", nodeURL, tampered, 201, 1)
	visit("demo, tampered", goURL, tampered, 201, 1)
}

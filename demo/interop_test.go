package demo

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sessctl/sessctl/cookie"
	"github.com/sessctl/sessctl/internal/testenv"
)

// TestCookieSignatureInterop proves the demo's cookie is the npm
// cookie-signature's in both directions: the real package verifies a cookie
// the demo set, and the demo accepts a cookie the real package signed.
func TestCookieSignatureInterop(t *testing.T) {
	testenv.Interop(t)
	const secret = "sessionTesting"
	store := NewMemoryStore()
	srv := httptest.NewServer(NewHandler(Options{Secrets: [][]byte{[]byte(secret)}, Store: store}))
	defer srv.Close()

	status, ck, _ := get(t, srv.Client(), srv.URL+"/", "")
	if status != 201 {
		t.Fatalf("first visit: %d", status)
	}
	raw := cookie.DecodeCookieValue(ck) // s:<id>.<sig>
	out := testenv.Node(t, "cookie-signature.js", "unsign", strings.TrimPrefix(raw, "s:"), secret)
	id := strings.TrimSpace(out)
	if len(id) != 32 {
		t.Fatalf("cookie-signature unsign(%q) = %q, want the 32-char session id", raw, out)
	}

	// The other way: an id signed by cookie-signature, URL-encoded as
	// express-session does, continues a session the store holds.
	const nodeID = "signed-by-node-cookie-signature"
	store.Create(t.Context(), nodeID, Session{SID: 42, VisitCount: 5})
	signed := strings.TrimSpace(testenv.Node(t, "cookie-signature.js", "sign", nodeID, secret))
	status, _, body := get(t, srv.Client(), srv.URL+"/", cookie.EncodeURIComponent("s:"+signed))
	if status != 200 || *body.VisitCount != 6 || *body.SID != 42 {
		t.Fatalf("cookie signed by node: %d %+v", status, body)
	}
	// And raw, not URL-encoded, as some clients send it.
	status, _, body = get(t, srv.Client(), srv.URL+"/", "s:"+signed)
	if status != 200 || *body.VisitCount != 7 {
		t.Fatalf("raw cookie signed by node: %d %+v", status, body)
	}
	// A cookie signed with another secret is not accepted by node either.
	if out := testenv.NodeFails(t, "cookie-signature.js", "unsign", strings.TrimPrefix(raw, "s:"), "other"); strings.TrimSpace(out) != "false" {
		t.Fatalf("cookie-signature accepted the demo cookie under another secret: %q", out)
	}
}

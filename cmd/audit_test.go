package cmd

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/sessctl/sessctl/report"
)

// TestAuditFlags: audit's flags reach the audit's Config; without URL the
// embedded demo's flows are filled in.
func TestAuditFlags(t *testing.T) {
	var got *auditOptions
	streams, _, _, _ := report.Test()
	c := newAuditCmd(streams, func(_ context.Context, o *auditOptions) error { got = o; return nil })
	c.SetArgs([]string{"-H", "X-Test: 1", "-H", "x-test: 2", "-H", "Accept:  text/html ", "--samples", "0", "--fail-on", "low"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	if h := got.Header; !slices.Equal(h["X-Test"], []string{"1", "2"}) || h.Get("Accept") != "text/html" || len(h) != 2 {
		t.Errorf("header %v, want X-Test 1 and 2, Accept text/html", h)
	}
	if got.Samples != -1 || got.FailOn != "low" || got.URL != "" {
		t.Errorf("samples %d, fail-on %q, URL %q; want -1 (skip), low, none", got.Samples, got.FailOn, got.URL)
	}
	if got.Login != "POST /login" || got.LoginData != "user=audit" || got.Logout != "POST /logout" || got.Authed != "GET /me" {
		t.Errorf("flows %q %q %q %q, want the embedded demo's", got.Login, got.LoginData, got.Logout, got.Authed)
	}
}

func TestAuditBadHeader(t *testing.T) {
	streams, _, _, _ := report.Test()
	c := newAuditCmd(streams, func(context.Context, *auditOptions) error { return nil })
	c.SetArgs([]string{"-H", "no colon"})
	var ue *usageError
	if err := c.Execute(); !errors.As(err, &ue) || err.Error() != `-H "no colon": want "Name: value"` {
		t.Errorf("error %v, want the usage error of -H", err)
	}
}

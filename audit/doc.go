// Package audit is sessctl audit's engine: a session security audit of a
// live app from outside. Run visits the app with the visit client and its
// jar (client), collects fresh session tokens and loads a shared session
// with the bench engine (client/bench), decodes every session cookie with
// decode's formats and wordlist search (cookie), and returns a Result: the
// Findings, each with its severity, evidence, references (OWASP WSTG, CWE)
// and a fix for the framework it detected. It never prints (report/
// renders the Result as text, JSON or SARIF) and it sits at the top level,
// between report/ and client/: report -> audit -> {client, client/bench} ->
// cookie.
//
// One job per file:
//   - config.go: Config, its defaults and checks
//   - result.go: Result, Finding, Severity: the JSON contract
//   - audit.go: Run, the order of the checks
//   - attributes.go: the session cookies' attributes (WSTG-SESS-02)
//   - tokens.go: token collection on keep-alive connections
//   - sequencer.go: token statistics as Burp Sequencer's (WSTG-SESS-01),
//     FIPS 140-2's tests among them
//   - flows.go: fixation, logout and idle timeout (WSTG-SESS-03, -06, -07)
//   - content.go: what the cookies carry and how long they live
//   - load.go: the lost-update check
//   - fixes.go: the framework detected and its fix for each finding
package audit

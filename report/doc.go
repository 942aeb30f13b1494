// Package report owns every byte a person or a script reads from sessctl:
// the lipgloss text views, the JSON documents, bench's HTML report, and
// progress on stderr.
//
// The engines (client, cookie, demo) return plain data; the functions here
// render it. Text layouts may change between releases; they share one
// stylesheet (styles.go), one label column and one set of formatters
// (format.go), and colour only when stdout is a terminal and NO_COLOR is
// unset. Whatever came from outside (bodies, headers, cookies, URLs, error
// texts) is printed through one escape (escape.go), so that no control byte
// a server sent reaches the terminal.
//
// The JSON documents are a contract: snake_case field names, units in the
// names (latency_ms, throughput_rps, duration_ms), times in RFC 3339. Each
// is one document on stdout, indented by two spaces, with <, > and & written
// as they are, DEL and the C1 controls written as \u escapes, ending in a
// newline (json.go writes them all); visit's -o jsonl writes one object a
// line instead. Each command's document is described next to its renderer
// (VisitJSON, DecodeJSON, BenchJSON, BenchSessionJSON, Signed, AuditJSON;
// AuditSARIF writes SARIF 2.1.0) and in the README.
//
// BenchHTML writes bench's HTML report: one self-contained page (inline
// SVG charts laid out in svg.go, CSS, no script, nothing fetched) written
// through html/template, so that every text from outside is escaped there,
// after escape, and cut to a bounded length.
package report

// Package report owns every byte a person or a script reads from sessctl:
// the lipgloss text views, the JSON documents, and progress on stderr.
//
// The engines (client, cookie, demo) return plain data; the functions here
// render it. Text layouts may change between releases; the JSON documents are
// a contract: snake_case field names, units in the names (latency_ms,
// throughput_rps), times in RFC 3339. Each command's JSON is documented next
// to its renderer and in the README.
package report

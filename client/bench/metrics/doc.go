// Package metrics serves a bench run's live figures (bench.Live) as
// Prometheus metrics, for `sessctl bench --metrics-addr`: Collector turns
// a snapshot into metrics at each scrape, so the run's hot loop pays
// nothing for them, and Server serves them on /metrics.
//
// One job per file:
//   - collector.go: the metrics, their names and labels
//   - server.go: the HTTP server on /metrics
package metrics

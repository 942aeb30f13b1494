package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sessctl/sessctl/client/bench"
)

// LatencyBuckets are the upper bounds, in seconds, of the latency
// histogram's buckets: 100 µs to a minute.
var LatencyBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
	0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// Names of the metrics; every one starts with sessctl_bench_.
const (
	NameInfo        = "sessctl_bench_info"
	NameRequests    = "sessctl_bench_requests_total"
	NameSuccesses   = "sessctl_bench_successes_total"
	NameErrors      = "sessctl_bench_errors_total"
	NameLatency     = "sessctl_bench_latency_seconds"
	NameChecked     = "sessctl_bench_checked_total"
	NameAnomalies   = "sessctl_bench_anomalies_total"
	NameLostUpdates = "sessctl_bench_lost_updates"
	NameElapsed     = "sessctl_bench_elapsed_seconds"
	NameFinished    = "sessctl_bench_finished"
)

// Collector is a prometheus.Collector of a bench run's Live figures,
// read at each scrape.
type Collector struct {
	live *bench.Live

	info, requests, successes, errors, latency, checked, anomalies, lost, elapsed, finished *prometheus.Desc
}

// NewCollector returns the Collector of live.
func NewCollector(live *bench.Live) *Collector {
	return &Collector{
		live: live,
		info: prometheus.NewDesc(NameInfo, "The bench run in its labels: engine, consistency mode, number of URLs and of connections; the value is always 1.",
			[]string{"engine", "mode", "urls", "connections"}, nil),
		requests: prometheus.NewDesc(NameRequests, "Requests sent or tried, by the class of their response's status (2xx, 4xx, ...; none: no complete response).",
			[]string{"code"}, nil),
		successes: prometheus.NewDesc(NameSuccesses, "2xx responses whose session counter could be read (any 2xx when the counter is not checked).", nil, nil),
		errors: prometheus.NewDesc(NameErrors, "Failed requests by class: connect, timeout, closed, protocol, no_counter, unfinished, status_4xx, status_5xx, ...",
			[]string{"class"}, nil),
		latency: prometheus.NewDesc(NameLatency, "Latency of the complete responses, from the intended send time with --rate (updated once a second).", nil, nil),
		checked: prometheus.NewDesc(NameChecked, "Responses whose session counter was checked.", nil, nil),
		anomalies: prometheus.NewDesc(NameAnomalies, "Anomalies of the session counter by kind: gaps, repeats, regressions, resets, id_changes, duplicates.",
			[]string{"kind"}, nil),
		lost:     prometheus.NewDesc(NameLostUpdates, "Lost updates of the shared session, known after the final probe at the end of the run only.", nil, nil),
		elapsed:  prometheus.NewDesc(NameElapsed, "Time since the start of the load.", nil, nil),
		finished: prometheus.NewDesc(NameFinished, "1 once the run has ended and the figures are its result's, 0 before.", nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.info, c.requests, c.successes, c.errors, c.latency, c.checked, c.anomalies, c.lost, c.elapsed, c.finished} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	s := c.live.Snapshot()
	if !s.Started {
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge(c.info, 1, s.Engine, s.Mode, strconv.Itoa(s.URLs), strconv.Itoa(s.Connections))
	answered := int64(0)
	for code, n := range s.Responses {
		counter(c.requests, n, code)
		answered += n
	}
	counter(c.requests, s.Requests-answered, "none")
	counter(c.successes, s.Successes)
	for class, n := range s.ErrorsByClass {
		counter(c.errors, n, class)
	}
	counter(c.checked, s.Checked)
	for kind, n := range map[string]int64{"gaps": s.Gaps, "repeats": s.Repeats, "regressions": s.Regressions,
		"resets": s.Resets, "id_changes": s.IDChanges, "duplicates": s.Duplicates} {
		counter(c.anomalies, n, kind)
	}
	if s.LostKnown {
		gauge(c.lost, float64(s.LostUpdates))
	}
	gauge(c.elapsed, s.Elapsed.Seconds())
	finished := 0.0
	if s.Final {
		finished = 1
	}
	gauge(c.finished, finished)

	bounds := make([]time.Duration, len(LatencyBuckets))
	for i, b := range LatencyBuckets {
		bounds[i] = time.Duration(b * float64(time.Second))
	}
	n, sum, cum := c.live.LatencyBuckets(bounds)
	buckets := make(map[float64]uint64, len(LatencyBuckets))
	for i, b := range LatencyBuckets {
		buckets[b] = uint64(cum[i])
	}
	ch <- prometheus.MustNewConstHistogram(c.latency, uint64(n), sum.Seconds(), buckets)
}

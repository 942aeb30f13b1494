package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sessctl/sessctl/client"
	"github.com/sessctl/sessctl/client/bench"
	"github.com/sessctl/sessctl/client/bench/metrics"
	"github.com/sessctl/sessctl/demo"
	"github.com/sessctl/sessctl/report"
)

type benchOptions struct {
	// Config is the run, its defaults and checks the engine's; no URLs
	// benches an embedded demo server.
	bench.Config
	Output string
	// HTML is the file the HTML report is written to (--html), whatever
	// -o prints.
	HTML string
	// LatencySpectrum prints the full percentile distribution after the
	// text view (--latency-spectrum).
	LatencySpectrum bool
	// CreateSessionOnly makes the shared session, writes it to Jar and
	// sends no load (--create-session-only): the first step of a
	// shared-mode test run by several agents.
	CreateSessionOnly bool
	// MetricsAddr is the host:port where the run serves Prometheus
	// metrics on /metrics while it lasts (--metrics-addr); empty: none.
	MetricsAddr string
	// Result is where to write the mergeable result file (--result); ""
	// writes none.
	Result string
}

func newBenchCmd(streams *report.Streams, runF func(context.Context, *benchOptions) error) *cobra.Command {
	opts := &benchOptions{}
	var headers []string
	var data, maxErrors, segment, startAt string
	c := &cobra.Command{
		Use:   "bench [URL ...]",
		Short: "Load an endpoint and check the session counter stays consistent",
		Long: `bench sends requests to URL from -c concurrent keep-alive connections, for -n
requests or -d duration (10s when neither is given), and checks the session
counter each response carries (the JSON field --counter, visitCount by default).
Several URLs are taken round-robin: several instances of one app behind one store.

Per-session mode (the default): --sessions virtual users (one per connection by
default), each with its own cookies; creating its session is its first request.
A user's requests are sequential, so its counter must read 1, 2, 3, ...; gaps,
repeats, regressions, resets (a fresh session where the old one should continue)
and changes of the id (--id, sid by default) are reported.

--shared: one session is created first and every request carries it: the final
counter minus the initial one must equal the successful responses. Lost updates
(count and %) and duplicates (two responses with the same counter) are reported:
what a load-modify-save session store does under concurrent requests. A new
session is a 201 or a cookie with another id, not a new cookie value: a session
that lives in the cookie (Flask, cookie-session, koa-session, ...) is re-issued
by every response, and on one shared cookie every concurrent update but the last
writer's is lost, by design; bench says so. --jar FILE continues the session of
a visit or curl jar that way (the jar is read, never written).

--create-session-only --jar FILE makes the shared session with one request,
writes its cookies to the cookies.txt jar FILE (locked and atomically, as visit
saves it), prints the session cookie and its initial counter, and sends no load
(-n, -c, -d, --rate and the thresholds are ignored): agents on several machines
then each run bench --shared --jar FILE --segment I/N on that one session.

--engine: epoll (the default for plain http on Linux) runs the load on event
loops, one per --threads OS thread, over non-blocking sockets, as wrk does;
goroutine (the default for https, other systems and the embedded server) runs
a goroutine per connection. Both make the same checks and the same results.

--rate R sends R requests/s in all (an open model, as wrk2); latency then counts
from each request's intended send time, so a stalled server is not hidden.

Failures are counted by class, status and URL. At the end of -d, requests in
flight get 2s (or --timeout) to be answered; those that are not are failures
(unfinished), and a target that answered nothing meanwhile is named as stopped.
Thresholds, as k6's: --max-errors N or P% (default 0: no failed request),
--max-p99 D, --max-p50 D; each is shown as a line that holds or fails.

As in wrk and hey, -d is the duration; the request body is --data (curl's -d).
Cookies are kept per virtual user as a load test needs them (name=value, path,
Max-Age/Expires), all URLs counting as one origin; a -H 'Cookie: ...' header
seeds every user's cookies (with a session cookie only in --shared). Without
URL, bench starts the embedded demo server (serve-demo) on a free loopback port
and loads it.

-o html prints the HTML report instead of the text view: one self-contained
file (inline SVG and CSS, nothing fetched from the network) with the latency
percentile spectrum, requests, latency percentiles and errors by class second
by second, the consistency verdict with its figures and the run's summary.
--html FILE writes that report to FILE (atomically, through a symlink to its
target) while -o prints what it prints. 'sessctl bench report a.json b.json'
shows saved -o json results side by side.

From several machines: --segment I/N runs this agent's share of the test (of -c,
--sessions, -n and --rate), --start-at TIME begins its load then (in --shared
mode after its first probe of the counter), and --result FILE also writes a
mergeable result; 'sessctl bench merge FILE...' prints the report of the whole
test from the agents' files.

Exit status: 0 CONSISTENT (or not checked: --counter '') with every threshold
held; 1 INCONSISTENT or a threshold failed; 2 when the run could not start,
nothing succeeded, or the target went away or stopped answering mid-run (the
run stops then, within --timeout, and reports what it measured); 130 when
interrupted.`,
		Example: `  sessctl bench -n 20000 -c 100
  sessctl bench -n 20000 -c 100 --shared
  sessctl bench http://127.0.0.1:3000/ -d 30s -c 50 --sessions 1000
  sessctl bench http://127.0.0.1:3001/ http://127.0.0.1:3002/ --shared -n 5000
  sessctl bench http://127.0.0.1:3000/ --rate 2000 -d 1m --max-p99 50ms --max-errors 0.1% -o json | jq .thresholds
  sessctl bench http://127.0.0.1:3000/ --jar cookies.txt -n 500   # the session a visit left in cookies.txt
  sessctl bench http://127.0.0.1:3000/ --shared --create-session-only --jar shared.txt   # then, on each of 3 agents:
  sessctl bench http://127.0.0.1:3000/ --shared --jar shared.txt -n 30000 -c 48 --segment 0/3
  sessctl bench http://127.0.0.1:3000/ -d 30s --html report.html   # the text view, and the HTML report in report.html
  sessctl bench https://app.test/api/count -k --counter data.visits --id data.user.id -H 'Accept: application/json'
  sessctl bench http://10.0.0.5:3000/ -n 90000 -c 300 --segment 1/3 --start-at 2026-12-01T13:00:00Z --result agent1.json`,
		// URLs, not subcommands, beside report: cobra would take an
		// unknown word for a mistyped subcommand.
		Args: cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.URLs, err = parseURLArgs(args); err != nil {
				return err
			}
			if err := checkBenchOutput(opts.Output); err != nil {
				return err
			}
			if opts.Header, err = parseHeaderLines(headers); err != nil {
				return &usageError{err}
			}
			if c.Flags().Changed("data") {
				if opts.Body, err = readFormData(data, streams.In); err != nil {
					return err
				}
				if opts.Method == "" {
					opts.Method = "POST" // as curl -d
				}
			}
			if maxErrors != "" {
				if opts.Thresholds.MaxErrors, err = bench.ParseErrorLimit(maxErrors); err != nil {
					return &usageError{fmt.Errorf("--max-errors: %w", err)}
				}
			}
			if segment != "" {
				if opts.Segment, err = bench.ParseSegment(segment); err != nil {
					return &usageError{fmt.Errorf("--segment: %w", err)}
				}
			}
			if startAt != "" {
				if opts.StartAt, err = time.Parse(time.RFC3339, startAt); err != nil {
					return &usageError{fmt.Errorf("--start-at %q: want an RFC 3339 time (2026-12-01T11:00:00Z)", startAt)}
				}
			}
			if opts.Jar != "" && len(opts.URLs) == 0 {
				return &usageError{errors.New("--jar needs the URL of the session it continues")}
			}
			if opts.CreateSessionOnly {
				switch {
				case opts.Jar == "" || opts.Jar == "-":
					return &usageError{errors.New("--create-session-only needs --jar FILE, the cookies.txt file the agents read the session from")}
				case segment != "" || startAt != "":
					return &usageError{errors.New("--create-session-only sends no load: --segment and --start-at are for the agents that continue the session")}
				case opts.Result != "":
					return &usageError{errors.New("--create-session-only sends no load: --result is for the agents that continue the session")}
				}
			}
			if opts.MetricsAddr != "" {
				if opts.CreateSessionOnly {
					return &usageError{errors.New("--create-session-only sends no load: --metrics-addr is for the agents that run it")}
				}
				if _, _, err := net.SplitHostPort(opts.MetricsAddr); err != nil {
					return &usageError{fmt.Errorf("--metrics-addr %q: want HOST:PORT (127.0.0.1:9464): %w", opts.MetricsAddr, err)}
				}
			}
			// Before the run, not after it: a run's figures lost to a
			// typo in a folder's name cannot be had back.
			for _, f := range [][2]string{{"--result", opts.Result}, {"--html", opts.HTML}} {
				if f[1] == "" {
					continue
				}
				if err := client.CheckWriteFile(f[1]); err != nil {
					return &usageError{fmt.Errorf("%s %s: %w", f[0], f[1], err)}
				}
			}
			if c.Flags().Changed("timeout") && opts.Timeout == 0 {
				opts.Timeout = bench.NoTimeout // 0 is "none", as for visit and curl
			}
			if err := opts.Config.Validate(); err != nil {
				switch {
				case errors.Is(err, bench.ErrSessionCookieHeader):
					err = fmt.Errorf("%w (--shared)", err)
				case errors.Is(err, bench.ErrSharedSegmentSession):
					err = fmt.Errorf("%w: make it once with --shared --create-session-only --jar FILE, then give every agent --jar FILE", err)
				}
				return &usageError{fmt.Errorf("bench: %w", err)}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runBench(c.Context(), streams, opts)
		},
	}
	f := c.Flags()
	f.IntVarP(&opts.Concurrency, "connections", "c", bench.DefaultConcurrency, "concurrent workers, each with one keep-alive connection per URL")
	f.Int64VarP(&opts.Requests, "requests", "n", 0, "total requests (0: bound by -d only)")
	f.DurationVarP(&opts.Duration, "duration", "d", 0, "how long to run, as wrk/hey (default 10s when -n is not given; with both, whichever ends first)")
	f.Float64Var(&opts.Rate, "rate", 0, "requests per second in all, an open model with latency from the intended send time (0: as fast as answered)")
	f.DurationVar(&opts.Timeout, "timeout", bench.DefaultTimeout, "limit for each request, connect included; the run stops when nothing succeeds this long while requests fail (0: no timeout, as visit)")
	f.StringArrayVarP(&headers, "header", "H", nil, `request header "Name: value" (repeatable); a Cookie header seeds every user's cookies (a session cookie only with --shared)`)
	f.StringVarP(&opts.Method, "method", "X", "", "request method (default GET, POST with --data)")
	f.StringVar(&data, "data", "", "request body; @FILE reads FILE, @- stdin (CR and LF dropped, as curl -d); -d is the duration")
	f.IntVar(&opts.Sessions, "sessions", 0, "virtual users, each with its own cookies and session (default: one per connection)")
	f.BoolVar(&opts.Shared, "shared", false, "every request carries one session: the lost-update test")
	f.StringVar(&opts.CounterPath, "counter", bench.DefaultCounterPath, "JSON path of the session counter in the body, dots for nesting ('' : no check)")
	f.StringVar(&opts.IDPath, "id", bench.DefaultIDPath, "JSON path of the session's id in the body ('' : not checked)")
	f.StringVar(&opts.Jar, "jar", "", "continue the session of a visit or curl cookies.txt jar, in shared mode (read, never written; written by --create-session-only)")
	f.BoolVar(&opts.CreateSessionOnly, "create-session-only", false, "make the shared session, write it to --jar FILE and send no load: the agents of a shared test continue it with --jar FILE")
	f.StringVar(&maxErrors, "max-errors", "0", "threshold: failed requests allowed, a count or a percentage (5%); more exits 1")
	f.DurationVar(&opts.Thresholds.MaxP99, "max-p99", 0, "threshold: the highest p99 latency allowed (0: none); above it exits 1")
	f.DurationVar(&opts.Thresholds.MaxP50, "max-p50", 0, "threshold: the highest median latency allowed (0: none); above it exits 1")
	f.StringVar(&segment, "segment", "", "run this agent's share of the test: I/N (0/3) or FROM:TO (0:1/3) of -c, --sessions, -n and --rate")
	f.StringVar(&startAt, "start-at", "", "begin the load at this RFC 3339 time, so that agents begin together (--shared: after the first probe)")
	f.StringVar(&opts.Result, "result", "", "also write a mergeable result to `FILE` (bench merge reads it), atomically")
	f.StringVar(&opts.TestID, "test-id", "", "the test's `ID` in the --result file (default: a hash of the settings that define the whole test)")
	f.BoolVarP(&opts.Insecure, "insecure", "k", false, "do not verify TLS certificates")
	f.StringVarP(&opts.Output, "output", "o", "table", "output format: table, json, or html (the HTML report on stdout)")
	completeValues(c, "output", "table", "json", "html")
	f.StringVar(&opts.HTML, "html", "", "also write the HTML report (charts and verdict, one self-contained file) to `FILE`, atomically")
	f.BoolVar(&opts.LatencySpectrum, "latency-spectrum", false, "print the full latency percentile distribution after the results, in HdrHistogram's text format (as wrk2 --latency; always in -o json)")
	f.IntVarP(&opts.Threads, "threads", "t", 0, "OS threads running the load (GOMAXPROCS, and the epoll engine's event loops); default all the CPUs, but half for the goroutine engine on a loopback target")
	f.StringVar(&opts.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics at http://`ADDR`/metrics while the run lasts (e.g. 127.0.0.1:9464; the address is used as given)")
	f.StringVar(&opts.Engine, "engine", bench.EngineAuto, "load engine: auto (epoll for plain http on Linux, else goroutine), epoll or goroutine")
	completeValues(c, "engine", bench.EngineAuto, bench.EngineEpoll, bench.EngineGoroutine)
	c.AddCommand(newBenchReportCmd(streams, nil))
	c.AddCommand(newBenchMergeCmd(streams, nil))
	return c
}

func runBench(ctx context.Context, streams *report.Streams, opts *benchOptions) error {
	if opts.CreateSessionOnly {
		return runBenchCreateSession(ctx, streams, opts)
	}
	cfg := opts.Config
	if opts.MetricsAddr != "" {
		cfg.Live = bench.NewLive()
		ms, err := metrics.Listen(opts.MetricsAddr, cfg.Live)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer ms.Close()
		report.BenchMetricsServing(streams, ms.URL())
	}
	urls := opts.URLs
	if len(urls) == 0 {
		srv, err := demo.Open("", demo.Options{})
		if err != nil {
			return fmt.Errorf("start the embedded demo server: %w", err)
		}
		defer srv.Close()
		urls = []string{srv.URL()}
	}
	if len(opts.URLs) == 0 && cfg.Engine == bench.EngineAuto {
		// The embedded server runs in this process: event loops that hold
		// their threads would keep its goroutines waiting.
		cfg.Engine = bench.EngineGoroutine
	}
	cfg.URLs = urls
	// Threads is also the run's GOMAXPROCS; 0 picks it (see bench.ThreadsFor).
	n := bench.ThreadsFor(opts.Threads, opts.URLs, bench.EngineFor(cfg))
	if n != runtime.GOMAXPROCS(0) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	}
	cfg.Threads = n
	progress := report.NewProgressLine(streams)
	cfg.Progress = progress.Func()
	res, err := bench.Run(ctx, cfg)
	progress.Clear()
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if opts.Result != "" {
		f, err := res.File(versionLine(version()))
		if err == nil {
			err = f.Write(opts.Result)
		}
		if err != nil {
			return fmt.Errorf("bench --result: %w", err)
		}
	}
	if err := writeBenchReport(streams, opts.Output, opts.HTML, opts.LatencySpectrum, res); err != nil {
		return err
	}
	return benchOutcome(ctx, res)
}

// checkBenchOutput is the -o check of bench and bench merge, which print
// through writeBenchReport: table, json or html.
func checkBenchOutput(output string) error {
	return checkOutput(output, "table", "json", "html")
}

// writeBenchReport prints res as bench and bench merge do: output is
// table, json or html; htmlFile, when set, also gets the HTML report;
// spectrum adds the percentile table to the text view.
func writeBenchReport(streams *report.Streams, output, htmlFile string, spectrum bool, res *bench.Result) error {
	if htmlFile != "" {
		if err := report.WriteBenchHTMLFile(htmlFile, benchRuns(res)); err != nil {
			return err
		}
	}
	var err error
	switch output {
	case "json":
		err = report.BenchJSON(streams, res)
	case "html":
		err = report.BenchHTML(streams.Out, benchRuns(res))
	default:
		err = report.BenchText(streams, res)
		if err == nil && spectrum {
			err = report.BenchSpectrum(streams, res)
		}
	}
	if err != nil {
		return fmt.Errorf("write the result: %w", err)
	}
	return nil
}

// runBenchCreateSession makes the shared session of a test that agents
// run, and stores it in opts.Jar for them.
func runBenchCreateSession(ctx context.Context, streams *report.Streams, opts *benchOptions) error {
	sess, err := bench.CreateSession(ctx, opts.Config)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	u, err := url.Parse(sess.URL)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := client.StoreSession(opts.Jar, u, sess.SetCookies); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if opts.Output == "json" {
		err = report.BenchSessionJSON(streams, opts.Jar, sess)
	} else {
		err = report.BenchSessionText(streams, opts.Jar, sess)
	}
	if err != nil {
		return fmt.Errorf("write the result: %w", err)
	}
	return nil
}

// benchRuns is a run just made as the HTML report's one run, labelled by
// its URLs.
func benchRuns(res *bench.Result) []report.BenchRun {
	return []report.BenchRun{{Label: strings.Join(res.URLs, " "), Result: res}}
}

// benchOutcome maps a finished run to its exit: trouble (2) when the target
// went away, stopped answering or nothing succeeded; 1 when the counter was
// inconsistent or a threshold failed.
func benchOutcome(ctx context.Context, res *bench.Result) error {
	c := res.Consistency
	switch {
	case res.Interrupted:
		return context.Cause(ctx)
	case res.Aborted != "":
		return fmt.Errorf("bench stopped: %s", res.Aborted)
	case res.Stalled != "":
		return fmt.Errorf("bench: %s", res.Stalled)
	case res.Successes == 0:
		return fmt.Errorf("bench: none of %d requests succeeded%s", res.Requests, benchWhy(res))
	}
	var parts []string
	if c.Verdict == bench.VerdictInconsistent {
		var counts []string
		add := func(n int64, what string) {
			if n > 0 {
				counts = append(counts, fmt.Sprintf("%d %s", n, what))
			}
		}
		if c.LostUpdates > 0 {
			counts = append(counts, fmt.Sprintf("%d lost updates (%.1f%%)", c.LostUpdates, c.LostUpdatesPct))
		}
		add(c.Duplicates, "duplicates")
		add(c.Gaps, "gaps")
		add(c.Repeats, "repeats")
		add(c.Regressions, "regressions")
		add(c.Resets, "resets")
		add(c.IDChanges, "id changes")
		parts = append(parts, "session counter INCONSISTENT: "+strings.Join(counts, ", "))
	}
	for _, t := range res.ThresholdsFailed() {
		parts = append(parts, fmt.Sprintf("threshold %s %s failed: %s", t.Name, t.Limit, t.Value))
	}
	if len(parts) > 0 {
		return &CheckFailedError{Msg: strings.Join(parts, "; ")}
	}
	return nil
}

// benchWhy says what happened to a run where nothing succeeded: its most
// frequent failure and that failure's sample; "" when nothing was tried.
func benchWhy(res *bench.Result) string {
	top, n := "", int64(0)
	for k, v := range res.Errors {
		if v > n || v == n && k < top {
			top, n = k, v
		}
	}
	if top == "" {
		return ""
	}
	return fmt.Sprintf(": %d %s (%s)", n, top, res.ErrorSamples[top])
}

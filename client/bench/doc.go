// Package bench is sessctl's load engine: Run sends the requests a Config
// describes from keep-alive connections and checks the session counter
// each response carries, returning a Result; it never prints (report/
// renders it).
//
// One job per file:
//   - config.go: Config, its defaults (withDefaults) and checks (Validate)
//   - run.go: Run, the engine's setup, watchdog, progress and aggregation
//   - engine.go: the engines (EngineFor) and the loader interface between
//     them and the run; the goroutine engine's loader
//   - worker.go: a worker: its requests planned one after another, their
//     outcomes counted and checked (both engines), and the goroutine
//     engine's loop on net.Conn
//   - epoll_linux.go: the epoll engine: event loops on non-blocking sockets
//     (epoll_other.go: none elsewhere)
//   - histsink.go: where the workers' latencies go (the run's and each
//     second's HDR histogram) without a lock per request
//   - series.go: the run second by second (rates, errors by class,
//     latency percentiles), sampled by the watchdog
//   - live.go: Live, the figures of a run in progress for a reader
//     outside it (metrics/ serves them to Prometheus)
//   - user.go: a virtual user, its requests and cookies
//   - cookies.go: where a virtual user keeps its cookies
//   - wire.go: request bytes, the read buffer and the incremental HTTP/1.1
//     response parser both engines use
//   - checker.go: where a session counter is checked (no I/O: it is fed
//     observations, so any engine can use it)
//   - jsonscan.go: the JSON path scanner that reads the counter and id
//   - result.go: the result types, a JSON contract
//   - resultfile.go: the result file an agent writes (--result), its
//     format (documented there) and its checked reading
//   - merge.go: Merge, the whole test's Result from its agents' files,
//     and the shared mode's formulas across agents
package bench

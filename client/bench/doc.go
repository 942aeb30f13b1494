// Package bench is sessctl's load engine: Run sends the requests a Config
// describes from keep-alive connections and checks the session counter
// each response carries, returning a Result; it never prints (report/
// renders it).
//
// One job per file:
//   - config.go: Config, its defaults (WithDefaults) and checks (Validate)
//   - run.go: Run, the engine's setup, watchdog, progress and aggregation
//   - worker.go: a worker's loop, one request after another on its connections
//   - user.go: a virtual user, its requests and cookies
//   - cookies.go: where a virtual user keeps its cookies
//   - wire.go: request bytes and HTTP/1.1 response parsing
//   - checker.go: where a session counter is checked (no I/O: it is fed
//     observations, so any engine can use it)
//   - jsonscan.go: the JSON path scanner that reads the counter and id
//   - result.go: the result types, a JSON contract
package bench

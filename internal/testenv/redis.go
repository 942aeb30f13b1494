package testenv

import (
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// Redis is a redis-server of one test's own on a free loopback port, with
// its append-only file in a temporary folder so that Restart keeps the data.
// Cleanup kills it.
type Redis struct {
	// Addr is host:port.
	Addr string
	// Dir holds the server's files (appendonly, nodes.conf).
	Dir  string
	t    testing.TB
	path string
	args []string
	cmd  *exec.Cmd
}

// StartRedis starts a redis-server for t and waits until it answers; args
// are extra redis-server options (later ones win). Without redis-server t is
// skipped, or fails under CI.
func StartRedis(t testing.TB, args ...string) *Redis {
	t.Helper()
	r := &Redis{Addr: FreeAddr(t), Dir: t.TempDir(), t: t, path: Command(t, "redis-server"), args: args}
	r.Start()
	return r
}

// URL returns redis://ADDR/0.
func (r *Redis) URL() string { return "redis://" + r.Addr + "/0" }

// Port returns the port alone.
func (r *Redis) Port() string {
	_, port, _ := net.SplitHostPort(r.Addr)
	return port
}

// Start starts the server (again, after Stop or Kill) on the same port and
// folder and waits until it accepts connections.
func (r *Redis) Start() {
	r.t.Helper()
	args := append([]string{"--bind", "127.0.0.1", "--port", r.Port(), "--save", "", "--appendonly", "yes",
		"--appendfsync", "everysec", "--dir", r.Dir, "--daemonize", "no", "--logfile", "redis.log"}, r.args...)
	c := exec.Command(r.path, args...)
	c.Dir = r.Dir
	if err := c.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.cmd = c
	r.t.Cleanup(func() {
		if c.ProcessState == nil {
			c.Process.Kill()
			c.Wait()
		}
	})
	WaitListening(r.t, r.Addr, 10*time.Second)
}

// Stop shuts the server down cleanly (SIGINT: the append-only file is
// complete) and waits for it to exit.
func (r *Redis) Stop() {
	r.cmd.Process.Signal(os.Interrupt)
	r.cmd.Wait()
}

// Kill ends the server with SIGKILL, as a crash would, and waits.
func (r *Redis) Kill() {
	r.cmd.Process.Signal(syscall.SIGKILL)
	r.cmd.Wait()
}

// Log returns the server's log file, for a failing test's message.
func (r *Redis) Log() string {
	b, _ := os.ReadFile(r.Dir + "/redis.log")
	return string(b)
}

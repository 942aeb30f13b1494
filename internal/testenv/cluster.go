package testenv

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// StartRedisCluster starts n redis-servers with cluster mode on, makes them
// one cluster of n masters and no replicas (redis-cli --cluster create), and
// waits until every node says cluster_state:ok. Each node fsyncs its
// append-only file before it answers (appendfsync always), so a node killed
// and started again has every write it acknowledged. args are extra
// redis-server options.
func StartRedisCluster(t testing.TB, n int, args ...string) []*Redis {
	t.Helper()
	cli := Command(t, "redis-cli")
	nodes := make([]*Redis, n)
	addrs := make([]string, n)
	for i := range nodes {
		// the bus port on a free port of its own: the default, port+10000,
		// may be taken or past 65535
		_, bus, _ := strings.Cut(FreeAddr(t), ":")
		nodes[i] = StartRedis(t, append([]string{"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
			"--cluster-port", bus, "--cluster-node-timeout", "5000", "--appendfsync", "always"}, args...)...)
		addrs[i] = nodes[i].Addr
	}
	create := exec.Command(cli, append(append([]string{"--cluster", "create"}, addrs...), "--cluster-replicas", "0", "--cluster-yes")...)
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, r := range nodes {
		r.WaitClusterOK()
	}
	return nodes
}

// CLI runs redis-cli against the server and returns its output.
func (r *Redis) CLI(args ...string) string {
	r.t.Helper()
	out, err := exec.Command(Command(r.t, "redis-cli"), append([]string{"-h", "127.0.0.1", "-p", r.Port()}, args...)...).CombinedOutput()
	if err != nil {
		r.t.Fatalf("redis-cli -p %s %v: %v\n%s", r.Port(), args, err, out)
	}
	return string(out)
}

// WaitClusterOK waits up to 30 s until the node says cluster_state:ok.
func (r *Redis) WaitClusterOK() {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		info := r.CLI("cluster", "info")
		if strings.Contains(info, "cluster_state:ok") {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("node %s: no cluster_state:ok after 30 s:\n%s\n%s", r.Addr, info, r.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// StartRedisSentinel starts a Sentinel (redis-server --sentinel) on a free
// loopback port that monitors master under the name name, and waits until it
// names the master. It returns the Sentinel's host:port.
func StartRedisSentinel(t testing.TB, master *Redis, name string) string {
	t.Helper()
	path := Command(t, "redis-server")
	addr, dir := FreeAddr(t), t.TempDir()
	_, port, _ := strings.Cut(addr, ":")
	conf := dir + "/sentinel.conf"
	text := "bind 127.0.0.1\nport " + port + "\ndir " + dir + "\nlogfile sentinel.log\n" +
		"sentinel monitor " + name + " 127.0.0.1 " + master.Port() + " 1\n" +
		"sentinel down-after-milliseconds " + name + " 1000\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	c := exec.Command(path, conf, "--sentinel")
	c.Dir = dir
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	WaitListening(t, addr, 10*time.Second)
	cli := Command(t, "redis-cli")
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, _ := exec.Command(cli, "-p", port, "sentinel", "get-master-addr-by-name", name).CombinedOutput()
		if strings.Contains(string(out), master.Port()) {
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("sentinel %s does not name %s: %s", addr, name, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

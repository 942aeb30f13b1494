package cmd

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sessctl/sessctl/cookie"
	"github.com/sessctl/sessctl/internal/testenv"
)

// TestServeDemoRedisClusterMasterDown: what a three-master Redis Cluster
// (no replicas) does to serve-demo's sessions while one master is down, as
// the README says: at first only the sessions on that master answer 503;
// once the others mark it failed (cluster-node-timeout, 5 s here) every
// session answers 503 (CLUSTERDOWN); when it is back every session
// continues where its last acknowledged visit left it, with no restart of
// serve-demo.
func TestServeDemoRedisClusterMasterDown(t *testing.T) {
	nodes := testenv.StartRedisCluster(t, 3)
	var addrs []string
	for _, n := range nodes {
		addrs = append(addrs, n.Addr)
	}
	p, u := startServeDemo(t, "--store", "redis+cluster://"+strings.Join(addrs, ",")+"/", "--secret", "k")
	c := &http.Client{Timeout: 10 * time.Second}

	// Sessions until every master holds some (a key's slot is a hash of
	// its id: a few dozen are plenty), each with its acknowledged visits.
	type session struct {
		cookie string
		node   int
		acked  int64
	}
	var sessions []*session
	perNode := make([]int, len(nodes))
	for min(perNode[0], perNode[1], perNode[2]) < 4 {
		if len(sessions) == 300 {
			t.Fatalf("300 sessions, per master %v", perNode)
		}
		status, _, ck, err := visitDemo(c, u, "")
		if err != nil || status != 201 {
			t.Fatalf("new session: %d %v", status, err)
		}
		s := &session{cookie: ck, node: -1, acked: 1}
		id := cookie.SessionID(strings.TrimPrefix(ck, "connect.sid="))
		for i, n := range nodes {
			if strings.TrimSpace(n.CLI("exists", "sess:"+id)) == "1" {
				s.node = i
			}
		}
		if s.node < 0 {
			t.Fatalf("session %s is on no master", id)
		}
		perNode[s.node]++
		sessions = append(sessions, s)
	}
	visitAll := func() (ok, unavailable map[int]int) {
		ok, unavailable = map[int]int{}, map[int]int{}
		for _, s := range sessions {
			status, body, _, err := visitDemo(c, u, s.cookie)
			switch {
			case err == nil && status == 200:
				s.acked++
				if body.VisitCount != s.acked {
					t.Errorf("session on master %d: visitCount %d, want %d", s.node, body.VisitCount, s.acked)
					s.acked = body.VisitCount
				}
				ok[s.node]++
			case err == nil && status == 503:
				unavailable[s.node]++
			default:
				t.Fatalf("session on master %d: %d %v", s.node, status, err)
			}
		}
		return ok, unavailable
	}
	clusterState := func(n *testenv.Redis) string {
		for _, l := range strings.Split(n.CLI("cluster", "info"), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), "cluster_state:"); ok {
				return v
			}
		}
		return ""
	}

	down, survivor := nodes[0], nodes[1]
	down.Kill()
	ok, unavailable := visitAll()
	t.Logf("master 0 down: answered %v, unavailable %v; cluster %s", ok, unavailable, clusterState(survivor))
	if ok[0] != 0 || unavailable[0] == 0 {
		t.Errorf("sessions on the killed master: %d answered, %d unavailable; want all unavailable", ok[0], unavailable[0])
	}
	// The others carry on, unless the survivors marked the master failed
	// meanwhile (the round took past the node timeout).
	if clusterState(survivor) == "ok" && (unavailable[1]+unavailable[2] != 0 || ok[1] == 0 || ok[2] == 0) {
		t.Errorf("sessions on the other masters: %v answered, %v unavailable; want all answered", ok, unavailable)
	}

	deadline := time.Now().Add(time.Minute)
	for clusterState(survivor) != "fail" {
		if time.Now().After(deadline) {
			t.Fatalf("the cluster did not mark the master failed:\n%s", survivor.CLI("cluster", "info"))
		}
		time.Sleep(50 * time.Millisecond)
	}
	ok, unavailable = visitAll()
	t.Logf("cluster failed: answered %v, unavailable %v", ok, unavailable)
	if len(ok) != 0 || unavailable[1] == 0 || unavailable[2] == 0 {
		t.Errorf("cluster down: %v answered, %v unavailable; want every session unavailable", ok, unavailable)
	}
	// serve-demo logs the start of an outage once (the cause it gives is
	// that of its first failure: CLUSTERDOWN only when a success came
	// between), and its end when a request succeeds again.
	if !strings.Contains(p.Stderr.(*syncWriter).String(), "session store unavailable") {
		t.Errorf("serve-demo did not log the outage:\n%s", p.Stderr.(*syncWriter).String())
	}

	down.Start()
	for _, n := range nodes {
		n.WaitClusterOK()
	}
	// Each node turns ok on its own: a request may still meet one that has
	// not, for a moment.
	for {
		ok, _ := visitAll()
		if ok[0]+ok[1]+ok[2] == len(sessions) {
			if !strings.Contains(p.Stderr.(*syncWriter).String(), "session store available again") {
				t.Errorf("serve-demo did not log the end of the outage")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the master is back, only %v answered of %d", ok, len(sessions))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

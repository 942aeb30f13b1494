package testenv

import (
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

// Ports FreeAddr hands out lie below the kernel's ephemeral range (Linux's
// ip_local_port_range, 32768 by default; 49152 on BSD and macOS), so that
// no listener on port 0 nor outgoing connection of any process is given one
// between FreeAddr's check and the test's server binding it.
const lowestPort = 10000

// FreeAddr returns a 127.0.0.1 port nothing listens on, as host:port, and
// keeps it for t until t's cleanup: every FreeAddr caller, in this test
// binary or another one running at the same time, gets another port while t
// runs, so a test that hands the port to a server it starts (which binds it
// later) never races a parallel test for it. The hold is a UDP socket on the
// same port number (TCP's ports are apart, so the server's bind is free),
// which the kernel releases if the process dies.
func FreeAddr(t testing.TB) string {
	t.Helper()
	high := ephemeralLow()
	for range 1000 {
		port := lowestPort + rand.IntN(high-lowestPort)
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		// Go sets no SO_REUSEADDR on a unicast UDP socket: a second
		// hold on the port fails, here or in another process.
		hold, err := net.ListenPacket("udp", addr)
		if err != nil {
			continue
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil { // something else listens there
			hold.Close()
			continue
		}
		ln.Close()
		t.Cleanup(func() { hold.Close() })
		return addr
	}
	t.Fatalf("no free 127.0.0.1 port in %d-%d", lowestPort, high-1)
	return ""
}

// ephemeralLow returns the first port of the kernel's ephemeral range.
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768 // not Linux: below every system's default range
	}
	low, err := strconv.Atoi(strings.Fields(string(b) + " x")[0])
	if err != nil || low <= lowestPort+1000 {
		return 32768
	}
	return low
}

package testenv

import (
	"net"
	"strconv"
	"testing"
)

// TestFreeAddrHolds: a port FreeAddr gave is nobody else's while the test
// runs (another FreeAddr, in this process or another, cannot hold it), the
// kernel gives it to no listener on port 0 (it lies below the ephemeral
// range), the server the test starts can bind it, and the test's end frees
// it.
func TestFreeAddrHolds(t *testing.T) {
	var addr string
	t.Run("hold", func(t *testing.T) {
		addr = FreeAddr(t)
		_, p, _ := net.SplitHostPort(addr)
		if port, _ := strconv.Atoi(p); port < lowestPort || port >= ephemeralLow() {
			t.Errorf("port %d, want %d-%d", port, lowestPort, ephemeralLow()-1)
		}
		if c, err := net.ListenPacket("udp", addr); err == nil {
			c.Close()
			t.Fatalf("%s is not held", addr)
		}
		seen := map[string]bool{addr: true}
		for range 200 {
			a := FreeAddr(t)
			if seen[a] {
				t.Fatalf("%s given twice", a)
			}
			seen[a] = true
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("the test's server cannot bind %s: %v", addr, err)
		}
		ln.Close()
	})
	c, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatalf("%s still held after the test: %v", addr, err)
	}
	c.Close()
}

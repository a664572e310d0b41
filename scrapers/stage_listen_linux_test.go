package scrapers

import (
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"
)

// noAcceptBase returns the base URL of a loopback port that completes no
// new connection: a listening socket with a backlog of zero whose one
// queue place is taken and never accepted, so Linux drops further SYNs
// and a connect waits until its timeout.
func noAcceptBase(t *testing.T) string {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	// Fill the queue, then check that a connect now hangs.
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				break
			}
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if i == 8 {
			t.Skip("this kernel completes connections beyond the listen backlog: no connect timeout to test")
		}
	}
	return "http://" + addr
}

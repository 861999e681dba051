package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
)

// listenFDStart is the first file descriptor a supervisor passes under the
// socket-activation protocol (sd_listen_fds(3)).
const listenFDStart = 3

// listen returns the listening socket a supervisor such as systemd passed
// (LISTEN_PID is this process, LISTEN_FDS ≥ 1, the socket at fd 3), or else
// listens on addr itself. A passed socket belongs to the supervisor and
// outlives the server: while one process stops and the next starts, new
// connections wait in its queue instead of being refused.
func listen(addr string, getenv func(string) string) (ln net.Listener, activated bool, err error) {
	n, err := passedSockets(getenv, os.Getpid())
	if err != nil {
		return nil, false, err
	}
	if n == 0 {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return nil, false, fmt.Errorf("listen on %s: %w", addr, err)
		}
		return ln, false, nil
	}
	f := os.NewFile(listenFDStart, "LISTEN_FD_3")
	defer f.Close() // FileListener keeps a duplicate
	ln, err = net.FileListener(f)
	if err != nil {
		return nil, false, fmt.Errorf("socket passed as fd %d (LISTEN_FDS): %w", listenFDStart, err)
	}
	if _, ok := ln.(*net.TCPListener); !ok {
		// Client addresses (rate limits, trusted proxies) come from TCP
		// peers: on a Unix socket every visitor would be one client.
		ln.Close()
		return nil, false, fmt.Errorf("socket passed as fd %d (LISTEN_FDS) is %s, not TCP", listenFDStart, ln.Addr().Network())
	}
	return ln, true, nil
}

// passedSockets reads the socket-activation variables: how many sockets
// were passed to the process pid. Variables meant for another process (an
// inherited LISTEN_PID) count as none.
func passedSockets(getenv func(string) string, pid int) (int, error) {
	fds, forPID := getenv("LISTEN_FDS"), getenv("LISTEN_PID")
	if fds == "" || forPID == "" {
		return 0, nil
	}
	if p, err := strconv.Atoi(forPID); err != nil || p != pid {
		return 0, nil
	}
	n, err := strconv.Atoi(fds)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("LISTEN_FDS %q: want a number of sockets", fds)
	}
	if n > 1 {
		return 0, fmt.Errorf("LISTEN_FDS=%d: the server takes one socket", n)
	}
	return n, nil
}

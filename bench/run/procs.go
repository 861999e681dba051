package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// child is a long-running process the bench started (the site, a baseline).
// It runs in a process group of its own, and gets stopSig should the bench
// die without stopping it.
type child struct {
	name    string
	cmd     *exec.Cmd
	stopSig syscall.Signal
	done    chan struct{}
	waitErr error
	stopped bool
}

// startChild starts cmd with its output in logPath.
func startChild(name string, stopSig syscall.Signal, logPath string, cmd *exec.Cmd) (*child, error) {
	log, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer log.Close() // the child has its own copy
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: stopSig}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, cmd: cmd, stopSig: stopSig, done: make(chan struct{})}
	go func() {
		c.waitErr = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop sends stopSig and waits up to grace for the process to end, then
// kills its whole group. It is safe to call more than once. It reports an
// error when the process had to be killed or did not exit cleanly.
func (c *child) stop(grace time.Duration) error {
	if c.stopped {
		return nil
	}
	c.stopped = true
	if !c.exited() {
		_ = c.cmd.Process.Signal(c.stopSig)
	}
	var err error
	select {
	case <-c.done:
		if c.waitErr != nil && !isSignal(c.waitErr, c.stopSig) {
			err = fmt.Errorf("%s: %w", c.name, c.waitErr)
		}
	case <-time.After(grace):
		err = fmt.Errorf("%s did not stop within %s and was killed", c.name, grace)
	}
	// Whatever is left of the group (nginx workers, say) goes too.
	_ = syscall.Kill(-c.pid(), syscall.SIGKILL)
	<-c.done
	return err
}

// isSignal reports whether err says the process died of sig (nginx's master,
// for one, does not catch SIGTERM into a clean exit).
func isSignal(err error, sig syscall.Signal) bool {
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == sig
}

// children stops, in reverse order, what the bench started.
type children []*child

func (cs *children) add(c *child) { *cs = append(*cs, c) }

func (cs *children) stopAll() {
	for i := len(*cs) - 1; i >= 0; i-- {
		if err := (*cs)[i].stop(15 * time.Second); err != nil {
			logf("warning: %v", err)
		}
	}
	*cs = nil
}

// runTool runs a short-lived command (wrk, pgbench, go build) to its end, or
// kills it after timeout, and returns its standard output.
func runTool(ctx context.Context, timeout time.Duration, dir string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		switch ctx.Err() {
		case context.DeadlineExceeded:
			return stdout.String(), fmt.Errorf("%s did not finish within %s", name, timeout)
		case context.Canceled:
			return stdout.String(), fmt.Errorf("%s: interrupted", name)
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = lastLines(stdout.String(), 5)
		}
		return stdout.String(), fmt.Errorf("%s: %w: %s", name, err, msg)
	}
	return stdout.String(), nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

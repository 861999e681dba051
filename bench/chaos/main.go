// Command chaos drives a mixed load against two instances of the site
// behind a load balancer on loopback, sharing one database, while the
// database is stopped and started, one instance is killed (SIGKILL) and
// started again, and the other is restarted with SIGTERM; then it checks
// that every acknowledged consent and contact message is stored exactly
// once (the killed instance's spooled choices included) and that the rate
// limits held across both instances. It writes bench/chaos.md. Loopback
// only, bounded in count and time; `make chaos` runs it.
//
// Timeline (fractions of -duration): PostgreSQL stops (fast shutdown) at
// 25 % and starts again after -outage; halfway through the outage instance
// A, holding choices in its spool, gets SIGKILL and is started again at
// once; instance B gets SIGTERM at 65 % and a new one is started on the
// same address as soon as the old one has exited.
package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"conpro/internal/pgcluster"
)

// chaosKey signs the consent cookies of the chaos server; the load decodes
// them to learn the consent IDs the site acknowledged. Public, test-only.
var chaosKey = hex.EncodeToString([]byte("chaos-only-key-not-a-secret-!!!!"))

type options struct {
	requests int
	min      int // requests the report demands
	workers  int
	duration time.Duration
	outage   time.Duration
	addr     string // the load balancer's; the instances take free ports
	activate bool   // pass each instance its listening socket (systemd style)
	out      string
	report   string
}

func main() {
	var o options
	flag.IntVar(&o.requests, "requests", 12000, "requests in the mixed load (at least 10000 for the report)")
	flag.IntVar(&o.min, "min", 10000, "fewest requests a passing run may have")
	flag.IntVar(&o.workers, "workers", 16, "concurrent clients")
	flag.DurationVar(&o.duration, "duration", 60*time.Second, "how long the load is spread over")
	flag.DurationVar(&o.outage, "outage", 8*time.Second, "how long PostgreSQL stays down")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:8093", "loopback address of the load balancer in front of the two instances")
	flag.BoolVar(&o.activate, "socket-activation", true, "hold the listening socket and pass it to each server process, as systemd does; false: each process listens itself")
	flag.StringVar(&o.out, "out", "bench/out/chaos", "folder for the binary, logs and spool")
	flag.StringVar(&o.report, "report", "bench/chaos.md", "report to write")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Hard bound: however things go, the run ends.
	ctx, cancel := context.WithTimeout(ctx, o.duration+5*time.Minute)
	defer cancel()

	ok, err := run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(2)
	}
	if !ok {
		fmt.Fprintln(os.Stderr, "chaos: FAILED: see", o.report)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "chaos: "+format+"\n", args...)
}

func run(ctx context.Context, o options) (bool, error) {
	if !strings.HasPrefix(o.addr, "127.0.0.1:") {
		return false, errors.New("-addr must be on 127.0.0.1")
	}
	if err := os.RemoveAll(o.out); err != nil {
		return false, err
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return false, err
	}
	bin := filepath.Join(o.out, "conpro")
	logf("building the server")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "conpro/cmd/conpro").CombinedOutput(); err != nil {
		return false, fmt.Errorf("go build: %w\n%s", err, out)
	}
	logf("creating a private PostgreSQL cluster")
	cluster, err := pgcluster.New(ctx)
	if err != nil {
		return false, err
	}
	defer cluster.Remove()

	var instances []*site
	for _, name := range []string{"A", "B"} {
		s := &site{name: name, bin: bin, dbURL: cluster.URL(), dir: o.out}
		// Like a supervisor, this process owns each instance's socket (with
		// socket activation): connections that arrive while one process
		// stops and the next starts wait in its queue.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return false, err
		}
		s.addr = ln.Addr().String()
		if o.activate {
			defer ln.Close()
			if s.sock, err = ln.(*net.TCPListener).File(); err != nil {
				return false, err
			}
			defer s.sock.Close()
		} else {
			ln.Close()
		}
		if err := s.start(ctx); err != nil {
			return false, err
		}
		defer s.kill()
		instances = append(instances, s)
	}
	lb := newBalancer(instances...)
	lbLog, err := os.Create(filepath.Join(o.out, "balancer.log"))
	if err != nil {
		return false, err
	}
	defer lbLog.Close()
	stopLB, err := lb.serve(ctx, o.addr, lbLog)
	if err != nil {
		return false, err
	}
	defer stopLB()

	base := "http://" + o.addr
	token, err := contactToken(ctx, base)
	if err != nil {
		return false, err
	}

	tl := &timeline{}
	ld := newLoad(o, base, token, tl)
	probe := startReadyProbe(ctx, base, tl)

	// Faults, on their own schedule while the load runs.
	faults := make(chan error, 1)
	go func() { faults <- inject(ctx, o, cluster, instances[0], instances[1], tl) }()

	logf("mixed load: %d requests over %s with %d clients", o.requests, o.duration, o.workers)
	ld.run(ctx)
	if err := <-faults; err != nil {
		return false, err
	}
	probe.stop()

	logf("waiting for the spool to be replayed, then reconciling")
	rec, err := reconcile(ctx, cluster.URL(), ld, 60*time.Second)
	if err != nil {
		return false, err
	}
	limits, err := checkLimits(ctx, base)
	if err != nil {
		return false, err
	}
	exit := instances[0].stop(30*time.Second) + "; " + instances[1].stop(30*time.Second)

	r := buildReport(o, ld, tl, probe, rec, limits, exit)
	if err := os.WriteFile(o.report, []byte(r.markdown()), 0o644); err != nil {
		return false, err
	}
	fmt.Print(r.summary())
	return r.passed(), nil
}

// inject stops and starts PostgreSQL, kills instance a during the outage
// and starts it again, then restarts instance b.
func inject(ctx context.Context, o options, cluster *pgcluster.Cluster, a, b *site, tl *timeline) error {
	if !sleepUntil(ctx, tl.start().Add(o.duration/4)) {
		return ctx.Err()
	}
	logf("stopping PostgreSQL (fast shutdown)")
	tl.mark(&tl.dbStop)
	if err := cluster.Stop(ctx); err != nil {
		return err
	}
	tl.mark(&tl.dbDown)
	up := time.Now().Add(o.outage)
	if !sleepUntil(ctx, time.Now().Add(o.outage/2)) {
		return ctx.Err()
	}
	// The choices instance a acknowledged since the database went away
	// wait in its spool: the new process must replay them.
	logf("killing instance %s (SIGKILL) with %d choices in its spool, and starting it again", a.name, a.spooled())
	tl.mark(&tl.killAt)
	tl.spooledAtKill = a.spooled()
	a.kill()
	if err := a.start(ctx); err != nil {
		return err
	}
	tl.mark(&tl.killUp)
	if !sleepUntil(ctx, up) {
		return ctx.Err()
	}
	logf("starting PostgreSQL")
	tl.mark(&tl.dbStart)
	if err := cluster.Start(ctx); err != nil {
		return err
	}
	tl.mark(&tl.dbUp)

	if !sleepUntil(ctx, tl.start().Add(o.duration*65/100)) {
		return ctx.Err()
	}
	logf("restarting instance %s (SIGTERM, then a new process)", b.name)
	tl.mark(&tl.srvTerm)
	tl.srvExit = b.stop(30 * time.Second)
	tl.mark(&tl.srvDown)
	if err := b.start(ctx); err != nil {
		return err
	}
	tl.mark(&tl.srvUp)
	return nil
}

func sleepUntil(ctx context.Context, t time.Time) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(time.Until(t)):
		return true
	}
}

// site is one instance's server process, started again after a restart
// with the same address, database and spool folder.
type site struct {
	name                  string // A, B
	bin, addr, dbURL, dir string
	sock                  *os.File // passed listening socket, or nil
	n                     int
	cmd                   *exec.Cmd
	done                  chan struct{}
	err                   error
}

func (s *site) env() []string {
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CONPRO_") && !strings.HasPrefix(kv, "DATABASE_URL=") {
			env = append(env, kv)
		}
	}
	return append(env,
		"CONPRO_ADDR="+s.addr,
		"DATABASE_URL="+s.dbURL,
		"CONPRO_COOKIE_KEY="+chaosKey,
		"CONPRO_SPOOL_DIR="+s.spool(),
		"CONPRO_GA_MEASUREMENT_ID=G-CHAOS1234",
		// Each simulated visitor comes from an address of its own.
		"CONPRO_TRUSTED_PROXIES=127.0.0.1",
		"CONPRO_CONTACT_MIN_FILL=0s",
		"CONPRO_CONTACT_RATE=10000",
		"CONPRO_LOG_LEVEL=warn",
	)
}

// start runs a new server process and waits until it serves pages.
func (s *site) start(ctx context.Context) error {
	s.n++
	log, err := os.Create(filepath.Join(s.dir, fmt.Sprintf("server-%s-%d.log", s.name, s.n)))
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(s.bin, "serve")
	cmd.Env = s.env()
	if s.sock != nil {
		// fd 3, and LISTEN_PID set to the server's own PID: the shell
		// learns its PID ($$) and then becomes the server (exec).
		cmd = exec.Command("/bin/sh", "-c", `LISTEN_PID=$$ exec "$0" serve`, s.bin)
		cmd.Env = append(s.env(), "LISTEN_FDS=1")
		cmd.ExtraFiles = []*os.File{s.sock}
	}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start server: %w", err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	go func(done chan struct{}) { s.err = cmd.Wait(); close(done) }(s.done)

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("server exited at start: %v (see %s)", s.err, log.Name())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := client.Get("http://" + s.addr + "/privacy"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return errors.New("server did not serve /privacy within 30 s")
}

// stop sends SIGTERM and waits for the process to end; it reports how the
// process ended ("exit 0" when it drained and stopped cleanly).
func (s *site) stop(grace time.Duration) string {
	if s.cmd == nil {
		return "not running"
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(grace):
		s.kill()
		return fmt.Sprintf("did not stop within %s: killed", grace)
	}
	s.cmd = nil
	if s.err != nil {
		return s.err.Error()
	}
	return "exit 0"
}

func (s *site) kill() {
	if s.cmd != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
		s.cmd = nil
	}
}

// spool is the instance's own spool folder.
func (s *site) spool() string { return filepath.Join(s.dir, "spool-"+s.name) }

// spooled counts the choices waiting in the instance's spool (a line each).
func (s *site) spooled() int {
	files, _ := filepath.Glob(filepath.Join(s.spool(), "*.jsonl"))
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil {
			n += strings.Count(string(b), "\n")
		}
	}
	return n
}

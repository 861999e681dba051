package pgtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"conpro/internal/store/postgres"
)

// Cluster is a PostgreSQL server of the test's own, which the test may stop
// and start: for what must survive the database going away.
type Cluster struct {
	t      testing.TB
	bin    string
	dir    string // data folder, socket and log
	runAs  string // user that runs postgres when the test runs as root
	socket string
}

// NewCluster creates and starts a private cluster with one migrated
// database, conpro. It is stopped and removed when the test ends.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	bin, err := postgresBin()
	if err != nil {
		t.Fatalf("private PostgreSQL cluster: %v", err)
	}
	// Short path: the socket name must stay under 107 bytes.
	dir, err := os.MkdirTemp("/tmp", "conpro-pgt-")
	if err != nil {
		t.Fatal(err)
	}
	c := &Cluster{t: t, bin: bin, dir: dir, socket: dir}
	t.Cleanup(func() {
		c.run("pg_ctl", "-D", c.data(), "stop", "-m", "immediate", "-w")
		os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		c.runAs = "postgres"
		u, err := user.Lookup(c.runAs)
		if err != nil {
			t.Fatalf("private PostgreSQL cluster: running as root needs a %q user: %v", c.runAs, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := c.run("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--no-locale"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	conf := fmt.Sprintf("\nlisten_addresses = ''\nunix_socket_directories = '%s'\nfsync = off\nfull_page_writes = off\nsynchronous_commit = off\n", c.socket)
	f, err := os.OpenFile(filepath.Join(c.data(), "postgresql.conf"), os.O_WRONLY|os.O_APPEND, 0)
	if err == nil {
		_, err = f.WriteString(conf)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		t.Fatalf("configure private cluster: %v", err)
	}
	c.Start()
	if out, err := c.run("createdb", "-h", c.socket, "-U", "postgres", "conpro"); err != nil {
		t.Fatalf("createdb: %v\n%s", err, out)
	}
	db, err := postgres.Open(context.Background(), c.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(context.Background(), slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatalf("migrate private cluster: %v", err)
	}
	return c
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// URL is the connection string of the cluster's conpro database.
func (c *Cluster) URL() string {
	return "postgres://postgres@/conpro?host=" + c.socket + "&sslmode=disable&connect_timeout=2"
}

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	if out, err := c.run("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "start", "-w", "-t", "30"); err != nil {
		c.t.Fatalf("start private PostgreSQL: %v\n%s", err, out)
	}
}

// Stop shuts the server down, cutting open connections.
func (c *Cluster) Stop() {
	c.t.Helper()
	if out, err := c.run("pg_ctl", "-D", c.data(), "stop", "-m", "fast", "-w", "-t", "30"); err != nil {
		c.t.Fatalf("stop private PostgreSQL: %v\n%s", err, out)
	}
}

func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	path := filepath.Join(c.bin, name)
	cmd := exec.CommandContext(ctx, path, args...)
	if c.runAs != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", c.runAs, "--", path}, args...)...)
	}
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

// postgresBin finds the folder of the PostgreSQL server binaries, as the
// project's scripts do.
func postgresBin() (string, error) {
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dir := strings.TrimSpace(string(out))
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int {
		va, _ := strconv.Atoi(filepath.Base(filepath.Dir(a)))
		vb, _ := strconv.Atoi(filepath.Base(filepath.Dir(b)))
		return va - vb
	})
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "pg_ctl")); err == nil {
			return dirs[i], nil
		}
	}
	return "", fmt.Errorf("no PostgreSQL server binaries (pg_ctl) found; `make test` installs them")
}

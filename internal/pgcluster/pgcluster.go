// Package pgcluster runs a private PostgreSQL server in a temporary folder,
// which its owner may stop and start: for tests and the chaos run, which
// must take the database away without touching the development cluster.
package pgcluster

import (
	"context"
	"errors"
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
	"time"

	"conpro/internal/store/postgres"
)

// Cluster is a private PostgreSQL server listening only on a Unix socket in
// its own folder.
type Cluster struct {
	bin    string
	dir    string // data folder, socket and log
	runAs  string // user that runs postgres when we run as root
	socket string
}

// New creates and starts a cluster with one migrated database, conpro.
// Durability settings are off (fsync, full page writes): the cluster is
// thrown away with Remove. The caller must call Remove.
func New(ctx context.Context) (_ *Cluster, err error) {
	bin, err := Bin()
	if err != nil {
		return nil, err
	}
	// Short path: the socket name must stay under 107 bytes.
	dir, err := os.MkdirTemp("/tmp", "conpro-pgc-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin, dir: dir, socket: dir}
	defer func() {
		if err != nil {
			c.Remove()
		}
	}()
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		c.runAs = "postgres"
		u, err := user.Lookup(c.runAs)
		if err != nil {
			return nil, fmt.Errorf("running as root needs a %q user: %w", c.runAs, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	if out, err := c.run(ctx, "initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--no-locale"); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	conf := fmt.Sprintf("\nlisten_addresses = ''\nunix_socket_directories = '%s'\nfsync = off\nfull_page_writes = off\nsynchronous_commit = off\n", c.socket)
	f, err := os.OpenFile(filepath.Join(c.data(), "postgresql.conf"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, err
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("configure cluster: %w", err)
	}
	if err := c.Start(ctx); err != nil {
		return nil, err
	}
	if out, err := c.run(ctx, "createdb", "-h", c.socket, "-U", "postgres", "conpro"); err != nil {
		return nil, fmt.Errorf("createdb: %w\n%s", err, out)
	}
	db, err := postgres.Open(ctx, c.URL())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if err := db.Migrate(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return c, nil
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// URL is the connection string of the cluster's conpro database.
func (c *Cluster) URL() string {
	return "postgres://postgres@/conpro?host=" + c.socket + "&sslmode=disable&connect_timeout=2"
}

// Log is the path of the server's log file.
func (c *Cluster) Log() string { return filepath.Join(c.dir, "log") }

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start(ctx context.Context) error {
	if out, err := c.run(ctx, "pg_ctl", "-D", c.data(), "-l", c.Log(), "start", "-w", "-t", "30"); err != nil {
		return fmt.Errorf("start PostgreSQL: %w\n%s", err, out)
	}
	return nil
}

// Stop shuts the server down in fast mode: open transactions are rolled
// back and connections cut, as in a restart by an operator.
func (c *Cluster) Stop(ctx context.Context) error {
	if out, err := c.run(ctx, "pg_ctl", "-D", c.data(), "stop", "-m", "fast", "-w", "-t", "30"); err != nil {
		return fmt.Errorf("stop PostgreSQL: %w\n%s", err, out)
	}
	return nil
}

// Remove stops the server at once and deletes its folder.
func (c *Cluster) Remove() {
	if _, err := os.Stat(filepath.Join(c.data(), "postmaster.pid")); err == nil {
		_, _ = c.run(context.Background(), "pg_ctl", "-D", c.data(), "stop", "-m", "immediate", "-w")
	}
	_ = os.RemoveAll(c.dir)
}

func (c *Cluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	path := filepath.Join(c.bin, name)
	cmd := exec.CommandContext(ctx, path, args...)
	if c.runAs != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", c.runAs, "--", path}, args...)...)
	}
	cmd.Dir = c.dir
	return cmd.CombinedOutput()
}

// Bin finds the folder of the PostgreSQL server binaries, as the project's
// scripts do: pg_config first, then the newest /usr/lib/postgresql/*/bin.
func Bin() (string, error) {
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
	return "", errors.New("no PostgreSQL server binaries (pg_ctl) found; `make test` installs them")
}

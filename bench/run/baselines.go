package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// startBare starts the bare net/http handler replaying page.
func startBare(bin, out string, page recorded) (*child, error) {
	bodyFile, headerFile := filepath.Join(out, "privacy.body"), filepath.Join(out, "privacy.headers.json")
	if err := page.save(bodyFile, headerFile); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-addr", bareAddr, "-body", bodyFile, "-headers", headerFile)
	return startChild("bare net/http handler", syscall.SIGTERM, filepath.Join(out, "baseline.log"), cmd)
}

// startNginx serves page's bytes as the static file /privacy, with the same
// header fields, on nginxAddr, from a temp folder of its own under parent.
// nginx runs in the foreground as a child of the bench (daemon off), never
// as the system service.
func startNginx(nginxBin, parent string, page recorded) (c *child, dir string, err error) {
	dir, err = os.MkdirTemp(parent, "nginx-")
	if err != nil {
		return nil, "", err
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(dir)
		}
	}()
	if err := os.MkdirAll(filepath.Join(dir, "www"), 0o755); err != nil {
		return nil, "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "www", "privacy"), page.body, 0o644); err != nil {
		return nil, "", err
	}
	conf, err := nginxConfig(dir, page.Header, os.Geteuid() == 0)
	if err != nil {
		return nil, "", err
	}
	confFile := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		return nil, "", err
	}
	cmd := exec.Command(nginxBin, "-c", confFile, "-p", dir, "-e", filepath.Join(dir, "error.log"))
	// SIGTERM is nginx's fast shutdown: the master stops its workers.
	c, err = startChild("nginx", syscall.SIGTERM, filepath.Join(dir, "stderr.log"), cmd)
	return c, dir, err
}

// nginxConfig writes a minimal nginx.conf whose paths all lie in dir, so
// that it runs as a normal user as well as root (as root, its workers run as
// root too, since dir is private to the bench's user).
func nginxConfig(dir string, h http.Header, root bool) (string, error) {
	var b strings.Builder
	if root {
		b.WriteString("user root;\n")
	}
	fmt.Fprintf(&b, `daemon off;
master_process on;
worker_processes 2;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %[1]s/client_body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    # Like Go's server, never close a kept-alive connection after N requests.
    keepalive_requests 100000000;
    server {
        listen %[2]s;
        root %[1]s/www;
        location = /privacy {
            types { }
            default_type %[3]s;
            etag off;
`, dir, nginxAddr, nginxQuote(h.Get("Content-Type")))
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "Content-Type", "Content-Length", "Date", "Server", "Last-Modified", "Accept-Ranges":
			continue
		}
		for _, v := range h[k] {
			if strings.Contains(v, "$") {
				return "", fmt.Errorf("nginx: header %s holds a $, which nginx would read as a variable", k)
			}
			fmt.Fprintf(&b, "            add_header %s %s;\n", k, nginxQuote(v))
		}
	}
	b.WriteString("        }\n    }\n}\n")
	return b.String(), nil
}

func nginxQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// nginxBinary finds nginx, which Debian installs in /usr/sbin (not on every
// user's PATH).
func nginxBinary() (string, error) {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p, nil
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx", nil
	}
	return "", fmt.Errorf("nginx not found; run scripts/bench-deps.sh")
}

// pgbenchBinary finds pgbench beside the server binaries: pg_config
// --bindir, else the newest /usr/lib/postgresql/*/bin, else the PATH.
func pgbenchBinary(ctx context.Context) (string, error) {
	if out, err := runTool(ctx, 10*time.Second, "", "pg_config", "--bindir"); err == nil {
		p := filepath.Join(strings.TrimSpace(out), "pgbench")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench")
	sort.Slice(dirs, func(i, j int) bool { return pgMajor(dirs[i]) < pgMajor(dirs[j]) })
	if len(dirs) > 0 {
		return dirs[len(dirs)-1], nil
	}
	if p, err := exec.LookPath("pgbench"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("pgbench not found (it comes with the PostgreSQL server package)")
}

func pgMajor(path string) float64 {
	v, err := strconv.ParseFloat(filepath.Base(filepath.Dir(filepath.Dir(path))), 64)
	if err != nil {
		return 0
	}
	return v
}

// pgbenchResult is what pgbench reports for the single-row INSERTs.
type pgbenchResult struct {
	Clients      int     `json:"clients"`
	Threads      int     `json:"threads"`
	Seconds      int     `json:"seconds"`
	Transactions int64   `json:"transactions"`
	Failed       int64   `json:"failed"`
	TPS          float64 `json:"tps"`
	LatencyAvgMS float64 `json:"latency_avg_ms"`
	Rows         int64   `json:"rows"` // in bench_consent afterwards
}

// runPgbench inserts single rows into bench_consent from clients
// connections for d, prepared statements as pgx uses them, no vacuum.
func runPgbench(ctx context.Context, bin, root, benchURL string, o options) (pgbenchResult, error) {
	secs := int(math.Ceil(o.duration.Seconds()))
	r := pgbenchResult{Clients: o.connections, Threads: o.threads, Seconds: secs}
	out, err := runTool(ctx, o.duration+time.Minute, root, bin,
		"-n", "-M", "prepared", "-c", strconv.Itoa(o.connections), "-j", strconv.Itoa(o.threads),
		"-T", strconv.Itoa(secs), "-f", filepath.Join("bench", "pgbench", "insert.sql"), benchURL)
	if err != nil {
		return r, err
	}
	var ok bool
	if r.Transactions, ok = matchInt(out, `number of transactions actually processed: (\d+)`); !ok {
		return r, fmt.Errorf("pgbench: no transaction count in its output:\n%s", out)
	}
	r.Failed, _ = matchInt(out, `number of failed transactions: (\d+)`)
	r.TPS, ok = matchFloat(out, `tps = ([0-9.]+)`)
	if !ok {
		return r, fmt.Errorf("pgbench: no tps in its output:\n%s", out)
	}
	r.LatencyAvgMS, _ = matchFloat(out, `latency average = ([0-9.]+) ms`)
	return r, nil
}

func matchFloat(s, re string) (float64, bool) {
	m := regexp.MustCompile(re).FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	f, err := strconv.ParseFloat(m[1], 64)
	return f, err == nil
}

func matchInt(s, re string) (int64, bool) {
	f, ok := matchFloat(s, re)
	return int64(f), ok
}

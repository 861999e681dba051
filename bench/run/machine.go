package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// machine says where the figures come from.
type machine struct {
	CPUs     int    `json:"nproc"`
	CPUModel string `json:"cpu_model"`
	MemoryMB int64  `json:"memory_mb"`
	Kernel   string `json:"kernel"`
	Go       string `json:"go"`
	Wrk      string `json:"wrk"`
	Nginx    string `json:"nginx"`
	Postgres string `json:"postgres"`
	Pgbench  string `json:"pgbench"`
	// The load average when the bench started: other work on the machine
	// takes cores from the runs.
	LoadAtStart string `json:"load_average_at_start"`
}

func describeMachine(ctx context.Context, nginxBin, pgbenchBin, pgVersion, load string) machine {
	m := machine{
		LoadAtStart: load,
		CPUs:        runtime.NumCPU(),
		CPUModel:    procField("/proc/cpuinfo", "model name"),
		Go:          runtime.Version(),
		Postgres:    pgVersion,
		Wrk:         toolVersion(ctx, "wrk", "-v"),
		Nginx:       strings.TrimPrefix(toolVersion(ctx, nginxBin, "-v"), "nginx version: "),
		Pgbench:     toolVersion(ctx, pgbenchBin, "--version"),
	}
	if f := strings.Fields(procField("/proc/meminfo", "MemTotal")); len(f) > 0 {
		if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			m.MemoryMB = kb / 1024
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

// loadAverage returns /proc/loadavg's 1, 5 and 15 minute figures.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// toolVersion returns the first line a tool prints about its version, on
// either stream and whatever its exit status (wrk -v exits 1).
func toolVersion(ctx context.Context, name string, args ...string) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, name, args...).CombinedOutput()
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	line, _, _ = strings.Cut(line, " Copyright")
	return strings.TrimSpace(line)
}

// procField returns the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// memory is the server's resident set size, in kB as /proc reports it.
type memory struct {
	RSSKB int64 `json:"vm_rss_kb"`
	HWMKB int64 `json:"vm_hwm_kb"` // the peak since the process started
}

func readMemory(pid int) (memory, error) {
	path := fmt.Sprintf("/proc/%d/status", pid)
	var m memory
	for _, f := range []struct {
		key string
		dst *int64
	}{{"VmRSS", &m.RSSKB}, {"VmHWM", &m.HWMKB}} {
		v := strings.Fields(procField(path, f.key))
		if len(v) == 0 {
			return m, fmt.Errorf("%s: no %s", path, f.key)
		}
		n, err := strconv.ParseInt(v[0], 10, 64)
		if err != nil {
			return m, fmt.Errorf("%s: %s: %w", path, f.key, err)
		}
		*f.dst = n
	}
	return m, nil
}

// logSummary counts the site's WARN and ERROR log lines by message.
type logSummary struct {
	Lines    map[string]int `json:"by_level_and_message"`
	Warnings int            `json:"warnings"`
	Errors   int            `json:"errors"`
}

var logLineRE = regexp.MustCompile(`level=(WARN|ERROR) msg=("[^"]*"|\S+)`)

// summariseLog reads the log a line at a time: at level info it holds a
// line per request, hundreds of MB after a run.
func summariseLog(path string) (logSummary, error) {
	s := logSummary{Lines: map[string]int{}}
	f, err := os.Open(path)
	if err != nil {
		return s, fmt.Errorf("server log: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.Contains(line, []byte("level=WARN")) && !bytes.Contains(line, []byte("level=ERROR")) {
			continue
		}
		m := logLineRE.FindSubmatch(line)
		if m == nil {
			continue
		}
		s.Lines[string(m[1])+" "+strings.Trim(string(m[2]), `"`)]++
		if string(m[1]) == "ERROR" {
			s.Errors++
		} else {
			s.Warnings++
		}
	}
	return s, sc.Err()
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// wrkResult is the line bench/wrk/report.lua prints; times in microseconds.
type wrkResult struct {
	Requests   int64     `json:"requests"`
	DurationUS int64     `json:"duration_us"`
	Bytes      int64     `json:"bytes"`
	Errors     wrkErrors `json:"errors"`
	Latency    struct {
		P50  int64   `json:"p50"`
		P90  int64   `json:"p90"`
		P99  int64   `json:"p99"`
		Max  int64   `json:"max"`
		Mean float64 `json:"mean"`
	} `json:"latency_us"`
	RPS float64 `json:"rps"`
}

// wrkErrors: socket errors, and Status for answers outside 2xx/3xx.
type wrkErrors struct {
	Connect int64 `json:"connect"`
	Read    int64 `json:"read"`
	Write   int64 `json:"write"`
	Timeout int64 `json:"timeout"`
	Status  int64 `json:"status"`
}

func (e wrkErrors) total() int64 { return e.Connect + e.Read + e.Write + e.Timeout + e.Status }

// acknowledged is how many requests got a 2xx or 3xx answer.
func (r wrkResult) acknowledged() int64 { return r.Requests - r.Errors.Status }

const resultPrefix = "BENCH_RESULT "

// runWrk loads target with the Lua script bench/wrk/<script>.lua; args go to
// the script's init.
func runWrk(ctx context.Context, root string, o options, script, target string, args ...string) (wrkResult, error) {
	var r wrkResult
	cmdArgs := []string{
		"-t", strconv.Itoa(o.threads), "-c", strconv.Itoa(o.connections),
		"-d", fmt.Sprintf("%ds", int(o.duration.Seconds())), "--latency",
		"-s", filepath.Join("bench", "wrk", script+".lua"), target, "--",
	}
	out, err := runTool(ctx, o.duration+time.Minute, root, "wrk", append(cmdArgs, args...)...)
	if err != nil {
		return r, err
	}
	for _, line := range strings.Split(out, "\n") {
		if js, ok := strings.CutPrefix(line, resultPrefix); ok {
			if err := json.Unmarshal([]byte(js), &r); err != nil {
				return r, fmt.Errorf("wrk %s: parse result: %w", script, err)
			}
			return r, nil
		}
	}
	return r, fmt.Errorf("wrk %s: no result line in its output:\n%s", script, lastLines(out, 10))
}

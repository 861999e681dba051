package main

import (
	"strings"
	"testing"
)

func TestPassedSockets(t *testing.T) {
	const pid = 4242
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    int
		wantErr string
	}{
		{"no supervisor", nil, 0, ""},
		{"one socket for us", map[string]string{"LISTEN_PID": "4242", "LISTEN_FDS": "1"}, 1, ""},
		{"inherited from a parent", map[string]string{"LISTEN_PID": "17", "LISTEN_FDS": "1"}, 0, ""},
		{"pid missing", map[string]string{"LISTEN_FDS": "1"}, 0, ""},
		{"pid garbled", map[string]string{"LISTEN_PID": "x", "LISTEN_FDS": "1"}, 0, ""},
		{"none passed", map[string]string{"LISTEN_PID": "4242", "LISTEN_FDS": "0"}, 0, ""},
		{"count garbled", map[string]string{"LISTEN_PID": "4242", "LISTEN_FDS": "one"}, 0, "want a number"},
		{"two sockets", map[string]string{"LISTEN_PID": "4242", "LISTEN_FDS": "2"}, 0, "one socket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := passedSockets(func(k string) string { return tc.env[k] }, pid)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || n != tc.want {
				t.Fatalf("passedSockets = %d, %v; want %d", n, err, tc.want)
			}
		})
	}
}

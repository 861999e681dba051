// Command vulndb builds a local Go vulnerability database in the v1 layout
// that `govulncheck -db file:///DIR` reads, from the OSV JSON files that the
// database's source module (golang.org/x/vulndb, folder data/osv) ships:
//
//	DIR/index/db.json       {"modified": newest entry's time}
//	DIR/index/modules.json  [{"path", "vulns": [{"id", "modified", "fixed"}]}]
//	DIR/index/vulns.json    [{"id", "modified", "aliases"}]
//	DIR/ID/GO-YYYY-NNNN.json  each OSV entry, compacted
//
// It does what x/vulndb's own cmd/indexdb does (database.RawLoad, then
// Database.Write) with the standard library and x/mod/semver only, because
// running indexdb means fetching and compiling x/vulndb's ~60 dependency
// modules (cloud, gRPC, OpenTelemetry): minutes on a fresh machine. For
// x/vulndb v0.0.0-20261105234957-e22db6528018 its .json files are
// byte-for-byte those that indexdb writes. It writes no .json.gz copies:
// only the HTTP form of the layout uses them, govulncheck reads the .json
// files of a file:// database.
//
// Usage:
//
//	go run ./tools/vulndb -osv $(go env GOMODCACHE)/golang.org/x/vulndb@VERSION/data/osv -out .data/vulndb
//
// The output folder is written beside -out and renamed into place, so an
// interrupted run leaves no half-built database.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/semver"
)

func main() {
	osvDir := flag.String("osv", "", "folder holding the OSV JSON files (x/vulndb's data/osv)")
	outDir := flag.String("out", "", "folder to write the v1 database to (replaced)")
	flag.Parse()
	if *osvDir == "" || *outDir == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: vulndb -osv DIR -out DIR")
		os.Exit(2)
	}
	n, err := build(*osvDir, *outDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulndb:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "vulndb: %d entries written to %s\n", n, *outDir)
}

// entry holds the fields of an OSV entry that the index needs.
type entry struct {
	ID       string   `json:"id"`
	Modified string   `json:"modified"`
	Aliases  []string `json:"aliases"`
	Affected []struct {
		Module struct {
			Path string `json:"name"`
		} `json:"package"` // OSV calls the module "package"; its "name" is the module path
		Ranges []osvRange `json:"ranges"`
	} `json:"affected"`
}

type osvRange struct {
	Type   string `json:"type"`
	Events []struct {
		Introduced string `json:"introduced"`
		Fixed      string `json:"fixed"`
	} `json:"events"`
}

// The index records, in the field order and with the omitempty rules of
// x/vulndb's internal/database, so that json.Marshal writes the same bytes.
type (
	dbMeta struct {
		Modified string `json:"modified"`
	}
	module struct {
		Path  string       `json:"path"`
		Vulns []moduleVuln `json:"vulns"`
	}
	moduleVuln struct {
		ID       string `json:"id"`
		Modified string `json:"modified"`
		Fixed    string `json:"fixed,omitempty"`
	}
	vuln struct {
		ID       string   `json:"id"`
		Modified string   `json:"modified"`
		Aliases  []string `json:"aliases,omitempty"`
	}
)

func build(osvDir, outDir string) (int, error) {
	tmp := outDir + ".tmp"
	if err := os.RemoveAll(tmp); err != nil {
		return 0, err
	}
	idDir := filepath.Join(tmp, "ID")
	indexDir := filepath.Join(tmp, "index")
	for _, d := range []string{idDir, indexDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return 0, err
		}
	}

	var (
		newest  time.Time
		modules = map[string]*module{}
		vulns   []vuln
		seen    = map[string]bool{}
	)
	// WalkDir visits files in lexical order, as RawLoad does.
	err := filepath.WalkDir(osvDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() || name == "index.json" || filepath.Ext(name) != ".json" {
			return nil
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var e entry
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		if e.ID == "" || name != e.ID+".json" {
			return fmt.Errorf("%s: file name does not match id %q", path, e.ID)
		}
		if seen[e.ID] {
			return fmt.Errorf("%s: id %q appears twice", path, e.ID)
		}
		seen[e.ID] = true
		mod, err := time.Parse(time.RFC3339, e.Modified)
		if err != nil {
			return fmt.Errorf("%s: modified: %v", path, err)
		}
		mod = mod.UTC()
		modified := mod.Format(time.RFC3339)
		if mod.After(newest) {
			newest = mod
		}
		vulns = append(vulns, vuln{ID: e.ID, Modified: modified, Aliases: e.Aliases})
		for _, a := range e.Affected {
			m := modules[a.Module.Path]
			if m == nil {
				m = &module{Path: a.Module.Path, Vulns: []moduleVuln{}}
				modules[a.Module.Path] = m
			}
			m.Vulns = append(m.Vulns, moduleVuln{ID: e.ID, Modified: modified, Fixed: latestFixed(a.Ranges)})
		}

		var compact bytes.Buffer
		if err := json.Compact(&compact, raw); err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		return os.WriteFile(filepath.Join(idDir, name), compact.Bytes(), 0o644)
	})
	if err != nil {
		return 0, err
	}
	if len(vulns) == 0 {
		return 0, errors.New("no OSV entries found in " + osvDir)
	}

	slices.SortStableFunc(vulns, func(a, b vuln) int { return strings.Compare(a.ID, b.ID) })
	mods := make([]*module, 0, len(modules))
	for _, m := range modules {
		slices.SortStableFunc(m.Vulns, func(a, b moduleVuln) int { return strings.Compare(a.ID, b.ID) })
		mods = append(mods, m)
	}
	slices.SortFunc(mods, func(a, b *module) int { return strings.Compare(a.Path, b.Path) })

	for name, v := range map[string]any{
		"db.json":      dbMeta{Modified: newest.Format(time.RFC3339)},
		"modules.json": mods,
		"vulns.json":   vulns,
	} {
		b, err := json.Marshal(v)
		if err != nil {
			return 0, err
		}
		if err := os.WriteFile(filepath.Join(indexDir, name), b, 0o644); err != nil {
			return 0, err
		}
	}

	if err := os.RemoveAll(outDir); err != nil {
		return 0, err
	}
	return len(vulns), os.Rename(tmp, outDir)
}

// latestFixed is x/vulndb's osvutils.LatestFixed: the highest "fixed"
// version of the SEMVER ranges, or "" when a later "introduced" reopens it.
// Versions carry no "v" in OSV; an empty version sorts before all others.
func latestFixed(ranges []osvRange) string {
	before := func(v, w string) bool { return semver.Compare("v"+v, "v"+w) < 0 }
	latest := ""
	for _, r := range ranges {
		if r.Type != "SEMVER" {
			continue
		}
		for _, ev := range r.Events {
			if ev.Fixed != "" && before(latest, ev.Fixed) {
				latest = ev.Fixed
			}
		}
		for _, ev := range r.Events {
			if ev.Introduced != "" && ev.Introduced != "0" && before(latest, ev.Introduced) {
				latest = ""
				break
			}
		}
	}
	return latest
}

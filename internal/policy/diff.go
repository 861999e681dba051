package policy

import (
	"regexp"
	"strings"
)

// Change is how a line of the text differs between two versions.
type Change int

const (
	Same Change = iota
	Added
	Removed
)

// DiffLine is a line of a comparison of two texts: a heading, paragraph,
// list item or table row, as readers see it (no Markdown marks).
type DiffLine struct {
	Change Change
	// Heading marks a section heading.
	Heading bool
	// Words is the line in runs: where a line was changed in a few words,
	// the runs say which words were added or removed.
	Words []DiffRun
}

// DiffRun is a run of words of a line, added, removed or the same.
type DiffRun struct {
	Change Change
	Text   string
}

// Text is the whole line.
func (l DiffLine) Text() string {
	var b strings.Builder
	for _, w := range l.Words {
		b.WriteString(w.Text)
	}
	return b.String()
}

// Diff compares two Markdown texts line by line, as readers see the lines.
// A run of changed lines where as many were added as removed is shown
// word by word: a sentence changed in a few words reads as those words.
func Diff(old, new string) []DiffLine {
	a, b := readableLines(old), readableLines(new)
	var out []DiffLine
	var removed, added []readable
	flush := func() {
		if len(removed) == len(added) {
			for i := range removed {
				out = append(out, wordDiff(removed[i], added[i])...)
			}
		} else {
			for _, l := range removed {
				out = append(out, DiffLine{Change: Removed, Heading: l.heading, Words: []DiffRun{{Removed, l.text}}})
			}
			for _, l := range added {
				out = append(out, DiffLine{Change: Added, Heading: l.heading, Words: []DiffRun{{Added, l.text}}})
			}
		}
		removed, added = nil, nil
	}
	for _, op := range lcs(texts(a), texts(b)) {
		switch op.change {
		case Same:
			flush()
			l := b[op.j]
			out = append(out, DiffLine{Change: Same, Heading: l.heading, Words: []DiffRun{{Same, l.text}}})
		case Removed:
			removed = append(removed, a[op.i])
		case Added:
			added = append(added, b[op.j])
		}
	}
	flush()
	return out
}

// Changed reports whether a comparison found any difference.
func Changed(lines []DiffLine) bool {
	for _, l := range lines {
		if l.Change != Same {
			return true
		}
		for _, w := range l.Words {
			if w.Change != Same {
				return true
			}
		}
	}
	return false
}

// wordDiff shows one removed and one added line: word by word when they
// share most words, else as two lines.
func wordDiff(old, new readable) []DiffLine {
	a, b := words(old.text), words(new.text)
	ops := lcs(a, b)
	same := 0
	for _, op := range ops {
		if op.change == Same {
			same++
		}
	}
	if same*2 < max(len(a), len(b)) {
		return []DiffLine{
			{Change: Removed, Heading: old.heading, Words: []DiffRun{{Removed, old.text}}},
			{Change: Added, Heading: new.heading, Words: []DiffRun{{Added, new.text}}},
		}
	}
	line := DiffLine{Change: Same, Heading: new.heading}
	for _, op := range ops {
		w := ""
		switch op.change {
		case Same, Added:
			w = b[op.j]
		case Removed:
			w = a[op.i]
		}
		if n := len(line.Words); n > 0 && line.Words[n-1].Change == op.change {
			line.Words[n-1].Text += w
		} else {
			line.Words = append(line.Words, DiffRun{op.change, w})
		}
	}
	return []DiffLine{line}
}

type readable struct {
	text    string
	heading bool
}

func texts(ls []readable) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.text
	}
	return out
}

var (
	tableRule  = regexp.MustCompile(`^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$`)
	listMarker = regexp.MustCompile(`^([-*+]|\d+[.)])\s+`)
	emphasis   = strings.NewReplacer("**", "", "__", "", `\|`, "|", `\#`, "#", `\-`, "-", `\*`, "*")
)

// readableLines turns Markdown into the lines a reader sees: headings
// without their hashes, list items without their marker, table rows as
// their cells joined by " · ", the generated tables' markers named.
func readableLines(md string) []readable {
	var out []readable
	for line := range strings.SplitSeq(strings.ReplaceAll(md, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || tableRule.MatchString(line) {
			continue
		}
		r := readable{}
		switch {
		case strings.HasPrefix(line, "#"):
			r.heading = true
			line = strings.TrimSpace(strings.TrimLeft(line, "#"))
		case strings.HasPrefix(line, "|"):
			cells := strings.Split(strings.Trim(strings.ReplaceAll(line, `\|`, "\x00"), "|"), "|")
			for i, c := range cells {
				cells[i] = strings.ReplaceAll(strings.TrimSpace(c), "\x00", `\|`)
			}
			line = strings.Join(cells, " · ")
		default:
			line = listMarker.ReplaceAllString(line, "")
		}
		r.text = emphasis.Replace(line)
		if r.text != "" {
			out = append(out, r)
		}
	}
	return out
}

// words splits a line into words, each with the spaces that follow it, so
// that joining them gives the line back.
func words(s string) []string {
	var out []string
	start := 0
	for i := 1; i <= len(s); i++ {
		if i == len(s) || s[i-1] == ' ' && s[i] != ' ' {
			out = append(out, s[start:i])
			start = i
		}
	}
	return out
}

type edit struct {
	change Change
	i, j   int // the index in a (Same, Removed) and in b (Same, Added)
}

// lcs returns the edits that turn a into b, keeping their longest common
// subsequence. Texts of a policy have a few hundred lines; the table is
// bounded so that a pathological pair cannot take the server's memory.
func lcs(a, b []string) []edit {
	// Common ends need no table.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var out []edit
	for k := 0; k < pre; k++ {
		out = append(out, edit{Same, k, k})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(ma)*len(mb) > 4_000_000 {
		for k := range ma {
			out = append(out, edit{Removed, pre + k, 0})
		}
		for k := range mb {
			out = append(out, edit{Added, 0, pre + k})
		}
	} else {
		n, m := len(ma), len(mb)
		t := make([][]int32, n+1)
		for i := range t {
			t[i] = make([]int32, m+1)
		}
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					t[i][j] = t[i+1][j+1] + 1
				} else {
					t[i][j] = max(t[i+1][j], t[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && ma[i] == mb[j]:
				out = append(out, edit{Same, pre + i, pre + j})
				i++
				j++
			case i < n && (j == m || t[i+1][j] >= t[i][j+1]):
				out = append(out, edit{Removed, pre + i, 0})
				i++
			default:
				out = append(out, edit{Added, 0, pre + j})
				j++
			}
		}
	}
	for k := 0; k < suf; k++ {
		out = append(out, edit{Same, len(a) - suf + k, len(b) - suf + k})
	}
	return out
}

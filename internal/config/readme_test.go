package config

import (
	"os"
	"regexp"
	"slices"
	"testing"
)

// The README's configuration table is the operator's reference: it must list
// exactly the variables Load reads.
func TestREADME_ConfigurationTableListsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `((?:CONPRO_|DATABASE_)[A-Z_]+|GOGC|GOMEMLIMIT)` \\|").FindAllStringSubmatch(string(readme), -1) {
		documented = append(documented, m[1])
	}
	var read []string
	for _, v := range Vars() {
		read = append(read, v.Name)
	}
	slices.Sort(documented)
	slices.Sort(read)
	if !slices.Equal(documented, read) {
		t.Fatalf("README documents %v; Load reads %v", documented, read)
	}
}

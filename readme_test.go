package tribekit_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The README is tested: a newcomer must be able to paste its blocks in
// order and get what it says.
//
//   - Every ```sh block runs, in order, in one bash session (as in one
//     terminal), from the repository's root, with a timeout. A block right
//     after a line <!-- readme: not run: REASON --> is shown only.
//   - Every ```go block stands, line for line, in a test or example of the
//     repository, which compiles and runs it.

// block is a fenced code block of the README.
type block struct {
	lang   string
	line   int // of the opening fence, 1-based
	text   string
	notRun string // the reason given, if the block is not run
}

func readmeBlocks(t *testing.T) []block {
	t.Helper()
	f, err := os.Open("README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []block
	var cur *block
	var lastComment string
	notRun := regexp.MustCompile(`^<!-- readme: not run: (.+) -->$`)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur != nil && strings.HasPrefix(line, "```"):
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		case strings.HasPrefix(line, "```"):
			cur = &block{lang: strings.TrimSpace(strings.TrimPrefix(line, "```")), line: n, notRun: lastComment}
			lastComment = ""
		case strings.TrimSpace(line) == "":
		default:
			lastComment = ""
			if m := notRun.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
				lastComment = m[1]
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("README.md: the block opened at line %d is never closed", cur.line)
	}
	return blocks
}

// TestReadmeShellBlocks runs the README's shell blocks.
func TestReadmeShellBlocks(t *testing.T) {
	if testing.Short() {
		t.Skip("the README's shell blocks build and run the CLI; not in -short mode")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is needed to run the README's shell blocks")
	}
	var script strings.Builder
	script.WriteString("set -eo pipefail\n")
	n := 0
	for _, b := range readmeBlocks(t) {
		if b.lang != "sh" && b.lang != "bash" && b.lang != "shell" {
			continue
		}
		if b.notRun != "" {
			continue
		}
		n++
		fmt.Fprintf(&script, "echo '::README.md line %d::' >&2\n%s\n", b.line, b.text)
	}
	if n == 0 {
		t.Fatal("README.md has no shell block to run")
	}
	script.WriteString("echo '::README.md done::' >&2\n")

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Env = newcomerEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its background jobs die with it
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
	text := out.String()
	where := "?"
	if i := strings.LastIndex(text, "::README.md line "); i >= 0 {
		where = text[i+len("::README.md line "):]
		where = where[:strings.Index(where, "::")]
	}
	if err != nil || !strings.Contains(text, "::README.md done::") {
		t.Fatalf("the README's shell blocks failed in the block at line %s: %v\n%s", where, err, tail(text, 4000))
	}
	for _, bad := range []string{"panic:", "goroutine ", "[REDACTED]"} {
		if strings.Contains(text, bad) {
			t.Errorf("the README's shell blocks printed %q:\n%s", bad, tail(text, 4000))
		}
	}
}

// newcomerEnv is this process's environment without TRIBE_* variables, as
// a newcomer's shell has it.
func newcomerEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TRIBE_") {
			env = append(env, kv)
		}
	}
	return env
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// TestReadmeGoBlocks checks that every Go block of the README stands, line
// for line (spaces around them aside), in a _test.go file of the
// repository, where it is compiled and run.
func TestReadmeGoBlocks(t *testing.T) {
	var sources []string
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, "_test.go") && path != "readme_test.go" {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sources = append(sources, normalize(string(data)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, b := range readmeBlocks(t) {
		if b.lang != "go" {
			continue
		}
		n++
		want := normalize(b.text)
		found := false
		for _, src := range sources {
			if strings.Contains(src, want) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("the Go block at README.md line %d is in no test or example: copy it into one, so that it is compiled and run", b.line)
		}
	}
	if n == 0 {
		t.Fatal("README.md has no Go block")
	}
}

// normalize trims every line, folds runs of spaces and tabs (gofmt aligns
// comments) and drops empty lines.
func normalize(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if line = strings.Join(strings.Fields(line), " "); line != "" {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

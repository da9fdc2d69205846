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
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	// The README's shell blocks build the CLI with the go command. With
	// the libraries it links imported here, go test builds them once,
	// for this test binary, before the blocks run, instead of a second
	// time in the blocks' go command while go test builds them for the
	// other packages' tests (go-redis alone takes half a minute).
	_ "github.com/spf13/cobra"
	_ "github.com/tribekit/tribekit/tribe/cache/redisstore"
	_ "github.com/tribekit/tribekit/tribe/crm/crmtest"
	_ "github.com/tribekit/tribekit/tribe/grant"
	_ "github.com/tribekit/tribekit/tribe/passthrough"
	_ "github.com/tribekit/tribekit/tribe/schema"
	_ "github.com/tribekit/tribekit/tribe/tribetest"
)

// The README is tested: a newcomer must be able to paste its blocks in
// order and get what it says.
//
//   - Every ```sh block runs, in order, in one bash session (as in one
//     terminal), from the repository's root, with a timeout, offline
//     (GOPROXY=off: what it builds comes from the module cache). A block
//     right after a line <!-- readme: not run: REASON --> is shown only; one
//     after <!-- readme: needs: the modules of .ci/tools --> runs when those
//     modules are in the module cache (go -C .ci/tools mod download), and is
//     left out otherwise, the test then skipped with a message (it fails
//     instead with TRIBEKIT_REQUIRE_GO_TOOLS=1, as in CI).
//   - Every ```go block stands, line for line, in a test or example of the
//     repository, which compiles and runs it.

// block is a fenced code block of the README.
type block struct {
	lang   string
	line   int // of the opening fence, 1-based
	text   string
	notRun string // the reason given, if the block is not run
	needs  string // what the block needs to run, if anything
}

// needToolModules is what a block that builds with the tools of
// .ci/tools says it needs.
const needToolModules = "the modules of .ci/tools"

func readmeBlocks(t *testing.T) []block {
	t.Helper()
	f, err := os.Open("README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []block
	var cur *block
	var lastComment, lastNeeds string
	notRun := regexp.MustCompile(`^<!-- readme: not run: (.+) -->$`)
	needs := regexp.MustCompile(`^<!-- readme: needs: (.+) -->$`)
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
			cur = &block{lang: strings.TrimSpace(strings.TrimPrefix(line, "```")), line: n, notRun: lastComment, needs: lastNeeds}
			lastComment, lastNeeds = "", ""
		case strings.TrimSpace(line) == "":
		default:
			lastComment, lastNeeds = "", ""
			if m := notRun.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
				lastComment = m[1]
			}
			if m := needs.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
				lastNeeds = m[1]
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

// isShell reports whether a block is a shell block.
func isShell(b block) bool { return b.lang == "sh" || b.lang == "bash" || b.lang == "shell" }

// toolModules reports whether the modules .ci/tools requires are in the
// module cache, so that a block can build with them offline; if not, it
// says how to get them. With TRIBEKIT_REQUIRE_GO_TOOLS set, their absence
// fails t.
func toolModules(t *testing.T) (ok bool, how string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", "-C", ".ci/tools", "mod", "download")
	cmd.Env = append(os.Environ(), "GOPROXY=off")
	out, err := cmd.CombinedOutput()
	if err == nil {
		return true, ""
	}
	how = "the modules of .ci/tools are not all in the module cache: run go -C .ci/tools mod download, and the test again"
	if os.Getenv("TRIBEKIT_REQUIRE_GO_TOOLS") != "" {
		t.Fatalf("TRIBEKIT_REQUIRE_GO_TOOLS is set, but %s: %s", how, tail(string(out), 1000))
	}
	return false, how
}

// TestReadmeShellBlocks runs the README's shell blocks, and logs how long
// each took.
func TestReadmeShellBlocks(t *testing.T) {
	if testing.Short() {
		t.Skip("the README's shell blocks build and run the CLI; not in -short mode")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is needed to run the README's shell blocks")
	}
	toolsOK, how := toolModules(t)
	var script strings.Builder
	script.WriteString("set -eo pipefail\n")
	n := 0
	var leftOut []int
	for _, b := range readmeBlocks(t) {
		if !isShell(b) || b.notRun != "" {
			continue
		}
		switch b.needs {
		case "":
		case needToolModules:
			if !toolsOK {
				leftOut = append(leftOut, b.line)
				continue
			}
		default:
			t.Fatalf("README.md line %d: a block needs %q; only %q is known", b.line, b.needs, needToolModules)
		}
		n++
		fmt.Fprintf(&script, "echo \"::README.md line %d:: $(date +%%s.%%N)\" >&2\n%s\n", b.line, b.text)
	}
	if n == 0 {
		t.Fatal("README.md has no shell block to run")
	}
	script.WriteString("echo \"::README.md done:: $(date +%s.%N)\" >&2\n")

	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", script.String())
	cmd.Env = readmeEnv(t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its background jobs die with it
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
	text := out.String()
	marks := blockTimes(text)
	for i := 0; i+1 < len(marks); i++ {
		t.Logf("README.md line %s: %.1fs", marks[i].line, marks[i+1].at-marks[i].at)
	}
	where := "?"
	if len(marks) > 0 {
		where = marks[len(marks)-1].line
	}
	if err != nil || !strings.Contains(text, "::README.md done::") {
		t.Fatalf("the README's shell blocks failed in the block at line %s: %v\n%s", where, err, tail(text, 4000))
	}
	for _, bad := range []string{"panic:", "goroutine ", "[REDACTED]"} {
		if strings.Contains(text, bad) {
			t.Errorf("the README's shell blocks printed %q:\n%s", bad, tail(text, 4000))
		}
	}
	if len(leftOut) > 0 {
		t.Skipf("every shell block ran but those at README.md lines %v: %s", leftOut, how)
	}
}

// mark is where a block of the script started, as it printed it.
type mark struct {
	line string  // the README's line, or "done"
	at   float64 // seconds since 1970
}

// blockTimes reads the marks the script printed before each block.
func blockTimes(out string) []mark {
	var marks []mark
	for _, m := range regexp.MustCompile(`::README\.md (?:line (\d+)|(done)):: ([0-9.]+)`).FindAllStringSubmatch(out, -1) {
		at, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			continue
		}
		marks = append(marks, mark{line: m[1] + m[2], at: at})
	}
	return marks
}

// TestReadmeMockWaitEndsWhenTheMockDies: the README's wait for the mock's
// settings ends when the mock does, as one that cannot start ends at once.
func TestReadmeMockWaitEndsWhenTheMockDies(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is needed to run the README's shell blocks")
	}
	var wait string
	for _, b := range readmeBlocks(t) {
		if isShell(b) && strings.Contains(b.text, "MOCK_PID=$!") {
			wait = b.text
		}
	}
	require.NotEmpty(t, wait, "README.md starts the mock in a block with MOCK_PID=$!")
	start := regexp.MustCompile(`(?m)^tribe-token mock [^>]*>`)
	require.Regexp(t, start, wait)
	// A mock that fails as one given a bad --fixtures file does.
	dies := start.ReplaceAllLiteralString(wait, `sh -c 'echo "tribe-token: reading --fixtures f.json: no such file" >&2; exit 2' >`)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", "set -eo pipefail\n"+dies)
	cmd.Env = readmeEnv(t.TempDir())
	out, _ := cmd.CombinedOutput()
	require.NoError(t, ctx.Err(), "the wait did not end: %s", out)
	assert.Contains(t, string(out), "reading --fixtures f.json: no such file", "the mock's error is shown")
}

// readmeEnv is the environment the README's blocks run in: a newcomer's
// (no TRIBE_* variables), offline (GOPROXY=off; GOSUMDB=off, as the
// checksums of the module cache's modules were checked when they were
// downloaded), with `go install` writing into dir/bin, on PATH, and
// mktemp into dir.
func readmeEnv(dir string) []string {
	bin := filepath.Join(dir, "bin")
	env := newcomerEnv()
	for i, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			env[i] = "PATH=" + bin + string(os.PathListSeparator) + v
		}
	}
	return append(env, "GOPROXY=off", "GOSUMDB=off", "GOBIN="+bin, "TMPDIR="+dir)
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

// TestReadmeRecipePinsTheToolsVersions: the genqlient recipe asks for the
// genqlient and golang.org/x/tools that .ci/tools pins, which CI builds
// and downloads.
func TestReadmeRecipePinsTheToolsVersions(t *testing.T) {
	mod, err := os.ReadFile(".ci/tools/go.mod")
	require.NoError(t, err)
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for _, path := range []string{"github.com/Khan/genqlient", "golang.org/x/tools"} {
		m := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(path) + ` (v\S+)`).FindSubmatch(mod)
		require.NotNil(t, m, ".ci/tools/go.mod requires %s", path)
		assert.Contains(t, string(readme), path+"@"+string(m[1]), "the README's recipe asks for the %s .ci/tools pins", path)
	}
}

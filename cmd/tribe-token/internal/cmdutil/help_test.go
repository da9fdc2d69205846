package cmdutil

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
)

func TestWidth(t *testing.T) {
	tests := []struct {
		name    string
		columns string
		want    int
	}{
		{"a pipe, COLUMNS unset", "", pipeWidth},
		{"COLUMNS", "60", 60},
		{"COLUMNS too narrow", "10", minWidth},
		{"COLUMNS too wide", "300", maxWidth},
		{"COLUMNS not a number", "wide", pipeWidth},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := New(strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{}, func(k string) string {
				if k == "COLUMNS" {
					return tc.columns
				}
				return ""
			})
			assert.Equal(t, tc.want, f.Width())
		})
	}
	t.Run("a file is not a terminal", func(t *testing.T) {
		file, err := os.Create(t.TempDir() + "/out")
		require.NoError(t, err)
		defer file.Close()
		assert.False(t, text.IsTerminal(file))
		assert.False(t, text.Foreground(file))
		f := New(strings.NewReader(""), file, file, func(string) string { return "" })
		assert.Equal(t, pipeWidth, f.Width())
	})
}

func TestReflow(t *testing.T) {
	long := strings.Repeat("word ", 30)
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"a short paragraph stays", "Mint a token.\nFor a member.", "Mint a token. For a member."},
		{"a paragraph is refilled", strings.TrimSpace(long), strings.TrimSpace(strings.Repeat("word ", 8)) + "\n" + strings.TrimSpace(strings.Repeat("word ", 8)) + "\n" + strings.TrimSpace(strings.Repeat("word ", 8)) + "\n" + strings.TrimSpace(strings.Repeat("word ", 6))},
		{"paragraphs stay apart", "one\n\ntwo", "one\n\ntwo"},
		{"a list item hangs under its text", "  - " + strings.TrimSpace(long[:60]) + "\n    more", "  - word word word word word word word\n    word word word word word more"},
		{"a definition wraps in its column", "  TRIBE_TOKEN   " + strings.TrimSpace(long[:60]), "  TRIBE_TOKEN   word word word word word\n                word word word word word\n                word word"},
		{"a command is kept", "  (umask 077; head -c 32 /dev/urandom | base64 > a-rather-long-file-name.txt)", "  (umask 077; head -c 32 /dev/urandom | base64 > a-rather-long-file-name.txt)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Reflow(tc.in, 40)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestWrapExample(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"short", "  tribe-token mint", "  tribe-token mint"},
		{"continued with a backslash", "  tribe-token mint --network CAx1mZ7I7a --member Dm12KzW34 -o json",
			"  tribe-token mint --network CAx1mZ7I7a \\\n      --member Dm12KzW34 -o json"},
		{"never inside quotes", "  tribe-token api 'query { authMember { id name } }' --paginate",
			"  tribe-token api \\\n      'query { authMember { id name } }' \\\n      --paginate"},
		{"a quote too long for a line is kept whole", "  eval \"$(tribe-token refresh --community https://community.example.com -o env)\"",
			"  eval \\\n      \"$(tribe-token refresh --community https://community.example.com -o env)\""},
		{"a comment", "  # " + strings.Repeat("word ", 12), "  # word word word word word word word word\n  # word word word word"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, wrapExample(tc.in, 45))
		})
	}
}

// TestHelpWrapsWhenPiped runs --help of a command with long texts, flags
// and examples into a buffer: every line fits 80 columns, nothing is lost.
func TestHelpWrapsWhenPiped(t *testing.T) {
	f, stdout := helpFactory(nil)
	cmd := &cobra.Command{
		Use:        "thing --flag VALUE",
		Short:      "Do a thing",
		SuggestFor: []string{"stuff"},
		Long:       "Do a thing " + strings.Repeat("at length ", 20) + "\n\n  - an item " + strings.Repeat("that goes on ", 10),
		Example:    "  tribe-token thing --flag " + strings.Repeat("value-", 6) + " --other 'a quoted part that is long enough'",
		RunE:       func(*cobra.Command, []string) error { return nil },
	}
	cmd.Flags().String("flag", "", "a flag whose `VALUE` is described "+strings.Repeat("in many words ", 12))
	cmd.Flags().Bool("a-flag-with-a-name-too-long-for-the-column", false, "its description starts on the next line")
	require.Equal(t, ExitOK, Execute(context.Background(), f, cmd, []string{"--help"}))
	out := stdout.String()
	for _, l := range strings.Split(out, "\n") {
		assert.LessOrEqual(t, len(l), pipeWidth, "%q", l)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{"Usage: thing --flag VALUE [flags]", "Examples:", "Flags:", "--flag VALUE a flag whose VALUE is described in many words",
		"--a-flag-with-a-name-too-long-for-the-column its description starts on the next line", "- an item that goes on"} {
		assert.Contains(t, flat, want)
	}
	assert.Contains(t, out, "'a quoted part that is long enough'", "a quoted part is never broken")
	assert.Contains(t, out, " \\\n      ", "a long example is continued with a backslash")

	t.Run("at the width COLUMNS says", func(t *testing.T) {
		f, stdout := helpFactory(map[string]string{"COLUMNS": "60"})
		require.Equal(t, ExitOK, Execute(context.Background(), f, cmd, []string{"--help"}))
		for _, l := range strings.Split(stdout.String(), "\n") {
			assert.LessOrEqual(t, len(l), 60, "%q", l)
		}
	})
}

// helpFactory is a Factory whose stdout, returned, is a buffer.
func helpFactory(env map[string]string) (*Factory, *bytes.Buffer) {
	var stdout bytes.Buffer
	return New(strings.NewReader(""), &stdout, &bytes.Buffer{}, func(k string) string { return env[k] }), &stdout
}

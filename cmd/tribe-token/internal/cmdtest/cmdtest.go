// Package cmdtest helps the tests of tribe-token's commands: a Factory over
// buffers and a fake environment; [ParseFlags], which runs a command's
// constructor with a run function that captures its Options, so that flag
// parsing is tested without a server; [Exec], which runs one command for
// real; and what those tests share: the mock servers and their environment
// ([NewMock], [AppEnv], [NewCRM]), the checks of a run's outcome
// ([RequireOK], [RequireFail]) and test doubles (a [LineWriter], a
// [RecordingTransport], files that cannot be written).
package cmdtest

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// Factory returns a Factory whose stdin reads stdin, whose stdout and
// stderr are the buffers returned, and whose environment is env.
func Factory(env map[string]string, stdin string) (f *cmdutil.Factory, stdout, stderr *bytes.Buffer) {
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	f = cmdutil.New(strings.NewReader(stdin), stdout, stderr, func(k string) string { return env[k] })
	return f, stdout, stderr
}

// Outcome is what one run of a command did.
type Outcome struct {
	// Code is the exit code.
	Code int
	// Stdout and Stderr are the command's output.
	Stdout, Stderr string
	// Factory is the run's Factory.
	Factory *cmdutil.Factory
}

// Result is what [ParseFlags] saw.
type Result[O any] struct {
	// Opts is what the run function was given, nil if it was not called.
	Opts *O
	Outcome
}

// ParseFlags builds a command with newCmd and a run function that captures
// its Options, and executes it with args as tribe-token would (usage errors
// exit 2 with one line on stderr). Nothing is sent anywhere.
func ParseFlags[O any](ctx context.Context, env map[string]string, newCmd func(*cmdutil.Factory, func(*O) error) *cobra.Command, args ...string) Result[O] {
	f, stdout, stderr := Factory(env, "")
	var got *O
	cmd := newCmd(f, func(o *O) error {
		got = o
		return nil
	})
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	code := cmdutil.Execute(ctx, f, cmd, args)
	return Result[O]{Opts: got, Outcome: Outcome{Code: code, Stdout: stdout.String(), Stderr: stderr.String(), Factory: f}}
}

// Exec runs the command newCmd builds for real (no run function of the
// test's), as tribe-token would run it, with the environment env and an
// empty stdin; hook, if not nil, sets the run's test hooks (Transport,
// RateLimitWait, In through [Stdin], ...) first. The command's --timeout,
// if it has none of its own, is the root's default, 30s.
func Exec[O any](ctx context.Context, env map[string]string, hook func(*cmdutil.Factory), newCmd func(*cmdutil.Factory, func(*O) error) *cobra.Command, args ...string) Outcome {
	return ExecTree(ctx, env, hook, func(f *cmdutil.Factory) *cobra.Command { return Command(f, newCmd) }, args...)
}

// Command builds the command newCmd builds, for real, with a --timeout
// flag (the root's default) if it has none of its own, as it has under
// tribe-token's root; [cmdutil.Execute] runs it with a Factory of the
// caller's, whose streams a test may watch while it runs.
func Command[O any](f *cmdutil.Factory, newCmd func(*cmdutil.Factory, func(*O) error) *cobra.Command) *cobra.Command {
	cmd := newCmd(f, nil)
	if cmd.Flags().Lookup("timeout") == nil {
		cmd.Flags().Duration("timeout", f.Timeout(), "")
	}
	return cmd
}

// ExecTree is [Exec] for a whole command tree, such as the root's
// NewCmdRoot builds, or a group's: args start with the command's name.
func ExecTree(ctx context.Context, env map[string]string, hook func(*cmdutil.Factory), newTree func(*cmdutil.Factory) *cobra.Command, args ...string) Outcome {
	f, stdout, stderr := Factory(env, "")
	if hook != nil {
		hook(f)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	code := cmdutil.Execute(ctx, f, newTree(f), args)
	return Outcome{Code: code, Stdout: stdout.String(), Stderr: stderr.String(), Factory: f}
}

// Stdin is a hook for [Exec] that gives the run s as its stdin.
func Stdin(s string) func(*cmdutil.Factory) {
	return func(f *cmdutil.Factory) { f.In = strings.NewReader(s) }
}

// Hooks is one hook for [Exec] that runs each of hooks (nil ones skipped)
// in turn.
func Hooks(hooks ...func(*cmdutil.Factory)) func(*cmdutil.Factory) {
	return func(f *cmdutil.Factory) {
		for _, h := range hooks {
			if h != nil {
				h(f)
			}
		}
	}
}

// Suggestion runs "tribe-token WORD" in a tree that holds the command
// newCmd builds, and returns the one error line it prints: an unknown
// command, and the commands it may have meant (cobra's SuggestFor and
// spelling distance).
func Suggestion[O any](ctx context.Context, newCmd func(*cmdutil.Factory, func(*O) error) *cobra.Command, word string) string {
	f, _, stderr := Factory(nil, "")
	root := &cobra.Command{Use: cmdutil.ProgName, Args: cmdutil.GroupArgs, RunE: f.RunE(cmdutil.GroupRun)}
	root.AddCommand(newCmd(f, nil))
	cmdutil.Execute(ctx, f, root, []string{word})
	return stderr.String()
}

// FlagCase is one row of a command's flag table: a command line and the
// Options it parses to, or the usage error it gives.
type FlagCase[O any] struct {
	Name string
	Env  map[string]string
	Args []string
	// Want is the Options expected, its Factory field left nil.
	Want O
	// WantErr, if not empty, is what the one-line usage error (exit code
	// 2) must contain, typically the flag's name; the run function is then
	// never called.
	WantErr string
}

// RunFlagTable runs each case through newCmd with a run function that
// captures the Options, without a server or the network, and checks the
// Options or the usage error.
func RunFlagTable[O any](t *testing.T, newCmd func(*cmdutil.Factory, func(*O) error) *cobra.Command, cases []FlagCase[O]) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			r := ParseFlags(t.Context(), tc.Env, newCmd, tc.Args...)
			if tc.WantErr != "" {
				assert.Equal(t, cmdutil.ExitUsage, r.Code, "stderr: %s", r.Stderr)
				assert.Nil(t, r.Opts, "the run function is not called")
				assert.True(t, strings.HasPrefix(r.Stderr, cmdutil.ProgName+": "), r.Stderr)
				assert.Equal(t, 1, strings.Count(r.Stderr, "\n"), "one line: %q", r.Stderr)
				assert.Contains(t, r.Stderr, tc.WantErr)
				return
			}
			require.Equal(t, cmdutil.ExitOK, r.Code, "stderr: %s", r.Stderr)
			require.NotNil(t, r.Opts, "the run function is called")
			v := reflect.ValueOf(r.Opts).Elem().FieldByName("Factory")
			require.True(t, v.IsValid(), "Options has a Factory field")
			assert.Same(t, r.Factory, v.Interface(), "Options.Factory is the run's")
			v.Set(reflect.Zero(v.Type()))
			assert.Equal(t, tc.Want, *r.Opts)
		})
	}
}

// Invocation is one command line of a test: its environment, stdin and
// arguments, and the run's test hooks.
type Invocation struct {
	Env   map[string]string
	Stdin string
	Args  []string
	// Hook, if not nil, sets the run's test hooks, as [Exec]'s hook.
	Hook func(*cmdutil.Factory)
}

// Run runs inv through the command newCmd builds, as [Exec] does; inv's
// Args are the command's own, without its name.
func Run[O any](t *testing.T, newCmd func(*cmdutil.Factory, func(*O) error) *cobra.Command, inv Invocation) Outcome {
	t.Helper()
	return Exec(t.Context(), inv.Env, Hooks(Stdin(inv.Stdin), inv.Hook), newCmd, inv.Args...)
}

// RunTree runs inv through the command tree newTree builds (tribe-token's
// root.NewCmdRoot): inv's Args start with the command's name.
func RunTree(t *testing.T, newTree func(*cmdutil.Factory) *cobra.Command, inv Invocation) Outcome {
	t.Helper()
	return ExecTree(t.Context(), inv.Env, Hooks(Stdin(inv.Stdin), inv.Hook), newTree, inv.Args...)
}

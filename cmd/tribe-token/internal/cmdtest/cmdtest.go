// Package cmdtest helps the tests of tribe-token's commands: a Factory over
// buffers and a fake environment, and [ParseFlags], which runs a command's
// constructor with a run function that captures its Options, so that flag
// parsing is tested without a server.
package cmdtest

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// Factory returns a Factory whose stdin reads stdin, whose stdout and
// stderr are the buffers returned, and whose environment is env.
func Factory(env map[string]string, stdin string) (f *cmdutil.Factory, stdout, stderr *bytes.Buffer) {
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	f = cmdutil.New(strings.NewReader(stdin), stdout, stderr, func(k string) string { return env[k] })
	return f, stdout, stderr
}

// Result is what [ParseFlags] saw.
type Result[O any] struct {
	// Opts is what the run function was given, nil if it was not called.
	Opts *O
	// Code is the exit code.
	Code int
	// Stdout and Stderr are the command's output.
	Stdout, Stderr string
	// Factory is the run's Factory.
	Factory *cmdutil.Factory
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
	return Result[O]{Opts: got, Code: code, Stdout: stdout.String(), Stderr: stderr.String(), Factory: f}
}

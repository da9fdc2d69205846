package cmdtest

import (
	"fmt"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// echoOptions are the Options of echoCmd.
type echoOptions struct {
	Factory *cmdutil.Factory
	Name    string
}

// newEchoCmd is a command that prints its stdin and the TEST_NAME
// variable, and fails with a usage error if its --name is "bad".
func newEchoCmd(f *cmdutil.Factory, runF func(*echoOptions) error) *cobra.Command {
	o := &echoOptions{Factory: f}
	cmd := &cobra.Command{
		Use:  "echo",
		Args: cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Name == "bad" {
				return cmdutil.Usagef("--name %q is bad", o.Name)
			}
			if runF != nil {
				return runF(o)
			}
			var in [64]byte
			n, _ := f.In.Read(in[:])
			fmt.Fprintf(f.Out, "%s %s %s\n", o.Name, f.Env("TEST_NAME"), in[:n])
			return nil
		},
	}
	cmd.Flags().StringVar(&o.Name, "name", "", "a name")
	return cmd
}

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		inv      Invocation
		code     int
		stdout   string
		inStderr string
	}{
		{"flags, environment and stdin", Invocation{Env: map[string]string{"TEST_NAME": "env"}, Stdin: "in", Args: []string{"--name", "flag"}}, cmdutil.ExitOK, "flag env in\n", ""},
		{"a hook", Invocation{Hook: Stdin("hooked"), Args: []string{"--name", "n"}}, cmdutil.ExitOK, "n  hooked\n", ""},
		{"a usage error", Invocation{Args: []string{"--name", "bad"}}, cmdutil.ExitUsage, "", `tribe-token: --name "bad" is bad`},
		{"an argument", Invocation{Args: []string{"x"}}, cmdutil.ExitUsage, "", "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Run(t, newEchoCmd, tt.inv)
			assert.Equal(t, tt.code, r.Code, r.Stderr)
			assert.Equal(t, tt.stdout, r.Stdout)
			assert.Contains(t, r.Stderr, tt.inStderr)
		})
	}
	t.Run("a tree", func(t *testing.T) {
		newTree := func(f *cmdutil.Factory) *cobra.Command {
			root := &cobra.Command{Use: cmdutil.ProgName}
			root.AddCommand(Command(f, newEchoCmd))
			return root
		}
		r := RunTree(t, newTree, Invocation{Args: []string{"echo", "--name", "sub", "--timeout", "1s"}})
		assert.Equal(t, cmdutil.ExitOK, r.Code, r.Stderr)
		assert.Equal(t, "sub  \n", r.Stdout)
	})
}

func TestWith(t *testing.T) {
	env := map[string]string{"A": "1", "B": "2"}
	got := With(env, "B", "3", "C", "4")
	assert.Equal(t, map[string]string{"A": "1", "B": "3", "C": "4"}, got)
	assert.Equal(t, map[string]string{"A": "1", "B": "2"}, env, "env is not changed")
}

func TestParseEnvOutput(t *testing.T) {
	got := ParseEnvOutput(t, "export TRIBE_TOKEN='tok'\nexport TRIBE_URL='http://x/?a=b'\nunset TRIBE_GATEWAY_URL\n")
	assert.Equal(t, map[string]string{"TRIBE_TOKEN": "tok", "TRIBE_URL": "http://x/?a=b"}, got)
}

func TestField(t *testing.T) {
	v := map[string]any{"a": []any{map[string]any{"b": "c"}}}
	tests := []struct {
		path []any
		want any
	}{
		{[]any{"a", 0, "b"}, "c"},
		{[]any{"a", 1, "b"}, nil},
		{[]any{"x", 0}, nil},
		{[]any{"a", "b"}, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.path...), func(t *testing.T) {
			assert.Equal(t, tt.want, Field(v, tt.path...))
		})
	}
}

func TestLineWriter(t *testing.T) {
	w := NewLineWriter(2)
	_, _ = w.Write([]byte("one\ntw"))
	_, _ = w.Write([]byte("o\nthree\n"))
	assert.Equal(t, "one", <-w.Lines)
	assert.Equal(t, "two", <-w.Lines, "a line written in two pieces")
	assert.Empty(t, w.Lines, "a line past the buffer is dropped, not waited for")
	assert.Equal(t, "one\ntwo\nthree\n", w.String())
}

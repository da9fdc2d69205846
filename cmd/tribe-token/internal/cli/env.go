package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/internal/redact"
)

// env is one run's world: its standard streams, environment and clock, and
// what the run has learnt so far. Nothing of it is global, so runs in tests
// are independent.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time

	// Hooks for tests, zero in production. transport, if set, sends every
	// HTTP request of the run; environ is the process environment handed,
	// filtered, to the browser (os.Environ if nil); browser is the command
	// that opens a URL, the URL appended (the platform's opener if nil);
	// defaultTimeout is --timeout's default (30s if zero).
	transport      http.RoundTripper
	environ        func() []string
	browser        []string
	defaultTimeout time.Duration

	started   bool            // a command's RunE began: later errors are not cobra's usage errors
	bounded   context.Context // the command's context bounded by --timeout, once made
	stdinUsed string          // what was read from stdin ("-"), if anything
	secrets   []string        // secrets read by this run, redacted from error lines
}

// maxSecretFile bounds what is read from a secret file or stdin.
const maxSecretFile = 1 << 20

// secretSpec says where a secret may come from.
type secretSpec struct {
	what    string // e.g. "client secret"
	envVar  string // e.g. "TRIBE_CLIENT_SECRET"
	fileArg string // the flag naming a file, e.g. "client-secret-file"
	file    string // that flag's value: a path, "-" for stdin, or ""
}

// secret reads a secret from its file flag (a path, or "-" for stdin) if
// set, else from its environment variable. One trailing newline is trimmed
// from a file. A missing secret is a [usageError] naming both ways to give
// it. The value is remembered so that no error line shows it.
func (e *env) secret(s secretSpec) (string, error) {
	v, ok, err := e.optionalSecret(s)
	if err != nil {
		return "", err
	}
	if !ok {
		if s.envVar == "" {
			return "", usagef("no %s; pass --%s FILE (- for stdin)", s.what, s.fileArg)
		}
		// "no password: set" would read as a credential to redact.
		return "", usagef("no %s; set %s, or pass --%s FILE (- for stdin)", s.what, s.envVar, s.fileArg)
	}
	return v, nil
}

// optionalSecret is [env.secret] for a secret that may be absent.
func (e *env) optionalSecret(s secretSpec) (string, bool, error) {
	var v string
	if s.file != "" {
		b, err := e.readInput(s.file, s.what)
		if err != nil {
			return "", false, err
		}
		v = trimNewline(string(b))
		if v == "" {
			return "", false, usagef("the %s file %s is empty", s.what, displayPath(s.file))
		}
	} else if s.envVar != "" {
		v = e.getenv(s.envVar)
		if v == "" {
			return "", false, nil
		}
	}
	if v == "" {
		return "", false, nil
	}
	e.secrets = append(e.secrets, v)
	return v, true, nil
}

// readInput reads a whole file, or stdin for "-" (only once per run), for
// the input named what. Its errors never contain what was read.
func (e *env) readInput(path, what string) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		if e.stdinUsed != "" {
			return nil, usagef("only one input can come from stdin (-), and it is already the %s; put the %s in a file", e.stdinUsed, what)
		}
		e.stdinUsed = what
		r = e.stdin
		if r == nil {
			r = strings.NewReader("")
		}
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, usagef("reading the %s: %w", what, err)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxSecretFile+1))
	if err != nil {
		return nil, usagef("reading the %s from %s: %w", what, displayPath(path), err)
	}
	if len(b) > maxSecretFile {
		return nil, usagef("the %s in %s is larger than %d bytes; is it the right file?", what, displayPath(path), maxSecretFile)
	}
	return b, nil
}

// displayPath names a file argument in messages.
func displayPath(path string) string {
	if path == "-" {
		return "stdin"
	}
	return path
}

// trimNewline removes one trailing "\n" or "\r\n".
func trimNewline(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}

// redact replaces every secret this run read or received, in each form it
// may be echoed in (literal, URL-encoded, inside base64), and anything shaped
// like a credential, with [redact.Marker].
func (e *env) redact(s string) string { return redact.String(s, e.secrets...) }

// addSecret remembers secrets this run received, such as the tokens read
// from a token file, so that no error line shows them.
func (e *env) addSecret(secrets ...string) {
	for _, s := range secrets {
		if s != "" {
			e.secrets = append(e.secrets, s)
		}
	}
}

// timeoutCtx returns the command's context bounded by --timeout, if set.
func (e *env) timeoutCtx(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	ctx := cmd.Context()
	var cancel context.CancelFunc
	if d, err := cmd.Flags().GetDuration("timeout"); err == nil && d > 0 {
		ctx, cancel = context.WithTimeout(ctx, d)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	e.bounded = ctx
	return ctx, cancel
}

// runE wraps a command's work: it marks the run as started, so that its
// errors are told apart from cobra's usage errors, and turns a deadline into
// a clear message.
func (e *env) runE(f func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		e.started = true
		err := f(cmd, args)
		// Some errors (golang.org/x/oauth2's) keep only the text of the
		// deadline: the context says whether --timeout ran out.
		timedOut := errors.Is(err, context.DeadlineExceeded) ||
			(err != nil && e.bounded != nil && errors.Is(e.bounded.Err(), context.DeadlineExceeded))
		if timedOut && !explainsTimeout(err) {
			d, _ := cmd.Flags().GetDuration("timeout")
			return withHint(err, fmt.Sprintf("no answer within --timeout %s; check the endpoint and your network, or raise --timeout", d))
		}
		return err
	}
}

// noArgs refuses positional arguments without echoing them, as a secret
// pasted on the command line must not be printed back.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("%s takes no arguments but got %d; secrets and tokens are read from environment variables or files, never from the command line", cmd.CommandPath(), len(args))
	}
	return nil
}

// secretFlagHint explains, for an unknown flag that looks like a secret,
// where that secret is read from instead.
func secretFlagHint(cmd *cobra.Command, msg string) string {
	const prefix = "unknown flag: --"
	i := strings.Index(msg, prefix)
	if i < 0 {
		return ""
	}
	name := msg[i+len(prefix):]
	if j := strings.IndexAny(name, " =;"); j >= 0 {
		name = name[:j]
	}
	vars := map[string]string{
		"client-secret": "TRIBE_CLIENT_SECRET",
		"secret":        "TRIBE_CLIENT_SECRET",
		"password":      "TRIBE_PASSWORD",
		"token":         "TRIBE_TOKEN",
		"access-token":  "TRIBE_TOKEN",
		"refresh-token": "TRIBE_REFRESH_TOKEN",
	}
	files := map[string]string{
		"client-secret": "--client-secret-file",
		"secret":        "--client-secret-file",
		"password":      "--password-file",
		"token":         "--token-file",
		"access-token":  "--token-file",
		"refresh-token": "--refresh-token-file",
		"hs256-secret":  "--hs256-secret-file",
		"private-key":   "--private-key-file",
	}
	file, ok := files[name]
	if !ok {
		return ""
	}
	how := "pass " + file + " FILE (- for stdin)"
	if v := vars[name]; v != "" {
		if cmd != nil && strings.Contains(cmd.CommandPath(), " crm") {
			v = strings.Replace(v, "TRIBE_", "TRIBE_CRM_", 1)
		}
		how = "set " + v + " or " + how
	}
	return "; secrets are never read from flag values: " + how
}

// stdoutLine prints one line on stdout.
func (e *env) stdoutLine(s string) { fmt.Fprintln(e.stdout, s) }

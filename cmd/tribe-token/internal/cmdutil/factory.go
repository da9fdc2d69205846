// Package cmdutil is what every tribe-token command shares: the [Factory]
// (one run's standard streams, environment, clock, test hooks and the
// secrets it read), the exit codes and the one-line error shape, reading
// secrets from environment variables or --*-file flags (or stdin), the one
// plain-http rule and the output formats. How text is shown (escaped,
// clipped, in tables) is package text's. Commands live in the packages under
// internal/cmd, each with an Options struct, a NewCmdX constructor and a
// run function.
package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/internal/redact"
)

// Factory is one run's world: its standard streams, environment and clock,
// hooks for tests, and what the run has learnt so far (the secrets it read,
// whether a command started). Nothing of it is global, so runs in tests are
// independent. Make one per run; it is not copied.
type Factory struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// Getenv reads an environment variable ("" if unset).
	Getenv func(string) string
	// Now is the clock expiries are shown against.
	Now func() time.Time

	// Hooks for tests, zero in production. Transport, if set, sends every
	// HTTP request of the run; Environ is the process environment handed,
	// filtered, to the browser (os.Environ if nil); Browser is the command
	// that opens a URL, the URL appended (the platform's opener if nil);
	// DefaultTimeout is --timeout's default (30s if zero); RateLimitWait
	// replaces tribe.RateLimitWindow as the wait before a call the API
	// rate-limited without a Retry-After is sent again.
	Transport      http.RoundTripper
	Environ        func() []string
	Browser        []string
	DefaultTimeout time.Duration
	RateLimitWait  time.Duration

	mu          sync.Mutex
	started     bool            // a command's RunE began: later errors are not cobra's usage errors
	bounded     context.Context // the command's context bounded by --timeout, once made
	maxWait     time.Duration   // the command's --max-wait, if it has the flag
	maxWaitFlag bool            // whether it has
	stdinUsed   string          // what was read from stdin ("-"), if anything
	secrets     []string        // secrets read by this run, redacted from error lines
}

// New returns the Factory of a run with these streams and environment, on
// the real clock.
func New(stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *Factory {
	return &Factory{In: stdin, Out: stdout, ErrOut: stderr, Getenv: getenv, Now: time.Now}
}

// defaultTimeout is --timeout's default: no command waits for ever on a
// server that answers slowly or not at all.
const defaultTimeout = 30 * time.Second

// Timeout is --timeout's default for this run.
func (f *Factory) Timeout() time.Duration {
	if f.DefaultTimeout != 0 {
		return f.DefaultTimeout
	}
	return defaultTimeout
}

// Env reads an environment variable through [Factory.Getenv].
func (f *Factory) Env(name string) string {
	if f.Getenv == nil {
		return ""
	}
	return f.Getenv(name)
}

// Redact replaces every secret this run read or received, in each form it
// may be echoed in (literal, URL-encoded, inside base64), and anything shaped
// like a credential, with [redact.Marker].
func (f *Factory) Redact(s string) string { return redact.String(s, f.Secrets()...) }

// AddSecret remembers secrets this run received, such as the tokens read
// from a token file, so that no error line shows them.
func (f *Factory) AddSecret(secrets ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range secrets {
		if s != "" {
			f.secrets = append(f.secrets, s)
		}
	}
}

// Secrets returns the secrets this run read so far.
func (f *Factory) Secrets() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.secrets...)
}

// HTTPClient returns the client every request of the run is sent with: nil,
// so that the libraries use their own (with an overall timeout), unless a
// test gave the run a transport of its own.
func (f *Factory) HTTPClient() *http.Client {
	if f.Transport == nil {
		return nil
	}
	return &http.Client{Transport: f.Transport}
}

// isStarted reports whether a command's work began.
func (f *Factory) isStarted() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.started
}

// timeoutContext returns the command's context bounded by --timeout, if the
// command has that flag and it is set. It also notes the command's
// --max-wait, if it has that flag, for [Factory.Retry].
func (f *Factory) timeoutContext(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	var cancel context.CancelFunc
	if d, err := cmd.Flags().GetDuration("timeout"); err == nil && d > 0 {
		ctx, cancel = context.WithTimeout(ctx, d)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	maxWait, err := cmd.Flags().GetDuration("max-wait")
	f.mu.Lock()
	f.bounded = ctx
	f.maxWait, f.maxWaitFlag = maxWait, err == nil
	f.mu.Unlock()
	return ctx, cancel
}

// RunE wraps a command's work: it marks the run as started, so that its
// errors are told apart from cobra's usage errors, refuses a string flag
// given as empty (see checkEmptyFlags) and an --output not among the
// command's formats (see [AddOutputFlag]), and turns a deadline into a clear
// message.
func (f *Factory) RunE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		f.mu.Lock()
		f.started = true
		f.mu.Unlock()
		if err := checkEmptyFlags(cmd); err != nil {
			return err
		}
		if err := checkOutput(cmd); err != nil {
			return err
		}
		err := fn(cmd, args)
		f.mu.Lock()
		bounded := f.bounded
		f.mu.Unlock()
		// Some errors (golang.org/x/oauth2's) keep only the text of the
		// deadline: the context says whether --timeout ran out.
		timedOut := errors.Is(err, context.DeadlineExceeded) ||
			(err != nil && bounded != nil && errors.Is(bounded.Err(), context.DeadlineExceeded))
		if timedOut && !explainsTimeout(err) {
			d, _ := cmd.Flags().GetDuration("timeout")
			return WithHint(err, fmt.Sprintf("no answer within --timeout %s; check the endpoint and your network, or raise --timeout", d))
		}
		return err
	}
}

// Warnf prints one line on stderr, "tribe-token: " and the message, with
// the run's secrets redacted and made inert for the terminal.
func (f *Factory) Warnf(format string, a ...any) {
	fmt.Fprintln(f.ErrOut, ProgName+": "+text.Inert(text.ClipLine(f.Redact(oneLine(fmt.Sprintf(format, a...))))))
}

// Println prints one line on stdout.
func (f *Factory) Println(s string) { fmt.Fprintln(f.Out, s) }

// envDefault finds the environment variable a flag's help names as its
// default, "$TRIBE_X".
var envDefault = regexp.MustCompile(`\$(TRIBE_[A-Z0-9_]+)`)

// checkEmptyFlags refuses a string flag given explicitly as empty
// (--network "", --endpoint=): it is a usage error naming the flag, never
// a silent fall back to the environment variable or the default.
func checkEmptyFlags(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if err != nil || fl.Value.Type() != "string" || fl.Value.String() != "" {
			return
		}
		how := "leave the flag out for its default"
		if m := envDefault.FindStringSubmatch(fl.Usage); m != nil {
			how = "leave the flag out to use " + m[1]
		}
		err = Usagef("--%s is empty; give a value, or %s", fl.Name, how)
	})
	return err
}

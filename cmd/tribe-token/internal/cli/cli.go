// Package cli implements the tribe-token command: minting, inspecting and
// serving Tribe access tokens. [Run] is the whole program, so tests run it
// in-process with a fake environment; main only calls it.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/crm"
)

// progName is the program's name, the prefix of every error line.
const progName = "tribe-token"

// Exit codes of [Run].
const (
	// ExitOK: the command did what was asked.
	ExitOK = 0
	// ExitFailure: the server (or the network to it) refused or failed.
	ExitFailure = 1
	// ExitUsage: bad usage or input: an unknown flag or command, missing
	// credentials, conflicting flags, a malformed token or file.
	ExitUsage = 2
)

// Run runs tribe-token with args (without the program name) and returns its
// exit code: [ExitOK], [ExitFailure] or [ExitUsage]. Input comes only from
// args, stdin, getenv and the files args name; output goes to stdout, and
// errors to stderr as one line starting "tribe-token: ". ctx cancels the
// command; the mock command also stops on SIGINT or SIGTERM.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{
		stdin:  stdin,
		stdout: stdout,
		stderr: stderr,
		getenv: getenv,
		now:    time.Now,
	}
	return e.run(ctx, args)
}

// run executes the command tree once for args and reports the outcome.
func (e *env) run(ctx context.Context, args []string) int {
	root := e.newRootCmd()
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	code := e.exitCode(err)
	fmt.Fprintln(e.stderr, e.errorLine(cmd, err, code))
	return code
}

// exitCode classifies err: bad usage or input, or a failure at the server.
func (e *env) exitCode(err error) int {
	var ue *usageError
	switch {
	case errors.As(err, &ue), errors.Is(err, tribe.ErrInvalidInput), errors.Is(err, crm.ErrInvalidInput):
		return ExitUsage
	case !e.started:
		// cobra refused the command line before any command ran: an
		// unknown command or flag, bad arguments, conflicting flags.
		return ExitUsage
	}
	return ExitFailure
}

// errorLine renders err as the single line printed on stderr: it starts with
// the program's name, holds no secret read by this run and, for usage
// errors, says where the help is.
func (e *env) errorLine(cmd *cobra.Command, err error, code int) string {
	msg := oneLine(err.Error())
	if !e.started {
		msg += secretFlagHint(cmd, msg)
	}
	if code == ExitUsage && cmd != nil {
		msg += fmt.Sprintf(" (see '%s --help')", cmd.CommandPath())
	}
	// The message may hold a server's text: secrets out, then made inert
	// for the terminal.
	return progName + ": " + inert(e.redact(msg))
}

// oneLine folds a multi-line message into one line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// usageError is bad usage or input, found before anything was sent: exit
// code [ExitUsage].
type usageError struct{ err error }

// Error returns the message.
func (u *usageError) Error() string { return u.err.Error() }

// Unwrap returns the error beneath, for errors.Is and errors.As.
func (u *usageError) Unwrap() error { return u.err }

// usagef returns a [usageError] with a formatted message (%w works).
func usagef(format string, a ...any) error {
	return &usageError{fmt.Errorf(format, a...)}
}

// hinted adds advice on what to do to an error, keeping it for errors.Is.
type hinted struct {
	err  error
	hint string
	// timeout: the hint explains a deadline the command set itself, so
	// the general advice about --timeout does not apply.
	timeout bool
}

// Error returns the message and the hint.
func (h *hinted) Error() string { return h.err.Error() + "; " + h.hint }

// Unwrap returns the error beneath, for errors.Is and errors.As.
func (h *hinted) Unwrap() error { return h.err }

// explained is an error with a message of its own in place of the one
// beneath, kept for errors.Is.
type explained struct {
	msg string
	err error
}

// Error returns the message.
func (x *explained) Error() string { return x.msg }

// Unwrap returns the error beneath, for errors.Is and errors.As.
func (x *explained) Unwrap() error { return x.err }

// withHint returns err with hint appended to its message; nil stays nil.
func withHint(err error, hint string) error {
	if err == nil || hint == "" {
		return err
	}
	return &hinted{err: err, hint: hint}
}

// withTimeoutHint is [withHint] for a deadline the command set itself, such
// as crm login's --wait: no advice about --timeout is added to it.
func withTimeoutHint(err error, hint string) error {
	if err == nil || hint == "" {
		return err
	}
	return &hinted{err: err, hint: hint, timeout: true}
}

// explainsTimeout reports whether err already says which limit ran out.
func explainsTimeout(err error) bool {
	for err != nil {
		if h, ok := err.(*hinted); ok && h.timeout {
			return true
		}
		err = errors.Unwrap(err)
	}
	return false
}

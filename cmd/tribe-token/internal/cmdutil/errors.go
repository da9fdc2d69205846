package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/tribe"
	"github.com/tribekit/tribekit/tribe/crm"
)

// ProgName is the program's name, the prefix of every error line.
const ProgName = "tribe-token"

// Exit codes of a run.
const (
	// ExitOK: the command did what was asked.
	ExitOK = 0
	// ExitFailure: the server (or the network to it) refused or failed.
	ExitFailure = 1
	// ExitUsage: bad usage or input: an unknown flag or command, missing
	// credentials, conflicting flags, a malformed token or file.
	ExitUsage = 2
)

// Execute runs cmd (a whole command tree, or one command in a test) once
// with args and returns the exit code: [ExitOK], [ExitFailure] or
// [ExitUsage]. An error is printed on f.ErrOut as one line starting
// "tribe-token: " (see [Factory.ErrorLine]).
func Execute(ctx context.Context, f *Factory, cmd *cobra.Command, args []string) int {
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	cmd.SetIn(f.In)
	cmd.SetOut(f.Out)
	cmd.SetErr(f.ErrOut)
	cmd.SetFlagErrorFunc(FlagError)
	cmd.SetHelpFunc(f.helpFunc)
	cmd.SetUsageFunc(f.usageFunc)
	cmd.SetArgs(args)
	c, err := cmd.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, ErrReported) {
		// The command printed its errors itself, one line each.
		return ExitFailure
	}
	code := f.exitCode(err)
	fmt.Fprintln(f.ErrOut, f.ErrorLine(c, err, code))
	return code
}

// exitCode classifies err: bad usage or input, or a failure at the server.
func (f *Factory) exitCode(err error) int {
	var ue *UsageError
	switch {
	case errors.As(err, &ue), errors.Is(err, tribe.ErrInvalidInput), errors.Is(err, crm.ErrInvalidInput):
		return ExitUsage
	case !f.isStarted():
		// cobra refused the command line before any command ran: an
		// unknown command or flag, bad arguments, conflicting flags.
		return ExitUsage
	}
	return ExitFailure
}

// ErrorLine renders err as the single line printed on stderr: it starts
// with the program's name, names flags and environment variables rather
// than library fields (see translateFields), leaves out what a person
// does not need (see concise), holds no secret read by this
// run and, for usage errors, says where the help is.
func (f *Factory) ErrorLine(cmd *cobra.Command, err error, code int) string {
	msg := translateFields(err)
	if msg == err.Error() {
		msg = concise(err)
	}
	msg = oneLine(msg)
	if !f.isStarted() {
		msg += secretFlagHint(cmd, msg)
	}
	if code == ExitUsage && cmd != nil {
		msg += fmt.Sprintf(" (see '%s --help')", cmd.CommandPath())
	}
	// The message may hold a server's text: secrets out, then made inert
	// for the terminal.
	// No value it echoes, and not the line as a whole, is unbounded.
	return ProgName + ": " + text.Inert(text.ClipLine(text.ClipQuoted(f.Redact(msg))))
}

// oneLine folds a multi-line message into one line.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

// ErrReported is what a command returns when it has already printed its
// failure on stderr, one line per error (such as each GraphQL error of an
// answer): [Execute] prints nothing more and exits with [ExitFailure].
var ErrReported = errors.New(ProgName + ": failure reported")

// UsageError is bad usage or input, found before anything was sent: exit
// code [ExitUsage].
type UsageError struct{ Err error }

// Error returns the message.
func (u *UsageError) Error() string { return u.Err.Error() }

// Unwrap returns the error beneath, for errors.Is and errors.As.
func (u *UsageError) Unwrap() error { return u.Err }

// Usagef returns a [UsageError] with a formatted message (%w works).
func Usagef(format string, a ...any) error {
	return &UsageError{fmt.Errorf(format, a...)}
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

// Explained is an error with a message of its own in place of the one
// beneath, kept for errors.Is.
type Explained struct {
	Msg string
	Err error
}

// Error returns the message.
func (x *Explained) Error() string { return x.Msg }

// Unwrap returns the error beneath, for errors.Is and errors.As.
func (x *Explained) Unwrap() error { return x.Err }

// WithHint returns err with hint appended to its message; nil stays nil.
func WithHint(err error, hint string) error {
	if err == nil || hint == "" {
		return err
	}
	return &hinted{err: err, hint: hint}
}

// WithTimeoutHint is [WithHint] for a deadline the command set itself, such
// as crm login's --wait: no advice about --timeout is added to it.
func WithTimeoutHint(err error, hint string) error {
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

// FlagError makes pflag's errors usage errors that never echo a value glued
// to an unknown shorthand flag ("unknown shorthand flag: 'p' in -pVALUE").
func FlagError(_ *cobra.Command, err error) error {
	msg := err.Error()
	if strings.HasPrefix(msg, "unknown shorthand flag:") {
		if i := strings.Index(msg, " in -"); i >= 0 {
			msg = msg[:i]
		}
	}
	return &UsageError{errors.New(msg)}
}

// NoArgs refuses positional arguments without echoing them, as a secret
// pasted on the command line must not be printed back.
func NoArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return Usagef("%s takes no arguments but got %d; secrets and tokens are read from environment variables or files, never from the command line", cmd.CommandPath(), len(args))
	}
	return nil
}

// GroupArgs lets a command group take any arguments, so that [GroupRun]
// can name an unknown subcommand.
func GroupArgs(*cobra.Command, []string) error { return nil }

// GroupRun is the work of a command group: help when called alone, a usage
// error for an unknown subcommand. The error does not echo the word, which
// may be a secret pasted by mistake; it may suggest a command name.
func GroupRun(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		if cmd.SuggestionsMinimumDistance <= 0 {
			cmd.SuggestionsMinimumDistance = 2 // cobra's default for its own message
		}
		if s := dedupe(cmd.SuggestionsFor(args[0])); len(s) > 0 {
			return Usagef("unknown command; did you mean %s?", strings.Join(s, " or "))
		}
		return Usagef("unknown command")
	}
	return cmd.Help()
}

// dedupe returns names without repeats, in order: cobra suggests a command
// once for its spelling and again for its SuggestFor list.
func dedupe(names []string) []string {
	var out []string
	for _, n := range names {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
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

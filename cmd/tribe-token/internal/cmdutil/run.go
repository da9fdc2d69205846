package cmdutil

import (
	"context"

	"github.com/spf13/cobra"
)

// Every command's RunE has gh's shape: check the parsed options, hand them
// to runF if a test gave one (so that flag parsing is tested without a
// server), and else do the work. Run, Serve and RunLocal write it once.

// Run is the RunE of a command whose inputs are opts: it marks the run as
// started ([Factory.RunE]), checks opts with validate (nil: nothing to
// check), calls runF with opts if runF is not nil, and else calls run with
// the command's context bounded by --timeout (Factory.timeoutContext).
func Run[O any](f *Factory, opts O, validate func() error, runF func(O) error, run func(context.Context, O) error) func(*cobra.Command, []string) error {
	return runE(f, opts, validate, runF, true, run)
}

// Serve is [Run] for a command that runs until it is stopped (a server, or
// a wait for a browser): run gets the command's context, which --timeout
// does not bound.
func Serve[O any](f *Factory, opts O, validate func() error, runF func(O) error, run func(context.Context, O) error) func(*cobra.Command, []string) error {
	return runE(f, opts, validate, runF, false, run)
}

// RunLocal is [Run] for a command that sends nothing and waits for nothing
// (it decodes, signs or checks what it is given): run gets no context.
func RunLocal[O any](f *Factory, opts O, validate func() error, runF func(O) error, run func(O) error) func(*cobra.Command, []string) error {
	return runE(f, opts, validate, runF, false, func(_ context.Context, o O) error { return run(o) })
}

// runE is [Run], [Serve] and [RunLocal]; bounded says whether --timeout
// bounds run's context.
func runE[O any](f *Factory, opts O, validate func() error, runF func(O) error, bounded bool, run func(context.Context, O) error) func(*cobra.Command, []string) error {
	return f.RunE(func(cmd *cobra.Command, _ []string) error {
		if validate != nil {
			if err := validate(); err != nil {
				return err
			}
		}
		if runF != nil {
			return runF(opts)
		}
		if !bounded {
			return run(cmd.Context(), opts)
		}
		ctx, cancel := f.timeoutContext(cmd)
		defer cancel()
		return run(ctx, opts)
	})
}

package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/internal/retry"
	"github.com/tribekit/tribekit/tribe"
)

// A command that sends a request again never waits in silence: before
// each wait, [Factory.Retry] says on stderr, in one line, why and for how
// long. The libraries' own retries are turned off for such commands
// ([NoLibraryRetries]), so that no wait happens where the command cannot
// see it.

// maxTries is how many times [Factory.Retry] sends a request, the first
// included.
const maxTries = 4

// noRetryHelp is --no-retry's help.
const noRetryHelp = "do not wait and try again when the API rate-limits the request or the server fails for a moment"

// AddNoRetryFlag adds --no-retry.
func AddNoRetryFlag(cmd *cobra.Command, dst *bool) {
	cmd.Flags().BoolVar(dst, "no-retry", false, noRetryHelp)
}

// NoLibraryRetries is the retry policy of the libraries' clients and apps
// a command makes: one try, as [Factory.Retry] makes the others, with a
// line on stderr for each wait.
func NoLibraryRetries() tribe.RetryPolicy { return tribe.RetryPolicy{MaxAttempts: 1} }

// Retry calls call until it succeeds, fails in a way that trying again
// cannot mend, or has been called maxTries times. A call is tried again
// when the API rate-limited it (code 104 or HTTP 429), when the server
// answered 502, 503 or 504, and when the network failed on the way (a
// refused connection aside: nothing listens there). Before each new try it
// waits, and says so on stderr once: why, for how long, and which try
// comes next. The wait is the Retry-After the server sent, else, for a
// rate limit, Tribe's burst window ([Factory.RateLimitWindow]), else a
// short jittered backoff. A wait that would pass ctx's deadline (the
// command's --timeout) is not made: the error is returned with a hint that
// names --timeout.
//
// No wait is longer than the command's --max-wait (Factory.waitCap): a
// backoff or burst window is shortened to it, and a Retry-After longer
// than it ends the retries, with a hint that says so.
//
// With noRetry, the first failure is returned; a rate limit's then says
// when to try again and names --no-retry.
func (f *Factory) Retry(ctx context.Context, noRetry bool, call func(context.Context) error) error {
	policy := retry.Policy{}.WithDefaults()
	maxWait, maxWaitName := f.waitCap()
	for try := 1; ; try++ {
		err := call(ctx)
		if err == nil {
			return nil
		}
		why, wait, ok := f.retryWait(err, policy, try)
		if !ok || ctx.Err() != nil {
			return err
		}
		if noRetry {
			if !errors.Is(err, tribe.ErrRateLimited) {
				return err
			}
			if RetryAfter(err) > 0 {
				return WithHint(err, "leave out --no-retry to wait that long and try again")
			}
			return WithHint(err, fmt.Sprintf("run it again in %s (Tribe's burst window), or leave out --no-retry to wait", text.Wait(wait)))
		}
		if try >= maxTries {
			return WithHint(err, fmt.Sprintf("still failing after %d tries; run it again later", try))
		}
		asked := RetryAfter(err)
		if asked <= maxWait {
			wait = min(wait, maxWait)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return WithTimeoutHint(err, fmt.Sprintf("waiting %s to try again would pass --timeout; raise --timeout, or run it again later", text.Wait(wait)))
		}
		if asked > maxWait {
			return WithHint(err, fmt.Sprintf("the server asks to wait %s before trying again, longer than %s; run it again later", text.Wait(asked), maxWaitName))
		}
		f.Warnf("%s; waiting %s before trying again (try %d of %d)", why, text.Wait(wait), try+1, maxTries)
		if err := retry.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// waitCap is the longest wait before a try again ([Factory.Retry]): the
// command's --max-wait, if it has the flag, else 5 minutes; and how
// messages name it ("--max-wait 5m" or "5m").
func (f *Factory) waitCap() (time.Duration, string) {
	f.mu.Lock()
	d, flag := f.maxWait, f.maxWaitFlag
	f.mu.Unlock()
	if d <= 0 {
		d = retry.DefaultMaxWait
	}
	if flag {
		return d, "--max-wait " + text.Wait(d)
	}
	return d, text.Wait(d)
}

// retryWait says whether a failure is worth another try, why, and how
// long to wait before it.
func (f *Factory) retryWait(err error, policy retry.Policy, try int) (why string, wait time.Duration, ok bool) {
	if _, usage := errors.AsType[*UsageError](err); usage || errors.Is(err, tribe.ErrInvalidInput) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "", 0, false
	}
	he, isHTTP := errors.AsType[*tribe.HTTPError](err)
	if errors.Is(err, tribe.ErrRateLimited) {
		why = "rate limited (code " + tribe.CodeRateLimited + ")"
		if isHTTP && he.StatusCode == http.StatusTooManyRequests {
			why = "rate limited (HTTP 429)"
		}
		if d := RetryAfter(err); d > 0 {
			return why, d, true
		}
		return why, f.RateLimitWindow(), true
	}
	if isHTTP {
		switch he.StatusCode {
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			wait = policy.Backoff(try)
			if he.RetryAfter > 0 {
				wait = he.RetryAfter
			}
			return fmt.Sprintf("the server answered HTTP %d %s", he.StatusCode, http.StatusText(he.StatusCode)), wait, true
		}
		return "", 0, false
	}
	if _, gql := errors.AsType[*tribe.ResponseError](err); gql {
		return "", 0, false
	}
	var ne net.Error
	if errors.As(err, &ne) && !errors.Is(err, syscall.ECONNREFUSED) {
		return "the request failed on the way", policy.Backoff(try), true
	}
	return "", 0, false
}

// RetryAfter is the Retry-After a rate limit or an HTTP answer came
// with; zero if none.
func RetryAfter(err error) time.Duration {
	if rl, ok := errors.AsType[*tribe.RateLimitError](err); ok && rl.RetryAfter > 0 {
		return rl.RetryAfter
	}
	if he, ok := errors.AsType[*tribe.HTTPError](err); ok {
		return he.RetryAfter
	}
	return 0
}

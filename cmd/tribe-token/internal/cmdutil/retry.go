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

// MaxTries is how many times [Factory.Retry] sends a request, the first
// included.
const MaxTries = 4

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

// RetryOptions say how [Factory.Retry] tries a call again. The zero value
// tries again every failure worth it, with the default lines.
type RetryOptions struct {
	// NoRetry is --no-retry: the first failure is returned.
	NoRetry bool
	// RateLimitsOnly is for a call that changes something on the server:
	// only a rate limit, which says the server did not act on it, is
	// tried again; after a server's or the network's failure it may have.
	RateLimitsOnly bool
	// Prefix starts each line about a wait, e.g. "minting a token: ".
	Prefix string
	// BeforeLine, if not nil, is called before each line about a wait
	// (to clear a progress line).
	BeforeLine func()
	// RateLimited, if not nil, makes the error returned for a rate limit
	// with NoRetry, from how the server refused ("rate limited (HTTP
	// 429)") and the advice ("run it again in 4s, or leave out --no-retry
	// to wait and try again"). By default it is err with the advice.
	RateLimited func(err error, why, advice string) error
}

// Retry calls call until it succeeds, fails in a way that trying again
// cannot mend, or has been called [MaxTries] times. A call is tried again
// when the API rate-limited it (code 104 or HTTP 429) and, unless
// o.RateLimitsOnly, when the server answered 502, 503 or 504 or the
// network failed on the way (a refused connection aside: nothing listens
// there). Before each new try it waits, and says so on stderr once: why,
// for how long, and which try comes next. The wait is the Retry-After the
// server sent, else, for a rate limit, Tribe's burst window
// ([Factory.RateLimitWindow]), else a short jittered backoff.
//
// No wait is longer than the command's --max-wait (Factory.waitCap): a
// backoff or burst window is shortened to it, and a Retry-After longer
// than it ends the retries, with a hint that says so. A wait that would
// pass ctx's deadline (the command's --timeout) is not made: the error is
// returned with a hint that names --timeout. If ctx ends during a wait,
// the failure waited on is returned: it says more than the context's end.
//
// With o.NoRetry, the first failure is returned; a rate limit's then says
// when to try again and names --no-retry (see [RetryOptions.RateLimited]).
func (f *Factory) Retry(ctx context.Context, o RetryOptions, call func(context.Context) error) error {
	policy := retry.Policy{}.WithDefaults()
	maxWait, flag := f.waitCap()
	for try := 1; ; try++ {
		err := call(ctx)
		if err == nil {
			return nil
		}
		why, wait, ok := f.retryWait(err, policy, try, o.RateLimitsOnly)
		if !ok || ctx.Err() != nil {
			return err
		}
		if o.NoRetry {
			return noRetry(err, why, wait, o.RateLimited)
		}
		if try >= MaxTries {
			return WithHint(err, fmt.Sprintf("still failing after %d tries; run it again later", try))
		}
		if asked := RetryAfter(err); asked > maxWait {
			if flag {
				return WithHint(err, fmt.Sprintf("the server asks to wait %s before trying again, longer than --max-wait %s; run it again later, or raise --max-wait", text.Wait(asked), text.Wait(maxWait)))
			}
			return WithHint(err, fmt.Sprintf("the server asks to wait %s before trying again, longer than %s; run it again later", text.Wait(asked), text.Wait(maxWait)))
		}
		wait = min(wait, maxWait)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return WithTimeoutHint(err, fmt.Sprintf("waiting %s to try again would pass --timeout; raise --timeout, or run it again later", text.Wait(wait)))
		}
		if o.BeforeLine != nil {
			o.BeforeLine()
		}
		f.Warnf("%s%s; waiting %s before trying again (try %d of %d)", o.Prefix, why, text.Wait(wait), try+1, MaxTries)
		if retry.Sleep(ctx, wait) != nil {
			return err
		}
	}
}

// noRetry is the failure err, worth another try, with --no-retry: as it
// is, unless the API rate-limited it; then with advice on when to run the
// command again, worded by rateLimited if not nil.
func noRetry(err error, why string, wait time.Duration, rateLimited func(err error, why, advice string) error) error {
	if !errors.Is(err, tribe.ErrRateLimited) {
		return err
	}
	when := text.Wait(wait)
	if RetryAfter(err) <= 0 {
		when += " (Tribe's burst window)"
	}
	advice := "run it again in " + when + ", or leave out --no-retry to wait and try again"
	if rateLimited != nil {
		return rateLimited(err, why, advice)
	}
	return WithHint(err, advice)
}

// waitCap is the longest wait before a try again ([Factory.Retry]): the
// command's --max-wait, if it has the flag, else 5 minutes; and whether
// it has.
func (f *Factory) waitCap() (time.Duration, bool) {
	f.mu.Lock()
	d, flag := f.maxWait, f.maxWaitFlag
	f.mu.Unlock()
	if d <= 0 {
		d = retry.DefaultMaxWait
	}
	return d, flag
}

// retryWait says whether a failure is worth another try, why, and how
// long to wait before it; with rateLimitsOnly, only a rate limit is.
func (f *Factory) retryWait(err error, policy retry.Policy, try int, rateLimitsOnly bool) (why string, wait time.Duration, ok bool) {
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
	if rateLimitsOnly {
		return "", 0, false
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

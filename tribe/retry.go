package tribe

import (
	"context"
	"errors"
	"time"

	"github.com/tribekit/tribekit/internal/retry"
)

// RetryPolicy says how requests for tokens (minting, grants) are retried:
// on HTTP 429, 502, 503 and 504 and on network errors, with exponential
// backoff and jitter, honouring Retry-After, bounded in attempts and in total
// time, and never past the caller's context. Other statuses (400, 401, 403,
// GraphQL errors such as Forbidden or validation errors) are never retried.
// A [Client]'s calls are retried only when rate-limited (code 104 or HTTP
// 429; see [ErrRateLimited]), after the Retry-After or RateLimitWait, within
// the same bounds.
//
// The zero value is the default policy. Set MaxAttempts to 1 to turn
// retries off.
type RetryPolicy struct {
	// MaxAttempts is the most tries, the first included; 0 means 4.
	MaxAttempts int
	// BaseDelay is the backoff before the second try, doubled for each
	// later one; 0 means 200ms. Each wait is drawn between half and all of
	// it (jitter).
	BaseDelay time.Duration
	// MaxDelay caps one backoff wait; 0 means 5s. A longer Retry-After is
	// honoured while it fits in MaxElapsed and MaxWait.
	MaxDelay time.Duration
	// MaxElapsed bounds the time from the first try to the start of the
	// last; 0 means 30s. A retry whose wait would pass it is not made.
	MaxElapsed time.Duration
	// RateLimitWait is how long a [Client] waits before it sends again a
	// call the API rate-limited (code 104 or HTTP 429) without saying when
	// to retry; 0 means [RateLimitWindow], Tribe's burst window. A
	// Retry-After the server sends wins.
	RateLimitWait time.Duration
	// MaxWait caps any single wait, whatever MaxElapsed allows; 0 means
	// 5 minutes. A backoff or RateLimitWait longer than it is shortened to
	// it. A Retry-After longer than it is not waited at all: the retries
	// end, and the call returns the server's refusal, whose RetryAfter
	// (see [RateLimitError], [HTTPError]) says when to try again. No
	// server can make a call wait for a day (a Retry-After may ask for up
	// to 24 hours).
	MaxWait time.Duration

	// sleep waits d or until ctx is done; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

// rateRetry says how a gqlClient retries calls the API rate-limited.
type rateRetry struct {
	maxAttempts int
	maxElapsed  time.Duration
	wait        time.Duration // without a Retry-After
	httpToo     bool          // retry HTTP 429 too (not when a transport already does)
	sleep       func(ctx context.Context, d time.Duration) error
}

// rateRetry returns the policy's rate-limit retries; httpToo says whether
// HTTP 429 is retried here, code 104 always being.
func (p RetryPolicy) rateRetry(httpToo bool) rateRetry {
	d := retry.Policy{MaxAttempts: p.MaxAttempts, MaxElapsed: p.MaxElapsed, MaxWait: p.MaxWait, Sleep: p.sleep}.WithDefaults()
	r := rateRetry{maxAttempts: d.MaxAttempts, maxElapsed: d.MaxElapsed, wait: p.RateLimitWait, httpToo: httpToo, sleep: capSleep(d.Sleep, d.MaxWait)}
	if r.wait <= 0 {
		r.wait = RateLimitWindow
	}
	r.wait = min(r.wait, d.MaxWait)
	return r
}

// errWaitTooLong is what a capped sleep returns for a wait over the cap.
var errWaitTooLong = errors.New("tribe: the wait asked for is longer than RetryPolicy.MaxWait")

// capSleep returns sleep refusing any wait over maxWait: the one place a
// rate-limited call waits, so a Retry-After over the cap ends its retries
// there, and the call returns the refusal it has.
func capSleep(sleep func(context.Context, time.Duration) error, maxWait time.Duration) func(context.Context, time.Duration) error {
	return func(ctx context.Context, d time.Duration) error {
		if d > maxWait {
			return errWaitTooLong
		}
		return sleep(ctx, d)
	}
}

// policy is the policy for internal/retry, without its defaults.
func (p RetryPolicy) policy() retry.Policy {
	return retry.Policy{MaxAttempts: p.MaxAttempts, BaseDelay: p.BaseDelay, MaxDelay: p.MaxDelay, MaxElapsed: p.MaxElapsed, MaxWait: p.MaxWait, Sleep: p.sleep}
}

package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/internal/retry"
	"github.com/tribekit/tribekit/tribe"
)

// api never waits in silence: before each wait it says on stderr, once,
// why and for how long. A call the API rate-limits (code 104, HTTP 429)
// is sent again after the server's Retry-After, else Tribe's burst window;
// the first mint, which changes nothing on the server, is also tried
// again when the server fails for a moment (HTTP 502, 503, 504) or the
// network does, after a short backoff. The libraries' own retries are
// off, so that no wait happens where api cannot see it. No wait is longer
// than --max-wait: api's own is shortened to it, and a server that asks
// for a longer one ends the command; none passes --timeout; --no-retry
// sends nothing again.

// sending is what withRetries sends.
type sending struct {
	// what prefixes the lines about it ("" for the operation, whose
	// lines have said "rate limited; …" since api has had them).
	what string
	// idempotent: sending it again changes nothing on the server, so a
	// server's or the network's passing failure is worth another try.
	idempotent bool
}

// withRetries calls send until it succeeds, fails in a way another try
// cannot mend, or has been called MaxAttempts times, waiting before each
// new try as the package comment says.
func (r *runner) withRetries(ctx context.Context, s sending, send func(context.Context) error) error {
	policy := retry.Policy{}.WithDefaults()
	for attempt := 1; ; attempt++ {
		err := send(ctx)
		if err == nil {
			return nil
		}
		if mb, ok := errors.AsType[*errMaxBytes](err); ok {
			return &limitError{msg: fmt.Sprintf("%s (%d bytes) %s; raise --max-bytes to read more, e.g. --max-bytes %s", mb.Error(), mb.limit, r.reading(s), sizeText(2*mb.limit)), err: mb}
		}
		why, wait, asked, ok := r.retryWait(err, attempt, s, policy)
		if !ok || ctx.Err() != nil {
			return err
		}
		limited := errors.Is(err, tribe.ErrRateLimited)
		switch {
		case r.opts.NoRetry && limited:
			return r.noRetry(s, err, wait, asked)
		case r.opts.NoRetry:
			return err
		case attempt >= MaxAttempts && limited:
			return cmdutil.WithHint(err, fmt.Sprintf("still rate limited after %d tries; wait a while and run again", attempt))
		case attempt >= MaxAttempts:
			return cmdutil.WithHint(err, fmt.Sprintf("still failing after %d tries; run it again later", attempt))
		case asked && wait > r.opts.MaxWait:
			return cmdutil.WithHint(err, fmt.Sprintf("the server asks to wait %s before sending it again, longer than --max-wait %s; run it again later, or raise --max-wait", text.Wait(wait), text.Wait(r.opts.MaxWait)))
		}
		wait = min(wait, r.opts.MaxWait)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return cmdutil.WithTimeoutHint(err, fmt.Sprintf("waiting %s to send it again would pass --timeout; raise --timeout, or run again later", text.Wait(wait)))
		}
		r.progress.clear()
		r.f.Warnf("%s%s; retrying in %s (attempt %d of %d)", s.what, why, text.Wait(wait), attempt+1, MaxAttempts)
		if retry.Sleep(ctx, wait) != nil {
			return err // the answer we have says more than the context's end
		}
	}
}

// reading names what was being read when --max-bytes ran out.
func (r *runner) reading(s sending) string {
	if s.what != "" {
		return "reading the answer to the mint"
	}
	return "reading " + r.op.label()
}

// retryWait says whether a failure of the given attempt is worth another
// try, why, how long to wait before it, and whether the server asked for
// that wait (a Retry-After).
func (r *runner) retryWait(err error, attempt int, s sending, policy retry.Policy) (why string, wait time.Duration, asked, ok bool) {
	if errors.Is(err, tribe.ErrRateLimited) {
		if d := cmdutil.RetryAfter(err); d > 0 {
			return "rate limited", d, true, true
		}
		return "rate limited", r.f.RateLimitWindow(), false, true
	}
	if !s.idempotent || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "", 0, false, false
	}
	if he, ok := errors.AsType[*tribe.HTTPError](err); ok {
		switch he.StatusCode {
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			why = fmt.Sprintf("the server answered HTTP %d %s", he.StatusCode, http.StatusText(he.StatusCode))
			if he.RetryAfter > 0 {
				return why, he.RetryAfter, true, true
			}
			return why, policy.Backoff(attempt), false, true
		}
		return "", 0, false, false
	}
	if _, gql := errors.AsType[*tribe.ResponseError](err); gql {
		return "", 0, false, false
	}
	// A refused connection is not passing: nothing listens there.
	if ne, isNet := errors.AsType[net.Error](err); isNet && ne != nil && !errors.Is(err, syscall.ECONNREFUSED) {
		return "the request failed on the way", policy.Backoff(attempt), false, true
	}
	return "", 0, false, false
}

// noRetry is a rate limit with --no-retry, said in a few words: how the
// server refused, and when to run the command again.
func (r *runner) noRetry(s sending, err error, wait time.Duration, asked bool) error {
	how := "code " + tribe.CodeRateLimited
	if he, ok := errors.AsType[*tribe.HTTPError](err); ok && he.StatusCode == http.StatusTooManyRequests {
		how = "HTTP 429"
	}
	when := text.Wait(wait)
	if !asked {
		when += " (Tribe's burst window)"
	}
	what := s.what
	if what == "" && r.op.name != "" {
		what = r.op.name + ": "
	}
	return &limitError{msg: fmt.Sprintf("%srate limited (%s); run it again in %s, or leave out --no-retry to wait and send it again", what, how, when), err: err}
}

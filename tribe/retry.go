package tribe

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"time"
)

// RetryPolicy says how requests for tokens (minting, grants) are retried:
// on HTTP 429, 502, 503 and 504 and on network errors, with exponential
// backoff and jitter, honouring Retry-After, bounded in attempts and in total
// time, and never past the caller's context. Other statuses (400, 401, 403,
// GraphQL errors such as Forbidden or validation errors) are never retried.
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
	// honoured while it fits in MaxElapsed.
	MaxDelay time.Duration
	// MaxElapsed bounds the time from the first try to the start of the
	// last; 0 means 30s. A retry whose wait would pass it is not made.
	MaxElapsed time.Duration

	// sleep waits d or until ctx is done; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 4
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 200 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 5 * time.Second
	}
	if p.MaxElapsed <= 0 {
		p.MaxElapsed = 30 * time.Second
	}
	if p.sleep == nil {
		p.sleep = sleepCtx
	}
	return p
}

// backoff returns the wait after the given failed attempt (1-based).
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		if d > p.MaxDelay/2 {
			d = p.MaxDelay // doubling would pass it, or overflow
			break
		}
		d *= 2
	}
	d = min(d, p.MaxDelay)
	return d/2 + rand.N(d/2+1)
}

// retryable reports whether a response or error may be retried. With
// notProcessedOnly, only answers that say the server did not act on the
// request (429, 503) are: for requests that must not run twice, such as
// spending a rotating refresh token.
func retryable(res *http.Response, err error, notProcessedOnly bool) bool {
	if err != nil {
		return !notProcessedOnly && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	}
	switch res.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return true
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return !notProcessedOnly
	}
	return false
}

// retryTransport retries requests per its policy.
type retryTransport struct {
	policy RetryPolicy // with defaults
	base   http.RoundTripper
}

// spendsOnceKey marks a request context whose request must not be acted on
// twice (it spends a rotating refresh token): it is retried only on answers
// that say the server did not act on it.
type spendsOnceKey struct{}

// spendsOnce returns ctx marked as spendsOnceKey says.
func spendsOnce(ctx context.Context) context.Context {
	return context.WithValue(ctx, spendsOnceKey{}, true)
}

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	start := time.Now()
	canReplay := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	onlyUnprocessed := ctx.Value(spendsOnceKey{}) != nil
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		res, err := t.base.RoundTrip(r)
		if !canReplay || attempt >= t.policy.MaxAttempts || !retryable(res, err, onlyUnprocessed) || ctx.Err() != nil {
			return res, err
		}
		wait := t.policy.backoff(attempt)
		if res != nil {
			if ra := parseRetryAfter(res.Header.Get("Retry-After"), time.Now()); ra > wait {
				wait = ra
			}
		}
		if time.Since(start)+wait > t.policy.MaxElapsed {
			return res, err
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return res, err // the answer we have beats a deadline error
		}
		if res != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
			res.Body.Close()
		}
		if err := t.policy.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

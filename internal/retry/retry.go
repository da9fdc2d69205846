// Package retry retries HTTP requests on transient failures: HTTP 429, 502,
// 503 and 504 and network errors, with exponential backoff and jitter,
// honouring Retry-After (RFC 9110 section 10.2.3), bounded in attempts and
// in total time, and never past the request's context. It is the one
// implementation behind the retry policies of this module's packages.
package retry

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Defaults of a [Policy]'s zero fields.
const (
	DefaultMaxAttempts = 4
	DefaultBaseDelay   = 200 * time.Millisecond
	DefaultMaxDelay    = 5 * time.Second
	DefaultMaxElapsed  = 30 * time.Second
	DefaultMaxWait     = 5 * time.Minute
)

// MaxRetryAfter caps a Retry-After, so that no product overflows; no
// retry waits that long anyway.
const MaxRetryAfter = 24 * time.Hour

// Policy says how requests are retried; see the package doc. A zero field
// means its default.
type Policy struct {
	MaxAttempts int           // the most tries, the first included
	BaseDelay   time.Duration // the backoff before the second try, doubled for each later one
	MaxDelay    time.Duration // caps one backoff wait
	MaxElapsed  time.Duration // bounds the time from the first try to the start of the last
	// MaxWait caps one wait: a backoff is shortened to it, and a
	// Retry-After longer than it ends the retries (the answer that asked
	// for it is returned), so that no server makes a request wait for a
	// day.
	MaxWait time.Duration
	// Sleep waits d or until ctx is done; nil means a timer. Tests replace
	// it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// WithDefaults returns p with its zero fields set to the defaults.
func (p Policy) WithDefaults() Policy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = DefaultBaseDelay
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = DefaultMaxDelay
	}
	if p.MaxElapsed <= 0 {
		p.MaxElapsed = DefaultMaxElapsed
	}
	if p.MaxWait <= 0 {
		p.MaxWait = DefaultMaxWait
	}
	if p.Sleep == nil {
		p.Sleep = Sleep
	}
	return p
}

// Backoff returns the wait after the given failed attempt (1-based): the
// base delay doubled per attempt, capped, with jitter between half and all
// of it. p must have its defaults.
func (p Policy) Backoff(attempt int) time.Duration {
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

// Retryable reports whether a response or error may be retried. With
// notProcessedOnly, only answers that say the server did not act on the
// request (429, 503) are: for requests that must not run twice, such as
// spending a rotating refresh token.
func Retryable(res *http.Response, err error, notProcessedOnly bool) bool {
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

// Transport retries the requests it sends per its Policy.
type Transport struct {
	Policy Policy // with its defaults
	Base   http.RoundTripper
}

// NewTransport returns a Transport over base with p's defaults filled in.
func NewTransport(p Policy, base http.RoundTripper) *Transport {
	return &Transport{Policy: p.WithDefaults(), Base: base}
}

// spendsOnceKey marks a request context whose request must not be acted on
// twice.
type spendsOnceKey struct{}

// SpendsOnce returns ctx marked so that its requests, which must not be
// acted on twice (they spend a rotating refresh token), are retried only on
// answers that say the server did not act on them.
func SpendsOnce(ctx context.Context) context.Context {
	return context.WithValue(ctx, spendsOnceKey{}, true)
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
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
		res, err := t.Base.RoundTrip(r)
		if !canReplay || attempt >= t.Policy.MaxAttempts || !Retryable(res, err, onlyUnprocessed) || ctx.Err() != nil {
			return res, err
		}
		wait := min(t.Policy.Backoff(attempt), t.Policy.MaxWait)
		if res != nil {
			if ra := ParseRetryAfter(res.Header.Get("Retry-After"), time.Now()); ra > t.Policy.MaxWait {
				return res, err // the server asks for a longer wait than one may last
			} else if ra > wait {
				wait = ra
			}
		}
		if time.Since(start)+wait > t.Policy.MaxElapsed {
			return res, err
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return res, err // the answer we have beats a deadline error
		}
		if res != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
			res.Body.Close()
		}
		if err := t.Policy.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// Sleep waits d or until ctx is done.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ParseRetryAfter reads a Retry-After header: delay-seconds or an HTTP
// date (RFC 9110 section 10.2.3). It returns zero for none or a bad value,
// and at most MaxRetryAfter.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	const maxSeconds = int(MaxRetryAfter / time.Second)
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(min(n, maxSeconds)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), MaxRetryAfter)
	}
	return 0
}

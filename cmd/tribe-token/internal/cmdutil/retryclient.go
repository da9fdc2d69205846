package cmdutil

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/tribekit/tribekit/internal/httpx"
	"github.com/tribekit/tribekit/internal/retry"
	"github.com/tribekit/tribekit/tribe"
)

// RetryingHTTPClient returns the HTTP client of a command whose library
// would otherwise wait in silence, or not at all (the OAuth2 grants of
// package tribe/grant, Tribe CRM): each request it sends goes through
// [Factory.Retry], so that a rate limit (HTTP 429) or a server that fails
// for a moment is waited out with a line on stderr saying how long. Turn
// the library's own retries off ([NoLibraryRetries]) where it has them.
//
// With spendsOnce (a request that spends a rotating refresh token or a
// one-time code must not be acted on twice), only answers that say the
// server did not act on the request are tried again: 429 and 503 (RFC
// 9110 section 15.6.4, RFC 6585 section 4). Else 502, 504 and a failure of
// the network on the way are tried again too. A request whose body cannot
// be read again is sent once. After the last try the server's answer is
// handed to the library as it is, for it to report in its own words.
//
// With noRetry (--no-retry), every request is sent once, and its answer
// handed to the library as it is.
//
// The client gives up on a request, its tries and waits included, after
// 30 seconds, as the libraries' own clients do, or at --timeout.
func (f *Factory) RetryingHTTPClient(spendsOnce, noRetry bool) *http.Client {
	return httpx.Client(f.HTTPClient(), httpx.DefaultTimeout, func(base http.RoundTripper) http.RoundTripper {
		if noRetry {
			return base
		}
		return &retryTransport{f: f, base: base, spendsOnce: spendsOnce}
	})
}

// retryTransport is [Factory.RetryingHTTPClient]'s transport.
type retryTransport struct {
	f          *Factory
	base       http.RoundTripper
	spendsOnce bool
}

// maxDrain bounds what is read of an answer that is thrown away before
// the request is sent again, so that the connection can be reused.
const maxDrain = 64 << 10

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return t.base.RoundTrip(req)
	}
	var (
		res     *http.Response
		sendErr error
		tries   int
	)
	_ = t.f.Retry(req.Context(), RetryOptions{}, func(ctx context.Context) error {
		r := req
		if tries++; tries > 1 {
			if res != nil {
				_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxDrain))
				res.Body.Close()
			}
			r = req.Clone(ctx)
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					res, sendErr = nil, err
					return nil
				}
				r.Body = body
			}
		}
		res, sendErr = t.base.RoundTrip(r)
		switch {
		case sendErr != nil && t.spendsOnce:
			return nil // the server may have acted on it: not sent again
		case sendErr != nil:
			return sendErr
		case !t.tryAgain(res.StatusCode):
			return nil
		}
		return &tribe.HTTPError{Operation: req.Method + " " + req.URL.Redacted(), StatusCode: res.StatusCode,
			RetryAfter: retry.ParseRetryAfter(res.Header.Get("Retry-After"), time.Now())}
	})
	return res, sendErr
}

// tryAgain says whether an answer with this status is worth another try.
func (t *retryTransport) tryAgain(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return true
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return !t.spendsOnce
	}
	return false
}

package cmdutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe"
)

// rateLimited is a rate limit as the library returns it: HTTP 429 (with
// its Retry-After, if any) or code 104.
func rateLimited(http429 bool, retryAfter time.Duration) error {
	if http429 {
		he := &tribe.HTTPError{Operation: "limitedToken", StatusCode: 429, RetryAfter: retryAfter, Body: `{"errors":[{"message":"slow down"}]}`}
		return fmt.Errorf("tribe: minting a token for bot@n: %w", &tribe.RateLimitError{Operation: "limitedToken", RetryAfter: retryAfter, Err: he})
	}
	re := &tribe.ResponseError{Operation: "Me", Errors: []*tribe.GraphQLError{{Code: tribe.CodeRateLimited, Message: "USER_REQUEST_REACHED"}}}
	return &tribe.RateLimitError{Operation: "Me", RetryAfter: retryAfter, Err: re}
}

// retryErrs runs [Factory.Retry] with opts, with stderr as its stderr and
// the burst window 10ms, over a call that returns errs in turn (nil at the
// end is success); it asserts that the call was made calls times and that
// the error returned holds wantErr ("": none), and returns the error.
func retryErrs(t *testing.T, stderr *bytes.Buffer, opts RetryOptions, errs []error, calls int, wantErr string) error {
	t.Helper()
	f := New(strings.NewReader(""), &bytes.Buffer{}, stderr, func(string) string { return "" })
	f.RateLimitWait = 10 * time.Millisecond
	n := 0
	err := f.Retry(t.Context(), opts, func(context.Context) error {
		n++
		return errs[n-1]
	})
	assert.Equal(t, calls, n)
	if wantErr == "" {
		require.NoError(t, err)
		return nil
	}
	require.Error(t, err)
	assert.Contains(t, err.Error(), wantErr)
	return err
}

func TestRetry(t *testing.T) {
	refused := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/graphql", Err: syscall.ECONNREFUSED}
	reset := &url.Error{Op: "Post", URL: "http://127.0.0.1:1/graphql", Err: syscall.ECONNRESET}
	tests := []struct {
		name    string
		errs    []error // what each call returns; nil at the end is success
		noRetry bool
		calls   int
		waits   []string // the lines on stderr
		wantErr string   // in the error returned, if any
	}{
		{"success at once", []error{nil}, false, 1, nil, ""},
		{"HTTP 429 with Retry-After", []error{rateLimited(true, 20*time.Millisecond), nil}, false, 2,
			[]string{"rate limited (HTTP 429); waiting 20ms before trying again (try 2 of 4)"}, ""},
		{"code 104 without a Retry-After waits the burst window", []error{rateLimited(false, 0), rateLimited(false, 0), nil}, false, 3,
			[]string{"rate limited (code 104); waiting 10ms before trying again (try 2 of 4)", "rate limited (code 104); waiting 10ms before trying again (try 3 of 4)"}, ""},
		{"HTTP 503", []error{&tribe.HTTPError{Operation: "limitedToken", StatusCode: 503}, nil}, false, 2,
			[]string{"the server answered HTTP 503 Service Unavailable; waiting "}, ""},
		{"a connection reset", []error{reset, nil}, false, 2, []string{"the request failed on the way; waiting "}, ""},
		{"a refused connection is not tried again", []error{refused}, false, 1, nil, "connection refused"},
		{"HTTP 401 is not tried again", []error{&tribe.HTTPError{Operation: "limitedToken", StatusCode: 401}}, false, 1, nil, "HTTP 401"},
		{"a GraphQL error is not tried again", []error{&tribe.ResponseError{Operation: "Me", Errors: []*tribe.GraphQLError{{Code: "102"}}}}, false, 1, nil, "code 102"},
		{"a usage error is not tried again", []error{Usagef("--network is empty")}, false, 1, nil, "--network is empty"},
		{"--no-retry with a Retry-After", []error{rateLimited(true, time.Second)}, true, 1, nil, "run it again in 1s, or leave out --no-retry to wait and try again"},
		{"--no-retry without a Retry-After", []error{rateLimited(false, 0)}, true, 1, nil, "run it again in 10ms (Tribe's burst window), or leave out --no-retry to wait and try again"},
		{"--no-retry, HTTP 503", []error{&tribe.HTTPError{Operation: "limitedToken", StatusCode: 503}}, true, 1, nil, "HTTP 503"},
		{"gives up after 4 tries", []error{rateLimited(false, 0), rateLimited(false, 0), rateLimited(false, 0), rateLimited(false, 0), nil}, false, 4,
			[]string{"(try 2 of 4)", "(try 3 of 4)", "(try 4 of 4)"}, "still failing after 4 tries; run it again later"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			retryErrs(t, &stderr, RetryOptions{NoRetry: tc.noRetry}, tc.errs, tc.calls, tc.wantErr)
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if len(tc.waits) == 0 {
				assert.Empty(t, stderr.String(), "no wait, no line")
				return
			}
			require.Len(t, lines, len(tc.waits), stderr.String())
			for i, w := range tc.waits {
				assert.True(t, strings.HasPrefix(lines[i], ProgName+": "), lines[i])
				assert.Contains(t, lines[i], w)
			}
		})
	}
}

// TestRetryNeverWaitsPastTheDeadline: a wait longer than what is left of
// --timeout is not made; the error names --timeout, unless the server asks
// for more than the 5 minutes' cap, which raising --timeout alone would
// not mend: then it names the cap.
func TestRetryNeverWaitsPastTheDeadline(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter time.Duration
		wantErr    string
	}{
		{"a Retry-After past the deadline", 2 * time.Minute, "waiting 2m to try again would pass --timeout"},
		{"a Retry-After past the deadline and the cap", time.Hour, "the server asks to wait 1h before trying again, longer than 5m"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			f := New(strings.NewReader(""), &bytes.Buffer{}, &stderr, func(string) string { return "" })
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			start := time.Now()
			calls := 0
			err := f.Retry(ctx, RetryOptions{}, func(context.Context) error {
				calls++
				return rateLimited(true, tc.retryAfter)
			})
			require.Error(t, err)
			assert.Less(t, time.Since(start), 500*time.Millisecond, "no wait")
			assert.Equal(t, 1, calls)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.Empty(t, stderr.String())
			assert.True(t, errors.Is(err, tribe.ErrRateLimited))
		})
	}
}

// TestRetryOptions: a call that changes something on the server is tried
// again only after a rate limit; the lines about waits carry the prefix,
// each after BeforeLine; RateLimited words a rate limit with NoRetry.
func TestRetryOptions(t *testing.T) {
	unavailable := &tribe.HTTPError{Operation: "Post", StatusCode: 503}
	tests := []struct {
		name    string
		opts    RetryOptions
		errs    []error
		calls   int
		stderr  string // a regular expression, the whole of stderr
		wantErr string
	}{
		{"rate limits only: HTTP 503 is not tried again", RetryOptions{RateLimitsOnly: true}, []error{unavailable}, 1, "", "HTTP 503"},
		{"rate limits only: a rate limit is", RetryOptions{RateLimitsOnly: true}, []error{rateLimited(false, 0), nil}, 2,
			`^tribe-token: rate limited \(code 104\); waiting 10ms before trying again \(try 2 of 4\)\n$`, ""},
		{"a prefix, after BeforeLine", RetryOptions{Prefix: "minting a token: "}, []error{unavailable, rateLimited(true, 20*time.Millisecond), nil}, 3,
			`^\|tribe-token: minting a token: the server answered HTTP 503 Service Unavailable; waiting \d+ms before trying again \(try 2 of 4\)\n` +
				`\|tribe-token: minting a token: rate limited \(HTTP 429\); waiting 20ms before trying again \(try 3 of 4\)\n$`, ""},
		{"RateLimited words --no-retry", RetryOptions{NoRetry: true, RateLimited: func(err error, why, advice string) error {
			return &Explained{Msg: "Post: " + why + "; " + advice, Err: err}
		}}, []error{rateLimited(true, 7*time.Second)}, 1, "",
			"Post: rate limited (HTTP 429); run it again in 7s, or leave out --no-retry to wait and try again"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if tc.opts.Prefix != "" { // BeforeLine marks stderr with a "|"
				tc.opts.BeforeLine = func() { stderr.WriteString("|") }
			}
			err := retryErrs(t, &stderr, tc.opts, tc.errs, tc.calls, tc.wantErr)
			if tc.opts.RateLimited != nil {
				assert.Equal(t, tc.wantErr, err.Error(), "in place of the library's message")
			}
			if tc.stderr == "" {
				assert.Empty(t, stderr.String())
				return
			}
			assert.Regexp(t, tc.stderr, stderr.String())
		})
	}
}

// TestRetryHonoursMaxWait: no wait is longer than --max-wait (5 minutes
// for a command without the flag): a longer Retry-After ends the retries
// with a hint naming the cap, and a longer burst window is shortened.
func TestRetryHonoursMaxWait(t *testing.T) {
	tests := []struct {
		name    string
		args    []string // the command's flags; nil: it has no --max-wait
		err     error
		calls   int
		line    string // the line on stderr, if any
		wantErr string
	}{
		{"a Retry-After past --max-wait", []string{"--max-wait", "50ms"}, rateLimited(true, time.Second), 1, "",
			"the server asks to wait 1s before trying again, longer than --max-wait 50ms; run it again later, or raise --max-wait"},
		{"a Retry-After past the 5 minutes of a command without --max-wait", nil, rateLimited(true, time.Hour), 1, "",
			"the server asks to wait 1h before trying again, longer than 5m; run it again later"},
		{"a burst window shortened to --max-wait", []string{"--max-wait", "20ms"}, rateLimited(false, 0), 2,
			"rate limited (code 104); waiting 20ms before trying again (try 2 of 4)", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			f := New(strings.NewReader(""), &bytes.Buffer{}, &stderr, func(string) string { return "" })
			f.RateLimitWait = time.Hour
			cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
			if tc.args != nil {
				cmd.Flags().Duration("max-wait", 5*time.Minute, "")
				require.NoError(t, cmd.Flags().Parse(tc.args))
			}
			cmd.SetContext(t.Context())
			ctx, cancel := f.timeoutContext(cmd)
			defer cancel()
			calls := 0
			err := f.Retry(ctx, RetryOptions{}, func(context.Context) error {
				if calls++; calls > 1 {
					return nil
				}
				return tc.err
			})
			assert.Equal(t, tc.calls, calls)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Empty(t, stderr.String())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, ProgName+": "+tc.line+"\n", stderr.String())
		})
	}
}

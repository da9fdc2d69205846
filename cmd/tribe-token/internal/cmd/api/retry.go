package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
)

// api never waits in silence: [cmdutil.Factory.Retry] sends a call again,
// with a line on stderr before each wait, as every command's does. A call
// the API rate-limits (code 104, HTTP 429) is sent again; the first mint,
// which changes nothing on the server, is also tried again when the server
// fails for a moment (HTTP 502, 503, 504) or the network does. The
// libraries' own retries are off, so that no wait happens where api cannot
// see it. No wait passes --max-wait or --timeout; --no-retry sends nothing
// again.

// sending is what withRetries sends.
type sending struct {
	// what prefixes the lines about it ("" for the operation, the call
	// the command is run for; a --no-retry rate limit of it is prefixed
	// with its name, if it has one).
	what string
	// idempotent: sending it again changes nothing on the server, so a
	// server's or the network's passing failure is worth another try.
	idempotent bool
}

// withRetries calls send until it succeeds, fails in a way another try
// cannot mend, or has been called cmdutil.MaxTries times, as
// [cmdutil.Factory.Retry] says. An answer cut short by --max-bytes is a
// [limitError] that names the flag; so is a rate limit with --no-retry,
// said in a few words: how the server refused, and when to run again.
func (r *runner) withRetries(ctx context.Context, s sending, send func(context.Context) error) error {
	what := s.what
	if what == "" && r.op.name != "" {
		what = r.op.name + ": "
	}
	return r.f.Retry(ctx, cmdutil.RetryOptions{
		NoRetry:        r.opts.NoRetry,
		RateLimitsOnly: !s.idempotent,
		Prefix:         s.what,
		BeforeLine:     r.progress.clear,
		RateLimited: func(err error, why, advice string) error {
			return &limitError{msg: what + why + "; " + advice, err: err}
		},
	}, func(ctx context.Context) error {
		err := send(ctx)
		if mb, ok := errors.AsType[*errMaxBytes](err); ok {
			return &limitError{msg: fmt.Sprintf("%s (%d bytes) %s; raise --max-bytes to read more, e.g. --max-bytes %s", mb.Error(), mb.limit, r.reading(s), sizeText(2*mb.limit)), err: mb}
		}
		return err
	})
}

// reading names what was being read when --max-bytes ran out.
func (r *runner) reading(s sending) string {
	if s.what != "" {
		return "reading the answer to the mint"
	}
	return "reading " + r.op.label()
}

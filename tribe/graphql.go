package tribe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"time"

	"github.com/Khan/genqlient/graphql"
	json2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/tribekit/tribekit/internal/redact"
	"github.com/tribekit/tribekit/internal/retry"
	"golang.org/x/oauth2"
)

// maxResponseBody bounds how much of a GraphQL response is read.
const maxResponseBody = 8 << 20

// gqlClient is the genqlient graphql.Client this package sends every
// operation with. Unlike graphql.NewClient it keeps Tribe's top-level error
// code, bounds and redacts bodies in errors, and reports HTTP failures as
// [*HTTPError]. Authentication is the HTTP client's transport's job.
type gqlClient struct {
	endpoint string
	hc       *http.Client
	secrets  []string // removed from any body kept in an error
	// basicAuth says the requests carry the app's client credentials, not
	// an access token: a refusal is then about those credentials, never
	// an invalid access token (see [GraphQLError.Is]).
	basicAuth bool
	now       func() time.Time
	// retryAuth, if set, is called when the server refuses the token the
	// request carried (HTTP 401 or code 108); if it returns true, the
	// request is sent once more.
	retryAuth func(ctx context.Context, used *oauth2.Token) bool
	// rate, if its maxAttempts is set, retries calls the API rate-limited.
	rate rateRetry
	// userAgent is set on every request (the transport then has nothing
	// to add, and clones nothing).
	userAgent string
	// pacer, if set, learns each answer's complexity (the bearer transport
	// paces the requests).
	pacer *Pacer
}

// opKey carries the operation's name in a request's context, for the pacer.
type opKey struct{}

// usedToken records the token a bearerTransport put on a request, for
// gqlClient.retryAuth. It travels in the request's context.
type usedToken struct{ tok *oauth2.Token }

type usedTokenKey struct{}

// recordUsedToken notes tok in ctx's usedToken, if it has one.
func recordUsedToken(ctx context.Context, tok *oauth2.Token) {
	if u, ok := ctx.Value(usedTokenKey{}).(*usedToken); ok {
		u.tok = tok
	}
}

var _ graphql.Client = (*gqlClient)(nil)

// answer is a GraphQL response body (GraphQL over HTTP, "Response"),
// decoded by decodeAnswer.
type answer struct {
	// hasData: a top-level "data" that is present and not null (GraphQL
	// over HTTP: null when an error stopped the operation before it ran).
	hasData bool
	// dataErr: the data did not fit the operation's type.
	dataErr    error
	errors     []*GraphQLError
	moreErrors int // past maxErrors, counted, not decoded
	extensions jsontext.Value
}

// decodeAnswer decodes a response body, its data into into (nil: none).
//
// It decodes with github.com/go-json-experiment/json, the module that
// mirrors encoding/json/v2 (https://pkg.go.dev/encoding/json/v2), under
// its encoding/json (v1) semantics, the ones genqlient's types are written
// for. The usual answer is read in one pass: the top level, with the data
// going straight into its type (encoding/json would validate the body,
// decode it, then validate and decode the data again). Any other answer
// (not JSON, or data that does not fit its type) is read again in two
// steps, so that the errors that came with bad data are still reported.
func decodeAnswer(raw []byte, into any) (answer, error) {
	var one struct {
		Data       dataInto       `json:"data"`
		Errors     errorList      `json:"errors"`
		Extensions jsontext.Value `json:"extensions"`
	}
	one.Data.into = into
	// encoding/json's semantics, but for its errors: those would validate
	// the body, and again the data, before decoding either. An error here
	// only sends the body to the careful path, which reports as
	// encoding/json does.
	if json2.Unmarshal(raw, &one, jsonv1.DefaultOptionsV1(), jsonv1.ReportErrorsWithLegacySemantics(false)) == nil {
		return answer{hasData: one.Data.present, errors: one.Errors.errs, moreErrors: one.Errors.more, extensions: one.Extensions}, nil
	}
	if v := reflect.ValueOf(into); v.Kind() == reflect.Pointer && !v.IsNil() {
		v.Elem().SetZero() // what the failed pass left
	}
	var two struct {
		Data       jsontext.Value `json:"data"`
		Errors     errorList      `json:"errors"`
		Extensions jsontext.Value `json:"extensions"`
	}
	if err := jsonv1.Unmarshal(raw, &two); err != nil {
		return answer{}, err
	}
	a := answer{errors: two.Errors.errs, moreErrors: two.Errors.more, extensions: two.Extensions}
	a.hasData = len(two.Data) > 0 && string(two.Data) != "null"
	if a.hasData && into != nil {
		a.dataErr = jsonv1.Unmarshal(two.Data, into)
	}
	return a, nil
}

// dataInto decodes a response's data into its operation's type as the
// body is read.
type dataInto struct {
	into    any  // nil: the data is skipped
	present bool // present and not null
	seen    bool
}

// errDataTwice sends a body with two "data" members to the second pass,
// which keeps the last one whole, as encoding/json does, rather than
// merging them.
var errDataTwice = errors.New("data given twice")

// UnmarshalJSONFrom implements json.UnmarshalerFrom.
func (d *dataInto) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if d.seen {
		return errDataTwice
	}
	d.seen = true
	if dec.PeekKind() == 'n' {
		_, err := dec.ReadToken()
		return err
	}
	d.present = true
	if d.into == nil {
		return dec.SkipValue()
	}
	return json2.UnmarshalDecode(dec, d.into)
}

// MakeRequest sends req and decodes the answer into resp.Data. A response
// with errors yields a [*ResponseError] after the data that came with it is
// decoded.
func (c *gqlClient) MakeRequest(ctx context.Context, req *graphql.Request, resp *graphql.Response) error {
	op := req.OpName
	if op == "" {
		op = "graphql"
	}
	body, err := json.Marshal(req) // encoding/json writes this small struct faster than v2
	if err != nil {
		return fmt.Errorf("tribe: %s: encoding request: %w", op, err)
	}
	// A mint sends client credentials: no token to record, and no pacer
	// to tell the operation to.
	if !c.basicAuth {
		ctx = context.WithValue(ctx, opKey{}, op)
	}
	start := time.Now()
	var waited time.Duration
	authRetried := false
	for attempt := 1; ; attempt++ {
		used := &usedToken{}
		uctx := ctx
		if !c.basicAuth {
			uctx = context.WithValue(ctx, usedTokenKey{}, used)
		}
		err = c.send(uctx, op, body, resp, used)
		if !authRetried && c.retryAuth != nil && (errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrUnauthorized)) && c.retryAuth(ctx, used.tok) {
			authRetried = true
			used.tok = nil
			err = c.send(uctx, op, body, resp, used)
		}
		wait, again := c.rateLimitWait(ctx, err, attempt, max(time.Since(start), waited))
		if !again {
			return err
		}
		if serr := c.rate.sleep(ctx, wait); serr != nil {
			return err // the answer we have beats a context error
		}
		waited += wait
	}
}

// rateLimitWait says whether a call that failed with err on the given
// attempt, elapsed into the call, is sent again after a wait: only for a
// rate-limit refusal, while the policy's attempts and time last and the
// wait ends before ctx does.
func (c *gqlClient) rateLimitWait(ctx context.Context, err error, attempt int, elapsed time.Duration) (time.Duration, bool) {
	if c.rate.maxAttempts == 0 || err == nil {
		return 0, false
	}
	rl, ok := errors.AsType[*RateLimitError](err)
	if !ok {
		return 0, false
	}
	if he, isHTTP := errors.AsType[*HTTPError](err); isHTTP && he.StatusCode == http.StatusTooManyRequests && !c.rate.httpToo {
		return 0, false
	}
	wait := rl.RetryAfter
	if wait <= 0 {
		wait = c.rate.wait
	}
	if attempt >= c.rate.maxAttempts || elapsed+wait > c.rate.maxElapsed {
		return 0, false
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		return 0, false
	}
	return wait, true
}

// send posts one GraphQL request body and decodes the answer.
func (c *gqlClient) send(ctx context.Context, op string, body []byte, resp *graphql.Response, used *usedToken) error {
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("tribe: %s: %w", op, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		hreq.Header.Set("User-Agent", c.userAgent)
	}
	hres, err := c.hc.Do(hreq)
	if err != nil {
		return fmt.Errorf("tribe: %s: %w", op, redact.Error(err, c.secrets...))
	}
	defer hres.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(hres.Body, maxResponseBody+1))
	if err != nil {
		return fmt.Errorf("tribe: %s: reading response: %w", op, err)
	}
	secrets := c.secrets
	if used.tok != nil {
		secrets = append(secrets[:len(secrets):len(secrets)], used.tok.AccessToken)
	}
	if hres.StatusCode != http.StatusOK {
		he := c.httpError(op, hres, raw, "", secrets)
		// Some servers answer GraphQL errors with a non-200 status: keep
		// them, so that errors.Is finds their codes (108, 102, ...).
		var body struct {
			Errors errorList `json:"errors"`
		}
		if len(raw) <= maxResponseBody && jsonv1.Unmarshal(raw, &body) == nil {
			he.Errors = c.cleanErrors(body.Errors.errs, secrets)
		}
		return asRateLimit(op, he, he.RetryAfter)
	}
	if len(raw) > maxResponseBody {
		return c.httpError(op, hres, nil, fmt.Sprintf("response larger than %d bytes", maxResponseBody), secrets)
	}
	var into any
	if resp != nil {
		into = resp.Data
	}
	ans, err := decodeAnswer(raw, into)
	if err != nil {
		return c.httpError(op, hres, raw, "response is not a GraphQL JSON body", secrets)
	}
	// A mint has no use for the extensions; a call reports them.
	if len(ans.extensions) > 0 && !c.basicAuth {
		c.reportExtensions(ctx, op, ans.extensions, resp, used)
	}
	if ans.dataErr != nil && len(ans.errors) == 0 {
		return fmt.Errorf("tribe: %s: decoding data: %w", op, ans.dataErr)
	}
	if len(ans.errors) > 0 {
		errs := c.cleanErrors(ans.errors, secrets)
		if len(errs) == 0 {
			errs = append(errs, &GraphQLError{Message: "error response without details"})
		}
		return asRateLimit(op, &ResponseError{Operation: op, Errors: errs, more: ans.moreErrors}, retry.ParseRetryAfter(hres.Header.Get("Retry-After"), time.Now()))
	}
	if !ans.hasData {
		return c.httpError(op, hres, raw, "response has neither data nor errors", secrets)
	}
	return nil
}

// cleanErrors drops null error objects and removes secrets and anything
// token-like from every string the errors carry.
func (c *gqlClient) cleanErrors(errs []*GraphQLError, secrets []string) []*GraphQLError {
	out := make([]*GraphQLError, 0, len(errs))
	for _, e := range errs {
		if e == nil { // "errors":[null] from a broken server
			continue
		}
		e.Message = redact.String(e.Message, secrets...)
		e.Code = redact.String(e.Code, secrets...)
		for i, p := range e.Path {
			if ps, ok := p.(string); ok {
				e.Path[i] = redact.String(ps, secrets...)
			}
		}
		if e.Extensions != nil {
			e.Extensions, _ = redact.Value(e.Extensions, secrets...).(map[string]any)
		}
		e.basicAuth = c.basicAuth
		out = append(out, e)
	}
	return out
}

func (c *gqlClient) httpError(op string, hres *http.Response, body []byte, reason string, secrets []string) *HTTPError {
	now := time.Now
	if c.now != nil {
		now = c.now
	}
	return &HTTPError{
		Operation:  op,
		StatusCode: hres.StatusCode,
		Body:       redact.Body(body, secrets...),
		RetryAfter: retry.ParseRetryAfter(hres.Header.Get("Retry-After"), now()),
		Reason:     reason,
	}
}

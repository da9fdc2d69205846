// Package api is "tribe-token api": any GraphQL query or mutation, run as
// the app's bot, a member, or the holder of a token, printing the JSON
// answer, like "gh api graphql".
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/Khan/genqlient/graphql"
	"github.com/spf13/cobra"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/mint"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe"
)

// Defaults and bounds of the flags.
const (
	// DefaultMaxPages is --max-pages's default.
	DefaultMaxPages = 100
	// maxMaxPages bounds --max-pages.
	maxMaxPages = 100_000
	// MaxAttempts is how many times a rate-limited call is sent at most,
	// the first included (as tribe.RetryPolicy's default).
	MaxAttempts = 4
	// DefaultMaxWait is --max-wait's default, as tribe.RetryPolicy's
	// MaxWait.
	DefaultMaxWait = 5 * time.Minute
)

// Options are api's inputs.
type Options struct {
	Factory *cmdutil.Factory

	// Query is the argument: the query text, @FILE, or - for stdin.
	Query     string
	App       cmdutil.AppFlags
	Token     cmdutil.TokenFlag
	Endpoint  cmdutil.EndpointFlags
	Cache     cmdutil.CacheFlags
	Network   string
	Member    string
	Typed     []string // -F name=value
	Raw       []string // -f name=value
	Variables string   // --variables: JSON, or @FILE
	Paginate  bool
	MaxPages  int
	// MaxBytes bounds the bytes of the answers read, all requests
	// together (--max-bytes).
	MaxBytes int64
	// MaxWait caps one wait before a rate-limited call is sent again
	// (--max-wait).
	MaxWait  time.Duration
	Verbose  bool
	NoRetry  bool
	Insecure bool
}

// NewCmdAPI builds "api". runF, if not nil, is called with the parsed
// Options in place of the work (for tests).
func NewCmdAPI(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "api [QUERY | @FILE | -]",
		Short: "Run a GraphQL query or mutation and print the JSON answer",
		Long: `Run a GraphQL query or mutation against Tribe and print the answer's data as
indented JSON, {"data": ...}, as "gh api graphql" does. The query is the
argument, @FILE for a file's content, or - for stdin. It must parse (checked
before anything is sent) and hold one operation, whose name is sent as the
operationName.

Who it runs as:
  - --network ID (or TRIBE_NETWORK_ID): a token minted for the app's bot, or
    with --member ID for that member, with TRIBE_CLIENT_ID and
    TRIBE_CLIENT_SECRET (or --client-id, --client-secret-file);
  - --token-file FILE, or TRIBE_TOKEN: that token (sent to --endpoint or
    --region, else TRIBE_GATEWAY_URL, else TRIBE_ENDPOINT).
--token-file cannot go with --network, --member or --cache; TRIBE_TOKEN is used
when neither --network nor --member is given.

Minted tokens are cached in the process; with --cache URL (or TRIBE_CACHE_URL)
they are shared through Redis with every other process given the same cache, so
a fleet mints once per identity. The tokens are encrypted there with the key
of TRIBE_CACHE_KEY or --cache-key-file (` + cmdutil.CacheKeyHowTo + `).

Variables: --variables takes a JSON object, or @FILE for a file's (@- for
stdin; a large one must come from a file); -f name=value adds a string, and
-F name=value a typed value: true, false, null and JSON numbers as such,
@FILE as the file's content (a string; @- for stdin), anything else as a
string. -f and -F win over --variables; names are GraphQL names, without $.

--paginate follows a connection through its pages: the query must declare
$after and pass it to the one connection in the answer that selects
pageInfo { hasNextPage endCursor }. The pages are merged into one answer,
printed once: that connection's nodes and edges concatenated, its pageInfo the
last page's, everything else the first page's, in the order the server sent
it. It stops after --max-pages pages; if more remain, the merged pages are
printed and the exit status is 1.

--max-bytes bounds what the command reads of the answers, all pages together
(64MiB unless given; the pages are kept until printed): past it, the pages so
far are printed and the exit status is 1. --timeout bounds the whole command,
printing included.

A call the API rate-limits (code 104, HTTP 429) is sent again after the
Retry-After, else Tribe's 10s burst window, up to ` + fmt.Sprint(MaxAttempts) + ` tries and never past
--timeout, with a line on stderr each time; --no-retry turns that off. No
wait is longer than --max-wait (5m unless given): a server that asks for a
longer one ends the command, with when to try again.

GraphQL errors are printed on stderr, one line each, after the data if the
answer has any, and the exit status is 1. --verbose prints each answer's
complexity (extensions.complexity) on stderr.`,
		Example: `  export TRIBE_CLIENT_ID=... TRIBE_CLIENT_SECRET=... TRIBE_NETWORK_ID=CAx1mZ7I7a
  tribe-token api 'query Me { authMember { id name } }'
  tribe-token api --member Dm12KzW34 'query { authMember { id } }'
  tribe-token api -F id=Dm12KzW34 'query Member($id: ID) { member(id: $id) { name } }'
  tribe-token api --paginate -F limit=50 @members.graphql
  echo 'query { network { name } }' | TRIBE_TOKEN=$TOKEN tribe-token api -
  tribe-token api --cache redis://localhost:6379 --verbose 'query { network { id } }'`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.Usagef("%s takes one argument, the query (its text, @FILE or - for stdin), but got %d", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: f.RunE(func(cmd *cobra.Command, args []string) error {
			opts.Query = args[0]
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			ctx, cancel := f.TimeoutContext(cmd)
			defer cancel()
			return apiRun(ctx, opts)
		}),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Network, "network", "", "community (network) id to mint a token for (default $TRIBE_NETWORK_ID)")
	fl.StringVar(&opts.Member, "member", "", "member id to act as (default: the app's bot account)")
	fl.StringArrayVarP(&opts.Typed, "field", "F", nil, "add a typed variable `name=value` (true, false, null, numbers; @FILE reads a file)")
	fl.StringArrayVarP(&opts.Raw, "raw-field", "f", nil, "add a string variable `name=value`")
	fl.StringVar(&opts.Variables, "variables", "", "the variables as a JSON `object`, or @FILE to read them from a file (@- for stdin); -f and -F win over it")
	fl.BoolVar(&opts.Paginate, "paginate", false, "follow the connection's pageInfo.endCursor through every page (the query declares $after) and print the pages merged")
	fl.IntVar(&opts.MaxPages, "max-pages", DefaultMaxPages, "with --paginate, fetch at most this many pages")
	opts.MaxBytes = DefaultMaxBytes
	fl.Var((*byteSize)(&opts.MaxBytes), "max-bytes", "stop when the answers, every page together, pass this `size` (bytes, or with KiB, MiB, GiB)")
	fl.BoolVar(&opts.Verbose, "verbose", false, "print each answer's complexity on stderr")
	fl.BoolVar(&opts.NoRetry, "no-retry", false, "do not wait and send again a call the API rate-limited")
	fl.DurationVar(&opts.MaxWait, "max-wait", DefaultMaxWait, "wait at most this long before sending a rate-limited call again; a server that asks for longer ends the command")
	opts.App.Add(cmd)
	opts.Token.Add(cmd, "TRIBE_TOKEN")
	opts.Endpoint.Add(cmd)
	opts.Cache.Add(cmd)
	cmdutil.AddInsecureFlag(cmd, &opts.Insecure)
	return cmd
}

// validate checks what the flags alone say, naming the flags.
func (o *Options) validate() error {
	if err := o.Endpoint.Validate(); err != nil {
		return err
	}
	for _, id := range []struct{ flag, v string }{{"--network", o.Network}, {"--member", o.Member}} {
		if err := cmdutil.CheckID(id.flag, id.v); err != nil {
			return err
		}
	}
	if o.Token.File != "" {
		for _, c := range []struct {
			flag string
			set  bool
		}{{"--network", o.Network != ""}, {"--member", o.Member != ""}, {"--cache", o.Cache.URL != ""}, {"--cache-key-file", o.Cache.KeyFile != ""}, {"--client-secret-file", o.App.SecretFile != ""}} {
			if c.set {
				return cmdutil.Usagef("--token-file gives the token and %s is for minting one; give one of them", c.flag)
			}
		}
	}
	if o.MaxPages < 1 || o.MaxPages > maxMaxPages {
		return cmdutil.Usagef("--max-pages %d is not from 1 to %d; give how many pages --paginate fetches at most", o.MaxPages, maxMaxPages)
	}
	if o.MaxBytes < 1 || o.MaxBytes > maxMaxBytes {
		return cmdutil.Usagef("--max-bytes %s is not from 1B to %s; give how much of the answers api reads at most, e.g. 256MiB", sizeText(o.MaxBytes), sizeText(maxMaxBytes))
	}
	if o.MaxWait <= 0 {
		return cmdutil.Usagef("--max-wait %s is not positive; give the longest wait before a rate-limited call is sent again, e.g. 5m (--no-retry sends nothing again)", o.MaxWait)
	}
	if o.Query == "" {
		return cmdutil.Usagef("the query is empty; give its text, @FILE or - for stdin")
	}
	_, err := Variables(nil, o.Variables, o.Raw, o.Typed)
	return err
}

// operation is the parsed query.
type operation struct {
	text string
	name string // the operation's name; "" for an anonymous one
	kind ast.Operation
	vars map[string]bool // the variables it declares
}

// label names the operation in lines on stderr.
func (op operation) label() string {
	if op.name != "" {
		return op.name
	}
	return "anonymous " + string(op.kind)
}

// loadQuery reads the query (text, @FILE or -) and checks its syntax.
func loadQuery(f *cmdutil.Factory, arg string) (operation, error) {
	text := arg
	src := "the query"
	switch {
	case arg == "-":
		b, err := f.ReadInput("-", "query")
		if err != nil {
			return operation{}, err
		}
		text, src = string(b), "the query from stdin"
	case strings.HasPrefix(arg, "@"):
		b, err := f.ReadInput(arg[1:], "query")
		if err != nil {
			return operation{}, err
		}
		text, src = string(b), "the query in "+arg[1:]
	}
	if strings.TrimSpace(text) == "" {
		return operation{}, cmdutil.Usagef("%s is empty; give a GraphQL query or mutation", src)
	}
	doc, err := parser.ParseQuery(&ast.Source{Name: "query", Input: text})
	if err != nil {
		return operation{}, cmdutil.Usagef("%s does not parse: %v", src, err)
	}
	switch n := len(doc.Operations); {
	case n == 0:
		return operation{}, cmdutil.Usagef("%s has no operation (only fragments); add a query or mutation", src)
	case n > 1:
		return operation{}, cmdutil.Usagef("%s has %d operations; give one", src, n)
	}
	op := doc.Operations[0]
	if op.Operation == ast.Subscription {
		return operation{}, cmdutil.Usagef("%s is a subscription, which api does not run; give a query or mutation", src)
	}
	out := operation{text: text, name: op.Name, kind: op.Operation, vars: map[string]bool{}}
	for _, v := range op.VariableDefinitions {
		out.vars[v.Variable] = true
	}
	return out, nil
}

// runner sends one operation and prints what comes back.
type runner struct {
	f      *cmdutil.Factory
	opts   *Options
	op     operation
	client graphql.Client
	ep     cmdutil.Endpoint // where the calls go, for messages
}

// apiRun runs the operation and prints the answer.
func apiRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
	op, err := loadQuery(f, opts.Query)
	if err != nil {
		return err
	}
	if opts.Paginate && !op.vars["after"] {
		return cmdutil.Usagef("--paginate needs the query to declare $after and pass it to the connection, e.g. query($after: String) { members(limit: 20, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }")
	}
	vars, err := Variables(f, opts.Variables, opts.Raw, opts.Typed)
	if err != nil {
		return err
	}
	hc := httpClient(f, newBudget(opts.MaxBytes))
	client, ep, done, err := newClient(ctx, opts, hc)
	if err != nil {
		return err
	}
	defer done()
	r := &runner{f: f, opts: opts, op: op, client: client.GraphQL(), ep: ep}
	if opts.Paginate {
		return r.paginate(ctx, vars)
	}
	data, err := r.call(ctx, vars)
	return r.finish(ctx, data, err)
}

// noRetry turns off the client's own rate-limit retries: the command
// waits itself, and says so on stderr.
func noRetry() tribe.RetryPolicy { return tribe.RetryPolicy{MaxAttempts: 1} }

// newClient returns the client the operation is sent with, through hc, the
// endpoint it goes to, and what to call when done.
func newClient(ctx context.Context, opts *Options, hc *http.Client) (*tribe.Client, cmdutil.Endpoint, func(), error) {
	f := opts.Factory
	if opts.Token.File != "" || (opts.Network == "" && opts.Member == "" && f.Env("TRIBE_TOKEN") != "") {
		tok, err := opts.Token.Token(f, "TRIBE_TOKEN")
		if err != nil {
			return nil, cmdutil.Endpoint{}, nil, err
		}
		ep, err := opts.Endpoint.ResolveForToken(f, opts.Insecure, tok)
		if err != nil {
			return nil, ep, nil, err
		}
		c, err := tribe.NewClient(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok, TokenType: "Bearer"}),
			tribe.ClientConfig{Endpoint: ep.URL, AllowInsecureHTTP: opts.Insecure, HTTPClient: hc, Retry: noRetry()})
		ep.Announce(f)
		return c, ep, func() {}, err
	}
	ep, err := opts.Endpoint.ResolveFrom(f, opts.Insecure, "TRIBE_ENDPOINT")
	if err != nil {
		return nil, ep, nil, err
	}
	var missing cmdutil.Missing
	network, networkSource := opts.Network, "--network"
	if network == "" {
		network, networkSource = f.Env("TRIBE_NETWORK_ID"), "TRIBE_NETWORK_ID"
		if err := cmdutil.CheckID("TRIBE_NETWORK_ID", network); err != nil {
			return nil, ep, nil, err
		}
	}
	if network == "" {
		return nil, ep, nil, cmdutil.Usagef("no credentials: pass --network ID (or set TRIBE_NETWORK_ID) to mint a token with the app's TRIBE_CLIENT_ID and TRIBE_CLIENT_SECRET, or set TRIBE_TOKEN (or pass --token-file FILE) to use a token you have")
	}
	id := tribe.Identity{NetworkID: network, MemberID: opts.Member}
	clientID, secret, err := opts.App.CredentialsFor(f, ep, &missing)
	if err != nil {
		return nil, ep, nil, err
	}
	if err := missing.Err(""); err != nil {
		return nil, ep, nil, err
	}
	app := &tribe.App{ClientID: clientID, ClientSecret: secret, Endpoint: ep.URL, AllowInsecureHTTP: opts.Insecure, HTTPClient: hc,
		Retry: tribe.RetryPolicy{MaxWait: opts.MaxWait}}
	tc, err := opts.Cache.Open(ctx, f, app)
	if err != nil {
		return nil, ep, nil, err
	}
	ts, err := tc.TokenSource(ctx, id)
	if err != nil {
		tc.Close()
		return nil, ep, nil, err
	}
	its, ok := ts.(tribe.InvalidatingTokenSource)
	if !ok {
		tc.Close()
		return nil, ep, nil, errors.New("the cache's token source cannot drop a refused token")
	}
	calls := *app
	calls.Retry = noRetry()
	c, err := calls.Client(ctx, f.SecretTokens(its))
	if err != nil {
		tc.Close()
		return nil, ep, nil, ep.Explain(mint.ExplainFrom(id, networkSource, err))
	}
	ep.Announce(f)
	return c, ep, tc.Close, nil
}

// call sends the operation with vars and returns the answer's data (nil
// when it has none). A call the API rate-limits is sent again after a
// wait, with a line on stderr, unless --no-retry. The wait is the
// Retry-After, else the burst window, at most --max-wait: our own wait is
// shortened to it, and a Retry-After over it ends the command rather than
// send again a call the server said it would refuse.
func (r *runner) call(ctx context.Context, vars map[string]any) (json.RawMessage, error) {
	req := &graphql.Request{Query: r.op.text, Variables: vars, OpName: r.op.name}
	for attempt := 1; ; attempt++ {
		var data json.RawMessage
		info := &tribe.ResponseInfo{}
		err := r.client.MakeRequest(tribe.WithResponseInfo(ctx, info), req, &graphql.Response{Data: &data})
		if r.opts.Verbose && info.HasComplexity {
			r.f.Warnf("complexity %d (%s)", info.Complexity, r.op.label())
		}
		if string(data) == "null" {
			data = nil
		}
		if mb, ok := errors.AsType[*errMaxBytes](err); ok {
			return nil, &limitError{msg: fmt.Sprintf("%s (%d bytes) reading %s; raise --max-bytes to read more, e.g. --max-bytes %s", mb.Error(), mb.limit, r.op.label(), sizeText(2*mb.limit)), err: mb}
		}
		if err == nil || !errors.Is(err, tribe.ErrRateLimited) || r.opts.NoRetry {
			return data, err
		}
		if attempt >= MaxAttempts {
			return nil, cmdutil.WithHint(err, fmt.Sprintf("still rate limited after %d tries; wait a while and run again", attempt))
		}
		wait := min(r.f.RateLimitWindow(), r.opts.MaxWait)
		if rl, ok := errors.AsType[*tribe.RateLimitError](err); ok && rl.RetryAfter > 0 {
			if rl.RetryAfter > r.opts.MaxWait {
				return nil, cmdutil.WithHint(err, fmt.Sprintf("the server asks to wait %s before sending it again, longer than --max-wait %s; run it again later, or raise --max-wait", waitText(rl.RetryAfter), waitText(r.opts.MaxWait)))
			}
			wait = rl.RetryAfter
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return nil, cmdutil.WithTimeoutHint(err, fmt.Sprintf("waiting %s to send it again would pass --timeout; raise --timeout, or run again later", waitText(wait)))
		}
		r.f.Warnf("rate limited; retrying in %s (attempt %d of %d)", waitText(wait), attempt+1, MaxAttempts)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
	}
}

// waitText renders a wait: "10s", "1m30s", or "250ms" below a second.
func waitText(d time.Duration) string {
	if d < time.Second {
		return d.String()
	}
	return cmdutil.RoughDuration(d)
}

// finish prints an answer: its data, if any, on stdout, then its GraphQL
// errors on stderr, one line each.
func (r *runner) finish(ctx context.Context, data json.RawMessage, err error) error {
	if len(data) > 0 {
		if werr := r.writeData(ctx, data); werr != nil {
			return werr
		}
	}
	return r.report(err)
}

// writeData prints {"data": data}, indented and inert. Data that holds a
// secret of the run (the client secret, the token sent, the cache key), as
// a hostile server could send back, has each string that holds one
// redacted.
func (r *runner) writeData(ctx context.Context, data json.RawMessage) error {
	if err := checkJSON(data); err != nil {
		return fmt.Errorf("the answer's data cannot be read: %w", err)
	}
	return newPrinter(ctx, r.f.Out, r.f.Secrets()).answer(data)
}

// limitError is a run stopped by one of its own limits: its message names
// the flag and how to raise it, and no advice about the endpoint applies.
type limitError struct {
	msg string
	err error
}

func (e *limitError) Error() string { return e.msg }

// Unwrap returns the error beneath.
func (e *limitError) Unwrap() error { return e.err }

// report prints the GraphQL errors of an answer on stderr, one line each,
// and returns cmdutil.ErrReported; other errors are returned, explained.
func (r *runner) report(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*limitError](err); ok {
		return err
	}
	re, ok := errors.AsType[*tribe.ResponseError](err)
	if !ok || errors.Is(err, tribe.ErrRateLimited) {
		if errors.Is(err, tribe.ErrInvalidToken) || errors.Is(err, tribe.ErrUnauthorized) {
			return r.ep.Explain(cmdutil.WithHint(err, "the token is invalid or expired, or belongs to another endpoint; mint a new one"))
		}
		return r.ep.Explain(err)
	}
	for _, ge := range re.Errors {
		r.f.Warnf("%s", ge.Error())
	}
	return cmdutil.ErrReported
}

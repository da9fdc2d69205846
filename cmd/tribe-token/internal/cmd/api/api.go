// Package api is "tribe-token api": any GraphQL query or mutation, run as
// the app's bot, a member, or the holder of a token, printing the JSON
// answer, or what a jq filter makes of it, like "gh api graphql".
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
	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/tribe"
)

// Defaults and bounds of the flags.
const (
	// DefaultMaxPages is --max-pages's default.
	DefaultMaxPages = 100
	// maxMaxPages bounds --max-pages.
	maxMaxPages = 100_000
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
	// MaxWait caps one wait before a call, or the first mint, is sent
	// again (--max-wait).
	MaxWait time.Duration
	// JQ filters each answer with a jq expression (--jq), as gh api --jq
	// does.
	JQ       string
	Verbose  bool
	NoRetry  bool
	Insecure bool

	// stderrTerminal says whether stderr is a terminal, where --paginate
	// shows its progress; nil means text.IsTerminal(Factory.ErrOut).
	// Tests set it.
	stderrTerminal func() bool
}

// terminal reports whether stderr is a terminal.
func (o *Options) terminal() bool {
	if o.stderrTerminal != nil {
		return o.stderrTerminal()
	}
	return text.IsTerminal(o.Factory.ErrOut)
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
argument, @FILE, or - for stdin; it must parse and hold one operation.

Who it runs as: --network ID (or TRIBE_NETWORK_ID) mints a token for the app's
bot, or with --member ID for that member, with TRIBE_CLIENT_ID and
TRIBE_CLIENT_SECRET (or --client-id, --client-secret-file); --token-file FILE,
or TRIBE_TOKEN when neither is given, sends that token instead. With --cache URL
(or TRIBE_CACHE_URL) minted tokens are shared through Redis, encrypted with
TRIBE_CACHE_KEY or --cache-key-file.

Variables: --variables takes a JSON object, or @FILE (@- for stdin) for a large
one; -f name=value adds a string, -F name=value a typed value (true, false,
null, a number, or @FILE for a file's content); -f and -F win. A variable the
query needs and nothing gives, or a -f string for an Int, Float or Boolean, is
refused before anything is sent.

--jq EXPR filters the answer as "gh api --jq" does: each value on a line, a
string as it is, anything else as JSON. It sees no environment variables.

--paginate follows the one connection that selects pageInfo { hasNextPage
endCursor } (the query declares $after): the pages are merged into one answer,
or, with --jq, each is filtered as it comes. On a terminal, stderr shows the
pages and items so far. Past --max-pages or --max-bytes (64MiB of answers), what
was read is printed and the exit status is 1.

A rate-limited call (code 104, HTTP 429) is sent again after the Retry-After,
else Tribe's 10s burst window, up to ` + fmt.Sprint(cmdutil.MaxTries) + ` tries, with a line on stderr for each
wait; no wait passes --max-wait (5m) or --timeout; --no-retry sends nothing
again. GraphQL errors go to stderr, one line each, with exit status 1; --verbose
prints each answer's complexity.`,
		Example: `  export TRIBE_CLIENT_ID=... TRIBE_CLIENT_SECRET=... TRIBE_NETWORK_ID=CAx1mZ7I7a
  tribe-token api 'query Me { authMember { id name } }'
  tribe-token api --member Dm12KzW34 'query { authMember { id } }'
  tribe-token api -F id=Dm12KzW34 'query Member($id: ID) { member(id: $id) { name } }'
  tribe-token api --paginate -F limit=50 --jq '.data.members.nodes[].id' @members.graphql
  tribe-token api --variables @vars.json @createPost.graphql
  echo 'query { network { name } }' | TRIBE_TOKEN=$TOKEN tribe-token api -
  tribe-token api --cache redis://localhost:6379 --verbose 'query { network { id } }'`,
		// Args keeps the one argument, the query, for validate.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.Usagef("%s takes one argument, the query (its text, @FILE or - for stdin), but got %d", cmd.CommandPath(), len(args))
			}
			opts.Query = args[0]
			return nil
		},
		RunE: cmdutil.Run(f, opts, opts.validate, runF, apiRun),
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
	fl.StringVarP(&opts.JQ, "jq", "q", "", "filter each answer with a jq `expression`, printing a string as it is and anything else as JSON, one a line")
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
	if o.JQ != "" {
		if _, err := parseJQ(o.JQ); err != nil {
			return err
		}
	}
	_, err := Variables(nil, o.Variables, o.Raw, o.Typed)
	return err
}

// operation is the parsed query.
type operation struct {
	text string
	name string // the operation's name; "" for an anonymous one
	kind ast.Operation
	defs ast.VariableDefinitionList // the variables it declares
}

// def returns the definition of the variable name; nil if the operation
// declares none.
func (op operation) def(name string) *ast.VariableDefinition { return op.defs.ForName(name) }

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
	return operation{text: text, name: op.Name, kind: op.Operation, defs: op.VariableDefinitions}, nil
}

// runner sends one operation and prints what comes back.
type runner struct {
	f      *cmdutil.Factory
	opts   *Options
	op     operation
	client graphql.Client
	ep     cmdutil.Endpoint // where the calls go, for messages
	// tokenFrom is where the token sent came from, "TRIBE_TOKEN" or
	// "--token-file"; "" for a token api minted.
	tokenFrom string
	vars      map[string]any // the variables sent
	jq        *gojq.Code     // --jq's, if given
	progress  *progress      // --paginate's on stderr; nil: none
}

// apiRun runs the operation and prints the answer.
func apiRun(ctx context.Context, opts *Options) error {
	f := opts.Factory
	op, err := loadQuery(f, opts.Query)
	if err != nil {
		return err
	}
	if opts.Paginate && op.def("after") == nil {
		return cmdutil.Usagef("--paginate needs the query to declare $after and pass it to the connection, e.g. query($after: String) { members(limit: 20, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }")
	}
	vars, err := Variables(f, opts.Variables, opts.Raw, opts.Typed)
	if err != nil {
		return err
	}
	if err := checkVariables(op, vars, opts); err != nil {
		return err
	}
	r := &runner{f: f, opts: opts, op: op, vars: vars}
	if opts.JQ != "" {
		if r.jq, err = parseJQ(opts.JQ); err != nil {
			return err
		}
	}
	if opts.Paginate && opts.terminal() {
		r.progress = &progress{w: f.ErrOut}
	}
	hc := httpClient(f, newBudget(opts.MaxBytes))
	client, done, err := r.newClient(ctx, hc)
	if err != nil {
		return err
	}
	defer done()
	r.client = client.GraphQL()
	if opts.Paginate {
		return r.paginate(ctx, vars)
	}
	data, err := r.call(ctx, vars)
	return r.finish(ctx, data, err)
}

// newClient returns the client the operation is sent with, through hc,
// and what to call when done; it sets r.ep, where the calls go, and
// r.tokenFrom. The libraries retry nothing: api waits itself, and says so
// on stderr.
func (r *runner) newClient(ctx context.Context, hc *http.Client) (*tribe.Client, func(), error) {
	opts, f := r.opts, r.f
	t, err := f.CommandToken(cmdutil.TokenRequest{App: &opts.App, Endpoint: &opts.Endpoint, Token: &opts.Token, TokenEnv: "TRIBE_TOKEN",
		Network: opts.Network, Member: opts.Member, Insecure: opts.Insecure, HTTPClient: hc,
		NoCredentials: "no credentials: pass --network ID (or set TRIBE_NETWORK_ID) to mint a token with the app's TRIBE_CLIENT_ID and TRIBE_CLIENT_SECRET, or set TRIBE_TOKEN (or pass --token-file FILE) to use a token you have"})
	if err != nil {
		return nil, nil, err
	}
	r.ep, r.tokenFrom = t.Endpoint, t.GivenFrom
	if ts := t.StaticSource(); ts != nil {
		c, err := tribe.NewClient(ts, tribe.ClientConfig{Endpoint: r.ep.URL, AllowInsecureHTTP: opts.Insecure, HTTPClient: hc, Retry: cmdutil.NoLibraryRetries()})
		r.ep.Announce(f)
		return c, func() {}, err
	}
	tc, err := opts.Cache.Open(ctx, f, t.App)
	if err != nil {
		return nil, nil, err
	}
	ts, err := tc.TokenSource(ctx, t.Identity)
	if err != nil {
		tc.Close()
		return nil, nil, err
	}
	its, ok := ts.(tribe.InvalidatingTokenSource)
	if !ok {
		tc.Close()
		return nil, nil, errors.New("the cache's token source cannot drop a refused token")
	}
	// The first token is minted here: a passing failure is waited out, as
	// a call's rate limit is, with a line on stderr.
	var c *tribe.Client
	err = r.withRetries(ctx, sending{what: "minting a token: ", idempotent: true}, func(ctx context.Context) (err error) {
		c, err = t.App.Client(ctx, f.SecretTokens(its))
		return err
	})
	if err != nil {
		tc.Close()
		return nil, nil, t.Explain(err)
	}
	r.ep.Announce(f)
	return c, tc.Close, nil
}

// call sends the operation with vars and returns the answer's data (nil
// when it has none). A call the API rate-limits is sent again after a
// wait, with a line on stderr (see withRetries).
func (r *runner) call(ctx context.Context, vars map[string]any) (json.RawMessage, error) {
	req := &graphql.Request{Query: r.op.text, Variables: vars, OpName: r.op.name}
	var data json.RawMessage
	err := r.withRetries(ctx, sending{}, func(ctx context.Context) error {
		data = nil
		info := &tribe.ResponseInfo{}
		err := r.client.MakeRequest(tribe.WithResponseInfo(ctx, info), req, &graphql.Response{Data: &data})
		if r.opts.Verbose && info.HasComplexity {
			r.progress.clear()
			r.f.Warnf("complexity %d (%s)", info.Complexity, r.op.label())
		}
		return err
	})
	if _, ok := errors.AsType[*limitError](err); ok || string(data) == "null" {
		data = nil
	}
	return data, err
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

// writeData prints {"data": data}, indented and inert, or what --jq makes
// of it. Data that holds a secret of the run (the client secret, the token
// sent, the cache key), as a hostile server could send back, has each
// string that holds one redacted.
func (r *runner) writeData(ctx context.Context, data json.RawMessage) error {
	if err := checkJSON(data); err != nil {
		return fmt.Errorf("the answer's data cannot be read: %w", err)
	}
	p := newPrinter(ctx, r.f.Out, r.f.Secrets())
	if r.jq != nil {
		return p.filter(r.jq, data)
	}
	return p.answer(data)
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
	r.progress.clear()
	if _, ok := errors.AsType[*limitError](err); ok {
		return err
	}
	if _, ok := errors.AsType[*jqError](err); ok {
		return err
	}
	if errors.Is(err, tribe.ErrRateLimited) {
		// The waits said all there is; the endpoint has nothing to do
		// with it.
		return err
	}
	re, ok := errors.AsType[*tribe.ResponseError](err)
	if !ok {
		if r.tokenFrom != "" && (errors.Is(err, tribe.ErrInvalidToken) || errors.Is(err, tribe.ErrUnauthorized)) {
			// The user's token: nothing about the endpoint it was sent to
			// helps more than minting a new one.
			return cmdutil.WithHint(err, cmdutil.RefusedTokenHint+" for "+r.tokenFrom)
		}
		return r.ep.Explain(cmdutil.RefusedToken(err))
	}
	for _, ge := range re.Errors {
		line := ge.Error()
		if hint := r.hintFor(ge); hint != "" {
			line += "; " + hint
		}
		r.f.Warnf("%s", line)
	}
	return cmdutil.ErrReported
}

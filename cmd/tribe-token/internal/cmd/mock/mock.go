// Package mock is "tribe-token mock": the tribetest mock Tribe server (and,
// with --crm, a mock Tribe CRM) until SIGINT or SIGTERM, for tests in any
// language.
package mock

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/internal/loopback"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
	"github.com/tribekit/tribekit/tribe/schema"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

// Info is what "mock" prints first: where the server is and which app
// it knows.
type Info struct {
	GraphQL      string `json:"graphql"`
	OAuth        string `json:"oauth"`
	URL          string `json:"url"`
	Listen       string `json:"listen"` // the address listened on
	NetworkID    string `json:"network,omitempty"`
	ClientID     string `json:"client_id,omitempty"`
	ClientSecret string `json:"client_secret,omitempty"`
	// Admin is the base URL of the admin API, with --admin.
	Admin string `json:"admin,omitempty"`
	// The mock Tribe CRM, with --crm.
	CRM             string `json:"crm,omitempty"`
	CRMClientID     string `json:"crm_client_id,omitempty"`
	CRMClientSecret string `json:"crm_client_secret,omitempty"`
	// WebhookSecret is the app's webhook signing secret, with
	// --webhook-url and --print-credentials.
	WebhookSecret string `json:"webhook_secret,omitempty"`
	// suppliedWebhookSecret is a signing secret the user gave (file or
	// environment): --output env exports it rather than unset it.
	suppliedWebhookSecret string
}

// write prints the information in format: key=value lines, one JSON line,
// or shell export lines.
func (m Info) write(w io.Writer, format string) error {
	switch format {
	case cmdutil.OutJSON:
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	case cmdutil.OutEnv:
		lines := [][2]string{
			{"TRIBE_ENDPOINT", m.GraphQL},
			{"TRIBE_COMMUNITY_URL", m.URL},
			{"TRIBE_MOCK_LISTEN", m.Listen},
			{"TRIBE_NETWORK_ID", m.NetworkID},
			{"TRIBE_CLIENT_ID", m.ClientID},
			{"TRIBE_CLIENT_SECRET", m.ClientSecret},
			{"TRIBE_MOCK_ADMIN", m.Admin},
			{"TRIBE_CRM_BASE_URL", m.CRM},
			{"TRIBE_CRM_CLIENT_ID", m.CRMClientID},
			{"TRIBE_CRM_CLIENT_SECRET", m.CRMClientSecret},
			{webhookSecretEnv, cmp.Or(m.WebhookSecret, m.suppliedWebhookSecret)},
		}
		// Every variable it owns is set or cleared, so that sourcing the
		// output of a new mock leaves nothing of an old one: not its
		// tokens, gateway or CRM, nor a secret that goes with another
		// client id.
		var unset []string
		for _, l := range lines {
			if l[1] == "" {
				unset = append(unset, l[0])
				continue
			}
			if _, err := fmt.Fprintf(w, "export %s=%s\n", l[0], text.ShellQuote(l[1])); err != nil {
				return err
			}
		}
		unset = append(unset, StaleVars()...)
		_, err := fmt.Fprintf(w, "unset %s\n", strings.Join(unset, " "))
		return err
	}
	lines := [][2]string{
		{"graphql", m.GraphQL},
		{"oauth", m.OAuth},
		{"url", m.URL},
		{"listen", m.Listen},
		{"network", m.NetworkID},
		{"client_id", m.ClientID},
		{"client_secret", m.ClientSecret},
		{"admin", m.Admin},
		{"crm", m.CRM},
		{"crm_client_id", m.CRMClientID},
		{"crm_client_secret", m.CRMClientSecret},
		{"webhook_secret", m.WebhookSecret},
	}
	for _, l := range lines {
		if l[1] != "" {
			if _, err := fmt.Fprintf(w, "%s=%s\n", l[0], l[1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// StaleVars are the variables that hold what an earlier server gave (its
// tokens, their expiry and gateway): the env output clears them, as they
// mean nothing to a new mock.
func StaleVars() []string {
	return []string{"TRIBE_TOKEN", "TRIBE_TOKEN_EXPIRY", "TRIBE_GATEWAY_URL", "TRIBE_GATEWAY_FOR", "TRIBE_REFRESH_TOKEN",
		"TRIBE_CRM_TOKEN", "TRIBE_CRM_TOKEN_EXPIRY", "TRIBE_CRM_REFRESH_TOKEN"}
}

// Options are mock's inputs.
type Options struct {
	Factory *cmdutil.Factory

	Addr             string
	Fixtures         string
	PrintCredentials bool
	TokenLifetime    time.Duration
	Log              bool
	CRM              bool
	Output           string
	Schema           string
	Admin            bool
	ListLength       int
	PageTotal        int
	// RateLimit is --rate-limit as given; Limits what it says.
	RateLimit string
	Limits    *tribetest.RateLimits
	// WebhookURL is --webhook-url, WebhookSecretFile --webhook-secret-file.
	WebhookURL        string
	WebhookSecretFile string

	// foreground reports whether the mock runs in the foreground of a
	// terminal, where Ctrl-C stops it; nil means text.Foreground of
	// stdin. Tests set it.
	foreground func() bool
}

// NewCmdMock builds "mock". runF, if not nil, is called with the parsed
// Options in place of the work (for tests).
func NewCmdMock(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:        "mock [--addr HOST:PORT] [--fixtures FILE] [--schema FILE] [--admin]",
		Short:      "Run a mock Tribe server for tests in any language",
		SuggestFor: []string{"server", "serve", "fake", "stub", "mock-server"},
		Long: `Run the tribetest mock Tribe server until SIGINT or SIGTERM: limitedToken and
Bearer GraphQL (authMember, network, member, members) at /graphql, per-community
gateways, and the v1 OAuth2 token endpoint. With --schema it serves any Tribe
schema (SDL, or the JSON of schema pull -o json), mocking every field the
fixtures do not answer; with --admin, an admin API under /__admin (loopback
only; docs/tribetest.md in the repository is the reference); with --crm, a mock
Tribe CRM too. Posts, reactions, spaces and members keep state, as on Tribe.

With --webhook-url URL it delivers each change (post.published, space.created,
member.updated...) to URL, signed as Tribe signs with the secret of
--webhook-secret-file FILE or TRIBE_WEBHOOK_SECRET, else a random one, which is
printed (webhook_secret) only with --print-credentials. --log shows each
delivery on stderr.

Before serving, it prints its settings on stdout, one per line (graphql=URL,
oauth=URL, url=URL, listen=ADDR, network=ID, client_id=ID, then the others), so
a test can read them; --output json prints one JSON line, --output env export
lines to source, ending with an unset line that clears what an earlier mock gave
(TRIBE_TOKEN, TRIBE_GATEWAY_URL, ...). Client secrets are printed only with
--print-credentials. Tokens are signed with a key drawn at random for each run.
A reader that closes stdout early (tribe-token mock | head -1) does not stop it.

On stderr it says how to stop it: Ctrl-C in the foreground of a terminal, else
kill PID (SIGTERM). A second signal ends it at once. docs/tribe-token.md has the
rest: every setting, --addr and the network.`,
		Example: `  tribe-token mock
  tribe-token mock --addr 127.0.0.1:8080 --fixtures fixtures.json --output json
  tribe-token mock --schema schema.generated.gql --admin --output json
  tribe-token mock --schema schema.generated.gql --webhook-url http://127.0.0.1:8080/webhook
  tribe-token mock --print-credentials --output env > mock.env &
  until grep -q '^unset ' mock.env; do kill -0 $! || break; sleep 0.1; done
  . ./mock.env; tribe-token mint --network "$TRIBE_NETWORK_ID"`,
		Args: cmdutil.NoArgs,
		RunE: cmdutil.Serve(f, opts, opts.validate, runF, mockRun),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Addr, "addr", "127.0.0.1:0", "address to listen on (port 0: any free port; a host other than loopback exposes the mock to the network)")
	fl.StringVar(&opts.Fixtures, "fixtures", "", "JSON fixtures `FILE` (apps, networks, roles, members; default: the built-in ones)")
	fl.BoolVar(&opts.PrintCredentials, "print-credentials", false, "also print the app's client secret (a fixture, not a real secret)")
	fl.DurationVar(&opts.TokenLifetime, "token-lifetime", 0, "lifetime of the tokens it issues (default 1h)")
	fl.BoolVar(&opts.CRM, "crm", false, "also run a mock Tribe CRM (OAuth 2.0 and GetCurrentEmployee) on another port")
	fl.BoolVar(&opts.Log, "log", false, "log one line per request on stderr (never credentials or tokens)")
	fl.StringVar(&opts.Schema, "schema", "", "GraphQL schema `FILE` to serve, SDL or introspection JSON (default: the repository's schema.graphql)")
	fl.BoolVar(&opts.Admin, "admin", false, "serve the admin API under /__admin/ (loopback clients only; needs a loopback --addr)")
	fl.IntVar(&opts.ListLength, "list-length", 2, "`N` items in a mocked list (0 to 10000)")
	fl.IntVar(&opts.PageTotal, "page-total", 20, "totalCount `N` of a mocked connection (0 to 10000)")
	fl.StringVar(&opts.RateLimit, "rate-limit", "", "enforce Tribe's rate limits per app and community, as `requests=N,complexity=N,window=DURATION` (also dailyRequests=N, dailyComplexity=N; any may be left out), answering code 104 over them")
	fl.StringVar(&opts.WebhookURL, "webhook-url", "", "deliver the community's events, signed, to `URL`: the webhookUrl of the fixtures' first app, subscribed to every event unless the fixtures name its subscriptions")
	fl.StringVar(&opts.WebhookSecretFile, "webhook-secret-file", "", "read the app's webhook signing secret from `FILE` (- for stdin; default $"+webhookSecretEnv+", else a random one)")
	cmdutil.AddOutputFlagExact(cmd, &opts.Output, cmdutil.OutText, cmdutil.OutJSON, cmdutil.OutEnv)
	return cmd
}

// webhookSecretEnv holds the webhook signing secret, as for tribe-token
// webhook.
const webhookSecretEnv = "TRIBE_WEBHOOK_SECRET"

// validate checks what the flags alone say, naming the flags.
func (o *Options) validate() error {
	if o.TokenLifetime != 0 && o.TokenLifetime < time.Second {
		return cmdutil.Usagef("--token-lifetime %s is too short; give at least 1s", o.TokenLifetime)
	}
	if o.ListLength < 0 || o.ListLength > 10000 {
		return cmdutil.Usagef("--list-length %d is not from 0 to 10000", o.ListLength)
	}
	if o.PageTotal < 0 || o.PageTotal > 10000 {
		return cmdutil.Usagef("--page-total %d is not from 0 to 10000", o.PageTotal)
	}
	if err := cmdutil.CheckListenAddr(o.Addr); err != nil {
		return err
	}
	if o.RateLimit != "" {
		l, err := ParseRateLimit(o.RateLimit)
		if err != nil {
			return err
		}
		o.Limits = l
	}
	if o.WebhookURL != "" {
		u, err := url.Parse(o.WebhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return cmdutil.Usagef("--webhook-url %q is not an http or https URL with a host; give one such as http://127.0.0.1:8080/webhook", text.Clip(o.WebhookURL))
		}
	} else if o.WebhookSecretFile != "" {
		return cmdutil.Usagef("--webhook-secret-file without --webhook-url; give the URL the events go to")
	}
	if host, _, _ := net.SplitHostPort(o.Addr); o.Admin && !loopback.Host(host) {
		return cmdutil.Usagef("--admin needs a loopback --addr, not %q: the admin API changes the server's state and is for this machine only; use --addr 127.0.0.1:PORT", text.Clip(o.Addr))
	}
	return nil
}

// loadSchema reads --schema.
func loadSchema(path string) (*ast.Schema, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, cmdutil.Usagef("reading --schema %s: %w", path, err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, schema.MaxSize+1))
	if err != nil {
		return nil, cmdutil.Usagef("reading --schema %s: %w", path, err)
	}
	s, err := schema.Load(path, data)
	if err != nil {
		return nil, cmdutil.Usagef("reading --schema %s: %w", path, err)
	}
	return s, nil
}

// mockRun serves until ctx ends or a signal comes.
func mockRun(ctx context.Context, o *Options) error {
	f := o.Factory
	fx := tribetest.DefaultFixtures()
	if o.Fixtures != "" {
		var err error
		if fx, err = tribetest.LoadFixtures(o.Fixtures); err != nil {
			return cmdutil.Usagef("reading --fixtures %s: %w", o.Fixtures, err)
		}
	}
	opts := []tribetest.Option{tribetest.WithFixtures(fx),
		tribetest.WithMockListLength(o.ListLength), tribetest.WithMockPageTotal(o.PageTotal)}
	if o.Limits != nil {
		opts = append(opts, tribetest.WithRateLimits(*o.Limits))
	}
	if o.Schema != "" {
		s, err := loadSchema(o.Schema)
		if err != nil {
			return err
		}
		opts = append(opts, tribetest.WithSchema(s))
	}
	if o.Admin {
		opts = append(opts, tribetest.WithAdminAPI())
	}
	if o.TokenLifetime != 0 {
		opts = append(opts, tribetest.WithTokenLifetime(o.TokenLifetime))
	}
	if o.Log {
		opts = append(opts, tribetest.WithLogger(slog.New(slog.NewTextHandler(f.ErrOut, nil))))
	}
	var hook webhookSecret
	if o.WebhookURL != "" {
		var err error
		if hook, err = webhookOption(f, o, fx); err != nil {
			return err
		}
		opts = append(opts, hook.option)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if f.Getenv("GOGC") == "" {
		// A mock's live heap is small (the schema, the record) and its
		// answers are garbage at once: collecting at 5x the live heap
		// rather than 2x spends a fraction of the CPU on it, for a few
		// MB more.
		defer debug.SetGCPercent(debug.SetGCPercent(mockGCPercent))
	}
	srv, err := tribetest.Start(o.Addr, opts...)
	if err != nil {
		if _, bad := errors.AsType[*net.AddrError](err); bad {
			return cmdutil.Usagef("--addr %s: %w", o.Addr, err)
		}
		if _, bad := errors.AsType[*net.DNSError](err); bad {
			return cmdutil.Usagef("--addr %s: %w", o.Addr, err)
		}
		return fmt.Errorf("starting the mock server on %s: %w", o.Addr, err)
	}
	defer srv.Close()
	info := Info{GraphQL: srv.GraphQLURL(), OAuth: srv.OAuthTokenURL(), URL: srv.URL, Listen: srv.Addr().String()}
	if o.Admin {
		// No trailing slash: "$TRIBE_MOCK_ADMIN/counts" is the counts.
		info.Admin = srv.URL + "/__admin"
	}
	if !isLoopback(srv.Addr()) {
		creds := "the credentials of your fixtures"
		if o.Fixtures == "" {
			creds = "the default fixtures' credentials, which are public (go doc github.com/tribekit/tribekit/tribe/tribetest)"
		}
		fmt.Fprintf(f.ErrOut, "warning: the mock Tribe server listens on %s, not only on loopback: anyone who can reach this machine can use it with %s; use --addr 127.0.0.1:PORT to keep it local\n",
			info.Listen, creds)
	}
	if len(fx.Apps) > 0 {
		app := fx.Apps[0]
		info.ClientID = app.ClientID
		if len(app.InstalledOn) > 0 {
			info.NetworkID = app.InstalledOn[0]
		}
		if o.PrintCredentials {
			info.ClientSecret = app.ClientSecret
		}
	}
	if hook.option != nil {
		if o.PrintCredentials {
			info.WebhookSecret = hook.secret
		}
		if hook.supplied {
			info.suppliedWebhookSecret = hook.secret
		}
	}
	if o.CRM {
		crmSrv := crmtest.NewServer()
		defer crmSrv.Close()
		app := crmtest.DefaultApp()
		info.CRM, info.CRMClientID = crmSrv.URL, app.ClientID
		if o.PrintCredentials {
			info.CRMClientSecret = app.ClientSecret
		}
	}
	// A reader that closes stdout early (tribe-token mock | head -1) must
	// not kill the server with SIGPIPE: with SIGPIPE caught, a write to the
	// closed pipe fails with EPIPE instead, and the mock keeps serving,
	// quietly, as the reader got what it wanted.
	pipe := make(chan os.Signal, 1)
	signal.Notify(pipe, syscall.SIGPIPE)
	defer signal.Stop(pipe)
	if err := info.write(f.Out, o.Output); err != nil && !errors.Is(err, syscall.EPIPE) {
		return err
	}
	how, again := stopHint(o)
	fmt.Fprintf(f.ErrOut, "mock Tribe server at %s (listening on %s); stop it with %s\n", srv.URL, info.Listen, how)
	<-ctx.Done()
	// From here on a second signal is not caught: it ends the
	// process, should stopping hang.
	stop()
	fmt.Fprintf(f.ErrOut, "stopping the mock Tribe server; %s ends it at once\n", again)
	srv.Close()
	fmt.Fprintln(f.ErrOut, "mock Tribe server stopped")
	return nil
}

// stopHint says how to stop the mock, as fits how it was started: Ctrl-C
// in the foreground of a terminal, else kill with its process id, as a job
// in the background, a script or a test harness would; and how to end it
// at once, while it stops.
func stopHint(o *Options) (how, again string) {
	fg := o.foreground
	if fg == nil {
		fg = func() bool { return text.Foreground(o.Factory.In) }
	}
	if fg() {
		return "Ctrl-C", "a second Ctrl-C"
	}
	return fmt.Sprintf("kill %d (SIGTERM)", os.Getpid()), "a second SIGTERM"
}

// mockGCPercent is the garbage collector's GOGC while mock serves, unless
// the GOGC variable sets it.
const mockGCPercent = 400

// isLoopback reports whether addr is a loopback address, which only this
// machine can reach.
func isLoopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// ParseRateLimit reads --rate-limit: comma-separated name=value pairs of
// requests, complexity, window (a duration), dailyRequests and
// dailyComplexity.
func ParseRateLimit(spec string) (*tribetest.RateLimits, error) {
	var l tribetest.RateLimits
	seen := map[string]bool{}
	for _, part := range strings.Split(spec, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || value == "" {
			return nil, cmdutil.Usagef("--rate-limit %q: %q is not name=value; give e.g. requests=100,complexity=10000,window=10s", text.Clip(spec), text.Clip(part))
		}
		if seen[name] {
			return nil, cmdutil.Usagef("--rate-limit: %s is given twice; give it once", text.Clip(name))
		}
		seen[name] = true
		if name == "window" {
			d, err := time.ParseDuration(value)
			if err != nil || d <= 0 {
				return nil, cmdutil.Usagef("--rate-limit: window=%s is not a positive duration; give one such as 10s", text.Clip(value))
			}
			l.Window = d
			continue
		}
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			return nil, cmdutil.Usagef("--rate-limit: %s=%s is not a whole number of 0 or more", text.Clip(name), text.Clip(value))
		}
		switch name {
		case "requests":
			l.Requests = n
		case "complexity":
			l.Complexity = n
		case "dailyRequests":
			l.DailyRequests = n
		case "dailyComplexity":
			l.DailyComplexity = n
		default:
			return nil, cmdutil.Usagef("--rate-limit: unknown limit %q; give requests, complexity, window, dailyRequests or dailyComplexity", text.Clip(name))
		}
	}
	return &l, nil
}

// webhookSecret is --webhook-url's app webhook and its signing secret.
type webhookSecret struct {
	option   tribetest.Option
	secret   string
	supplied bool // from --webhook-secret-file or the environment
}

// webhookOption makes the fixtures' first app deliver to --webhook-url,
// signed with the secret of --webhook-secret-file or
// TRIBE_WEBHOOK_SECRET, else a random one.
func webhookOption(f *cmdutil.Factory, o *Options, fx *tribetest.Fixtures) (webhookSecret, error) {
	if len(fx.Apps) == 0 {
		return webhookSecret{}, cmdutil.Usagef("--webhook-url: the fixtures have no app to deliver for; add one to --fixtures")
	}
	secret, supplied, err := f.OptionalSecret(cmdutil.SecretSpec{What: "webhook signing secret", EnvVar: webhookSecretEnv, FileArg: "webhook-secret-file", File: o.WebhookSecretFile})
	if err != nil {
		return webhookSecret{}, err
	}
	if !supplied {
		b := make([]byte, 24)
		_, _ = rand.Read(b) // never fails (crypto/rand)
		secret = "whsec-" + hex.EncodeToString(b)
		f.AddSecret(secret)
	}
	app := fx.Apps[0]
	subs := app.WebhookSubscriptions
	if len(subs) == 0 {
		subs = []string{"*"}
	}
	id := app.ID
	if id == "" {
		id = app.ClientID
	}
	return webhookSecret{
		option:   tribetest.WithAppWebhook(id, tribetest.AppWebhook{URL: o.WebhookURL, SignSecret: secret, Subscriptions: subs, InteractionURL: app.InteractionURL}),
		secret:   secret,
		supplied: supplied,
	}, nil
}

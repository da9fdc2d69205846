package tribetest

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tribekit/tribekit"
	"github.com/tribekit/tribekit/internal/loopback"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/automock"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/community"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/delivery"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

func strconvQuote(s string) string { return strconv.Quote(clip(s)) }

// Paths the server answers.
const (
	graphQLPath    = "/graphql"
	gatewayPath    = "/gateway"
	oauthTokenPath = "/api/v1/oauth/token"
)

// Server is a mock Tribe (Bettermode) API server for tests, built on
// net/http/httptest.Server and shaped like it: [NewServer] (or
// [NewTLSServer]) starts one on a random loopback port; [NewUnstartedServer]
// makes one to start later with [Server.Start] or [Server.StartTLS];
// [Start] runs one on a given address, for a standalone mock. Point the
// code under test at [Server.URL], and call [Server.Close] when done.
//
// A Server is safe for concurrent use: every method may be called from any
// goroutine, also while requests are being served. Its state (fixtures,
// tokens, request record, faults) is its own, behind its own mutex.
//
// A client has 10 seconds to send a request's header and 30 to send all of
// it; the answer may take longer (an injected latency). A keep-alive
// connection may stay idle for 10 minutes.
//
// Server is also an http.Handler, should a test want to mount it elsewhere
// or call it without a network.
type Server struct {
	// URL is the base URL of the server once started, http://ipaddr:port
	// (https:// after [Server.StartTLS]) with no trailing slash; it always
	// names a loopback address when the server listens on every interface
	// ([Server.Addr]). GraphQL is served at URL and URL+"/graphql".
	URL string

	cfg    config
	schema *ast.Schema
	cache  *graphql.Cache // of queries parsed and validated
	mock   *automock.Info
	store  *Store
	// over holds the overrides; overMap is its map as requests read it.
	over    overrides
	overMap atomic.Pointer[map[fieldKey]resolverEntry]
	key     []byte
	keyID   string
	// maxRoles is the most roles a network has; roles do not change
	// once the server is built.
	maxRoles int
	jwks     jwksCache
	fetch    *http.Client    // for JWKS documents
	ownTr    *http.Transport // fetch's transport when it is ours

	// comm keeps Tribe's objects (community.go); disp delivers to apps
	// (deliveries.go). installIDs names the app and network of each
	// installation id, lastInstall is the time of the latest change of
	// one, originals are the fixtures' members updateMember replaced:
	// all three guarded by mu.
	comm        *community.Community
	disp        *delivery.Dispatcher
	installIDs  map[string]installRef
	lastInstall time.Time
	originals   map[string]*Member

	tokenSeq atomic.Uint64
	// verified holds the claims of tokens whose signature, method and
	// issuer were verified (token → *tokenClaims), at most maxVerified.
	verified  sync.Map
	verifiedN atomic.Int32
	// buffers are answer buffers (*[]byte) given back once sent.
	buffers sync.Pool
	// boundsFn is listBounds, for the cost of each request; lastBounds
	// what it answered last.
	boundsFn   func() graphql.Bounds
	lastBounds atomic.Pointer[listBounds]
	// jsonType is the Content-Type header of JSON answers, shared by
	// them (never changed).
	jsonType []string
	offset   atomic.Int64 // nanoseconds added to the clock by Advance
	rates    rateCounter  // WithRateLimits' counts

	mu          sync.Mutex
	st          *state
	revoked     map[string]struct{} // jti of revoked access tokens
	revokedUpTo uint64              // RevokeAll: every jti up to this is revoked
	refresh     map[[32]byte]refreshGrant
	records     []Request
	counts      map[string]int
	grants      map[string]int
	faults      map[string][]*pendingFault

	hs        *httptest.Server // listener, lifecycle, client
	addr      net.Addr         // hs.Listener's address
	host      string           // the host asked to listen on, for URL
	ctx       context.Context  // canceled by Close; requests derive from it
	cancel    context.CancelFunc
	closeOnce sync.Once

	handlersMu sync.Mutex     // guards closing and handlers.Add
	closing    bool           // Close has begun: new requests are dropped
	handlers   sync.WaitGroup // handlers hs is running
	inFlight   atomic.Int32   // handlers hs is running, for tests
}

// closeGrace is how long Close lets requests in flight finish before it
// closes their connections.
const closeGrace = time.Second

// NewServer starts a Server on a random port of 127.0.0.1 (or ::1, as
// httptest.NewServer), or on the listener of [WithListener], with
// [DefaultFixtures] unless an option says otherwise. Like
// httptest.NewServer it panics if it cannot listen, and it panics on an
// invalid option (such as invalid fixtures): use [Start] to get an error
// instead.
func NewServer(opts ...Option) *Server {
	s := NewUnstartedServer(opts...)
	s.Start()
	return s
}

// NewTLSServer is [NewServer] serving HTTPS, with httptest's certificate
// for 127.0.0.1, ::1 and example.com: [Server.URL] starts with https://,
// limitedToken's gatewayUrl too, and [Server.Client] trusts the
// certificate.
func NewTLSServer(opts ...Option) *Server {
	s := NewUnstartedServer(opts...)
	s.StartTLS()
	return s
}

// NewUnstartedServer returns a Server that listens (on a random loopback
// port, or on the listener of [WithListener]) but does not serve yet:
// call [Server.Start] or [Server.StartTLS]. [Server.Close] closes its
// listener whether it was started or not. It panics on an invalid option,
// as [NewServer].
func NewUnstartedServer(opts ...Option) *Server {
	s, err := newServer("", opts)
	if err != nil {
		panic(err)
	}
	return s
}

// Start starts a Server listening on addr (host:port, as for net.Listen),
// for a standalone mock server, or returns the error of an invalid option or
// of listening (an empty addr: a random loopback port, as [NewServer], or
// the listener of [WithListener]). When addr's host is unspecified, URL
// names the loopback address of the family asked for: 127.0.0.1 for ":8080"
// and "0.0.0.0:8080", [::1] for "[::]:8080". The server still listens on
// every interface then ([Server.Addr]), where anyone who can reach the
// machine can use it, with the credentials of its fixtures
// ([DefaultFixtures]' are public). It serves plain HTTP; for HTTPS on an
// address of your own, give [NewUnstartedServer] a listener ([WithListener])
// and call [Server.StartTLS].
func Start(addr string, opts ...Option) (*Server, error) {
	s, err := newServer(addr, opts)
	if err != nil {
		return nil, err
	}
	s.Start()
	return s, nil
}

// newServer builds an unstarted Server from opts. It listens on addr when
// not "", else on the listener of WithListener, else on httptest's
// loopback listener; it listens only once the options are valid.
func newServer(addr string, opts []Option) (*Server, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if addr != "" && cfg.listener != nil {
		return nil, errors.New("tribetest: both Start's address and WithListener say where to listen; give one of them")
	}
	if cfg.fixtures == nil {
		cfg.fixtures = DefaultFixtures()
	}
	st, err := newState(cfg.fixtures)
	if err != nil {
		return nil, err
	}
	schema := cfg.schema
	if schema == nil {
		if schema, err = gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: tribekit.Schema()}); err != nil {
			return nil, fmt.Errorf("tribetest: load schema: %w", err)
		}
	}
	gql := graphql.NewSchema(schema, engineCodes())
	store := newStore(schema)
	if err := seedStore(store, cfg.fixtures); err != nil {
		return nil, err
	}
	key := cfg.signingKey
	if key == nil {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("tribetest: signing key: %w", err)
		}
	}
	s := &Server{
		cfg:     cfg,
		schema:  schema,
		cache:   graphql.NewCache(gql, cfg.cacheSize),
		mock:    automock.NewInfo(gql),
		store:   store,
		key:     key,
		keyID:   keyID(key),
		st:      st,
		revoked: map[string]struct{}{},
		refresh: map[[32]byte]refreshGrant{},
		counts:  map[string]int{},
		grants:  map[string]int{},
		faults:  map[string][]*pendingFault{},
	}
	for _, nr := range st.networks {
		s.maxRoles = max(s.maxRoles, len(nr.net.Roles))
	}
	if err := s.newCommunity(); err != nil {
		return nil, err
	}
	if err := s.newDeliveries(); err != nil {
		return nil, err
	}
	s.boundsFn = s.listBounds
	s.jsonType = []string{"application/json; charset=utf-8"}
	s.fetch = cfg.httpClient
	if s.fetch == nil {
		s.ownTr = http.DefaultTransport.(*http.Transport).Clone()
		s.fetch = &http.Client{Transport: s.ownTr, Timeout: 10 * time.Second}
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())

	handler := http.HandlerFunc(s.serveTracked)
	switch {
	case addr != "":
		if host, _, err := net.SplitHostPort(addr); cfg.admin && (err != nil || !loopback.Host(host)) {
			s.cancel()
			return nil, errors.New("tribetest: WithAdminAPI with Start(" + strconvQuote(addr) + "), an address that is not loopback; listen on 127.0.0.1 or [::1] (the admin API changes the server's state and is for this machine only)")
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			s.cancel()
			return nil, fmt.Errorf("tribetest: listen on %s: %w", addr, err)
		}
		s.hs = &httptest.Server{Listener: ln, Config: &http.Server{Handler: handler}}
		s.host, _, _ = net.SplitHostPort(addr) // net.Listen took it
	case cfg.listener != nil:
		// As httptest.NewUnstartedServer followed by replacing its
		// Listener, without listening on a port to close at once.
		s.hs = &httptest.Server{Listener: cfg.listener, Config: &http.Server{Handler: handler}}
		s.host = "-" // not asked: name the listener's own address
	default:
		s.hs = httptest.NewUnstartedServer(handler)
	}
	s.addr = s.hs.Listener.Addr()
	if cfg.admin {
		if err := checkAdminAddr(s.addr); err != nil {
			_ = s.hs.Listener.Close()
			s.cancel()
			return nil, err
		}
	}
	c := s.hs.Config
	c.ReadHeaderTimeout = 10 * time.Second
	// ReadTimeout bounds reading a request, body included; net/http lifts
	// it once the body is read, so an injected latency may last longer.
	// Keep-alive connections may idle for minutes.
	c.ReadTimeout = s.cfg.readTimeout
	c.IdleTimeout = 10 * time.Minute
	c.BaseContext = func(net.Listener) context.Context { return s.ctx }
	c.ErrorLog = s.errorLog()
	return s, nil
}

// Start starts serving plain HTTP on the server's listener and sets
// [Server.URL], as httptest.Server.Start. It panics if the server was
// already started.
func (s *Server) Start() {
	s.setURL("http")
	s.hs.Start()
}

// StartTLS starts serving HTTPS on the server's listener, with
// httptest's certificate for 127.0.0.1, ::1 and example.com, and sets
// [Server.URL] (https://…), as httptest.Server.StartTLS. [Server.Client]
// trusts the certificate, [Server.Certificate] returns it. It panics if
// the server was already started.
func (s *Server) StartTLS() {
	s.setURL("https")
	s.hs.StartTLS()
}

// setURL sets URL before the server serves, so handlers only ever read
// it.
func (s *Server) setURL(scheme string) {
	if s.URL != "" {
		panic("tribetest: Server already started")
	}
	s.URL = scheme + "://" + publicAddr(s.host, s.addr)
}

// publicAddr is the address to name in URL for a listener on addr that was
// asked to listen on host: the loopback address of the family asked for
// when host is unspecified ("", "0.0.0.0": 127.0.0.1; "::": ::1), whatever
// the listener reports (a dual-stack listener reports [::] for both), else
// the listener's own address, with the loopback address of its family in
// place of an unspecified one.
func publicAddr(host string, addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return addr.String()
	}
	ip := tcp.IP
	asked := net.ParseIP(host)
	switch {
	case host == "" || asked != nil && asked.To4() != nil && asked.IsUnspecified():
		ip = net.IPv4(127, 0, 0, 1)
	case asked != nil && asked.IsUnspecified():
		ip = net.IPv6loopback
	case ip == nil || ip.Equal(net.IPv4zero):
		ip = net.IPv4(127, 0, 0, 1)
	case ip.IsUnspecified():
		ip = net.IPv6loopback
	}
	return (&net.TCPAddr{IP: ip, Port: tcp.Port}).String()
}

// serveTracked is the handler of the server's own http.Server:
// [Server.ServeHTTP], counted so that Close can wait for it to return. A
// request that arrives once Close has begun is dropped unanswered (and not
// recorded): net/http closes its connection quietly.
func (s *Server) serveTracked(w http.ResponseWriter, r *http.Request) {
	s.handlersMu.Lock()
	if s.closing {
		s.handlersMu.Unlock()
		panic(http.ErrAbortHandler)
	}
	s.handlers.Add(1)
	s.handlersMu.Unlock()
	s.inFlight.Add(1)
	defer func() {
		s.inFlight.Add(-1)
		s.handlers.Done()
	}()
	s.ServeHTTP(w, r)
}

// Close shuts the server down: it stops listening, drops requests that
// arrive from then on, closes idle connections and cancels the context of
// requests in flight (so injected latency ends). Then, as
// httptest.Server.Close, it waits for the requests in flight; but past a
// grace period of a second it closes their connections
// ([Server.CloseClientConnections]), which ends handlers still waiting
// for a request body a client never finishes. Last it closes the idle
// connections of [Server.Client] and of the JWKS fetcher. So Close returns
// within about a second whatever clients do, and no goroutine of the
// server is left behind. (Handlers run by another http.Server, the Server
// mounted elsewhere, are that server's to wait for.) Close may be called
// more than once, and on a server never started. The request record stays
// readable.
// Safe for concurrent use.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.handlersMu.Lock()
		s.closing = true
		s.handlersMu.Unlock()
		s.cancel()
		done := make(chan struct{})
		go func() {
			defer close(done)
			s.hs.Close()
		}()
		grace := time.NewTimer(closeGrace)
		select {
		case <-done:
		case <-grace.C:
			// A client can hold a connection active for as long as it
			// likes, say by never finishing a request body, and
			// httptest's Close waits for it: close them all. A handler
			// blocked reading then fails and returns.
			s.hs.CloseClientConnections()
			<-done
		}
		grace.Stop()
		s.handlers.Wait()
		s.disp.Close()
		if s.ownTr != nil {
			s.ownTr.CloseIdleConnections()
		}
	})
}

// CloseClientConnections closes every connection to the server at once,
// requests in flight included, as httptest.Server.CloseClientConnections;
// the server goes on serving new connections.
// Safe for concurrent use.
func (s *Server) CloseClientConnections() { s.hs.CloseClientConnections() }

// Addr is the address the server listens on, as its listener reports it.
// Unlike [Server.URL], which names a loopback address a client can use,
// it shows where the server can be reached from: for a host left
// unspecified at [Start] (":8080", "0.0.0.0:8080", "[::]:8080"), an
// unspecified address ([::]:8080 or 0.0.0.0:8080), meaning every
// interface of the machine. It is known before the server starts.
// Safe for concurrent use.
func (s *Server) Addr() net.Addr { return s.addr }

// Client returns an HTTP client for the started server, as
// httptest.Server.Client: with keep-alive, whose idle connections
// [Server.Close] closes, and after [Server.StartTLS] trusting the
// server's certificate. It is nil before the server starts.
// Safe for concurrent use.
func (s *Server) Client() *http.Client { return s.hs.Client() }

// Certificate returns the certificate of a server started with
// [Server.StartTLS] (nil otherwise), as httptest.Server.Certificate: give
// it to clients that are not [Server.Client], say in another language.
// Safe for concurrent use.
func (s *Server) Certificate() *x509.Certificate { return s.hs.Certificate() }

// GraphQLURL is URL+"/graphql", the endpoint for limitedToken and for
// Bearer calls alike (URL itself serves GraphQL too).
// Safe for concurrent use.
func (s *Server) GraphQLURL() string { return s.URL + graphQLPath }

// GatewayURL is the per-network gateway endpoint that limitedToken answers
// as gatewayUrl: URL+"/gateway/"+networkID (limitedToken puts the base of
// [WithPublicURL] in place of URL when set). It serves GraphQL; a Bearer
// token of another network is refused there (code 108).
// Safe for concurrent use.
func (s *Server) GatewayURL(networkID string) string {
	return s.URL + gatewayPath + "/" + url.PathEscape(networkID)
}

// OAuthTokenURL is URL+"/api/v1/oauth/token", the v1 OAuth2 token endpoint
// of Tribe.
// Safe for concurrent use.
func (s *Server) OAuthTokenURL() string { return s.URL + oauthTokenPath }

package tribetest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestServerURLs(t *testing.T) {
	s := setup(t)
	assert.True(t, strings.HasPrefix(s.URL, "http://127.0.0.1:") || strings.HasPrefix(s.URL, "http://[::1]:"), s.URL)
	assert.False(t, strings.HasSuffix(s.URL, "/"))
	assert.Equal(t, s.URL+"/graphql", s.GraphQLURL())
	assert.Equal(t, s.URL+"/api/v1/oauth/token", s.OAuthTokenURL())
	assert.Equal(t, s.URL+"/gateway/net-acme", s.GatewayURL(DefaultNetworkID))
	assert.Equal(t, s.URL+"/gateway/a%2Fb", s.GatewayURL("a/b"))
	for _, endpoint := range []string{s.URL, s.URL + "/", s.GraphQLURL(), s.URL + "/gateway", s.GatewayURL(DefaultNetworkID)} {
		r := gql(t, s, endpoint, "", `{ __typename }`, nil)
		assert.Equal(t, 200, r.Status, endpoint)
		assert.Equal(t, "Query", r.Data["__typename"], endpoint)
	}
}

func TestStart(t *testing.T) {
	s, err := Start(":0")
	require.NoError(t, err)
	defer s.Close()
	assert.True(t, strings.HasPrefix(s.URL, "http://127.0.0.1:") || strings.HasPrefix(s.URL, "http://[::1]:"), "loopback for an unspecified host: %s", s.URL)
	r := gql(t, s, s.URL, "", `{ __typename }`, nil)
	assert.Equal(t, "Query", r.Data["__typename"])

	_, port, err := net.SplitHostPort(strings.TrimPrefix(s.URL, "http://"))
	require.NoError(t, err)
	_, err = Start("127.0.0.1:" + port)
	assert.ErrorContains(t, err, "tribetest: listen")

	_, err = Start("127.0.0.1:0", WithTokenLifetime(0))
	assert.Error(t, err)
	for _, o := range []Option{WithClock(nil), WithSigningKey([]byte("short")), WithQueryCacheSize(-1), WithRecordLimit(-1), WithPublicURL("not a url"), WithFixtures(nil)} {
		_, err = Start("127.0.0.1:0", o)
		assert.Error(t, err)
	}
}

func TestSigningKeyOption(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	a := setup(t, WithSigningKey(key))
	b := setup(t, WithSigningKey(key))
	tok, err := a.MintToken(DefaultNetworkID, PlainMemberID)
	require.NoError(t, err)
	r := gql(t, b, b.URL, bearer(tok), `{ authMember { id } }`, nil)
	assert.Equal(t, PlainMemberID, path(r.Data, "authMember", "id"), "a token survives a restart with the same key")
}

// hostPort is the host:port of s's URL, to dial.
func hostPort(s *Server) string {
	return strings.TrimPrefix(strings.TrimPrefix(s.URL, "https://"), "http://")
}

func TestCloseLeavesNoGoroutine(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(...Option) *Server
	}{
		{"http", NewServer},
		{"https", NewTLSServer},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

			rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
			require.NoError(t, err)
			js, _ := jwksServer(t, &rsaKey.PublicKey, mustEC(t))
			fx := DefaultFixtures()
			fx.Networks[0].JWT = &JWTConfig{JWKSURL: js.URL}
			s := tc.start(WithFixtures(fx))
			// Keep-alive connections, a JWKS fetch, a request in flight,
			// and a connection that never sends a request.
			tok := limitedToken(t, s, DefaultNetworkID, PlainMemberID)
			gql(t, s, s.URL, bearer(tok), `{ authMember { id } }`, nil)
			product := productToken(t, jwt.SigningMethodRS256, rsaKey, "rsa-1", jwt.MapClaims{"sub": "ext-bob", "iat": time.Now().Unix()})
			r := gql(t, s, s.URL, bearer(product), `{ authMember { id } }`, nil)
			require.Equal(t, ModeratorMemberID, path(r.Data, "authMember", "id"), r.Raw)
			idle, err := net.Dial("tcp", hostPort(s))
			require.NoError(t, err)
			defer idle.Close()
			require.NoError(t, s.Fail("authMember", Fault{Latency: time.Minute}))
			inFlight := make(chan struct{})
			go func() {
				defer close(inFlight)
				_, _, _, _ = rawPost(context.Background(), s, bearer(tok), `{ authMember { id } }`)
			}()
			require.Eventually(t, func() bool { return s.PendingFaults("authMember") == 0 }, 5*time.Second, time.Millisecond)

			start := time.Now()
			s.Close()
			s.Close() // idempotent
			<-inFlight
			assert.Less(t, time.Since(start), 3*time.Second)
			js.Close()
			js.Client().CloseIdleConnections()
			assert.NotEmpty(t, s.Requests(), "the record stays readable")
		})
	}
}

// TestTLSServer: a TLS server's URL, endpoints and gatewayUrl are https,
// its Client trusts its certificate and mints a token over https, and a
// client that does not trust it is refused.
func TestTLSServer(t *testing.T) {
	s := NewTLSServer()
	t.Cleanup(s.Close)
	assert.True(t, strings.HasPrefix(s.URL, "https://127.0.0.1:") || strings.HasPrefix(s.URL, "https://[::1]:"), s.URL)
	assert.False(t, strings.HasSuffix(s.URL, "/"))
	assert.Equal(t, s.URL+"/graphql", s.GraphQLURL())
	assert.True(t, strings.HasPrefix(s.OAuthTokenURL(), "https://"), s.OAuthTokenURL())
	require.NotNil(t, s.Certificate())
	assert.Contains(t, s.Certificate().DNSNames, "example.com")

	vars := map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID}
	r := gql(t, s, s.GraphQLURL(), defaultBasic(), limitedTokenQuery, vars)
	require.Empty(t, r.Errors, r.Raw)
	gw, _ := path(r.Data, "limitedToken", "gatewayUrl").(string)
	assert.Equal(t, s.GatewayURL(DefaultNetworkID), gw)
	assert.True(t, strings.HasPrefix(gw, "https://"), gw)
	tok, _ := path(r.Data, "limitedToken", "accessToken").(string)
	require.NotEmpty(t, tok)
	r = gql(t, s, gw, bearer(tok), `{ authMember { id } }`, nil)
	bot, ok := s.Bot(DefaultClientID, DefaultNetworkID)
	require.True(t, ok)
	assert.Equal(t, bot.ID, path(r.Data, "authMember", "id"), r.Raw)

	status, body, _ := form(t, s, creds("grant_type", "password", "username", "carol", "password", DefaultPassword))
	assert.Equal(t, http.StatusOK, status, "%v", body)

	_, err := http.Post(s.GraphQLURL(), "application/json", strings.NewReader(`{"query":"{ __typename }"}`))
	var unknown x509.UnknownAuthorityError
	assert.ErrorAs(t, err, &unknown, "a client that does not trust the test certificate is refused")
}

// TestUnstartedServer: an unstarted server listens but has no URL or
// client until Start; Start twice panics; Close closes the listener of a
// server never started and leaves no goroutine.
func TestUnstartedServer(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s := NewUnstartedServer()
	assert.Empty(t, s.URL)
	assert.Nil(t, s.Client())
	assert.Nil(t, s.Certificate())
	require.NotNil(t, s.Addr())
	s.Start()
	assert.Equal(t, "http://"+s.Addr().String(), s.URL)
	r := gql(t, s, s.URL, "", `{ __typename }`, nil)
	assert.Equal(t, "Query", r.Data["__typename"])
	assert.PanicsWithValue(t, "tribetest: Server already started", s.Start)
	assert.PanicsWithValue(t, "tribetest: Server already started", s.StartTLS)
	s.Close()

	never := NewUnstartedServer()
	addr := never.Addr().String()
	never.Close()
	never.Close()
	_, err := net.DialTimeout("tcp", addr, time.Second)
	assert.Error(t, err, "Close closes the listener of a server never started")
}

// TestWithListener: a server serves on the listener it is given, over
// HTTP or HTTPS, names its address in URL (a loopback one for an
// unspecified address), and closes it.
func TestWithListener(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tls    bool
		scheme string
	}{
		{"http", false, "http://"},
		{"https", true, "https://"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			s := NewUnstartedServer(WithListener(ln))
			t.Cleanup(s.Close)
			assert.Equal(t, ln.Addr(), s.Addr())
			if tc.tls {
				s.StartTLS()
			} else {
				s.Start()
			}
			assert.Equal(t, tc.scheme+ln.Addr().String(), s.URL)
			tok := limitedToken(t, s, DefaultNetworkID, PlainMemberID)
			r := gql(t, s, s.URL, bearer(tok), `{ authMember { id } }`, nil)
			assert.Equal(t, PlainMemberID, path(r.Data, "authMember", "id"), r.Raw)
			s.Close()
			_, err = net.DialTimeout("tcp", ln.Addr().String(), time.Second)
			assert.Error(t, err, "Close closes the listener")
		})
	}

	any4, err := net.Listen("tcp4", "0.0.0.0:0")
	require.NoError(t, err)
	s := NewServer(WithListener(any4))
	t.Cleanup(s.Close)
	assert.Equal(t, "http://127.0.0.1:"+strings.TrimPrefix(any4.Addr().String(), "0.0.0.0:"), s.URL)
	r := gql(t, s, s.URL, "", `{ __typename }`, nil)
	assert.Equal(t, "Query", r.Data["__typename"])
	assert.Equal(t, "[::1]:8080", publicAddr("-", &net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	_, err = Start("127.0.0.1:0", WithListener(ln))
	assert.EqualError(t, err, "tribetest: both Start's address and WithListener say where to listen; give one of them")
	assert.PanicsWithError(t, "tribetest: WithListener(nil) has no listener; pass one from net.Listen, or leave the option out for a random loopback port", func() { NewUnstartedServer(WithListener(nil)) })
}

// TestCloseClientConnections: the server closes its connections, keep-alive
// ones included, and serves new ones.
func TestCloseClientConnections(t *testing.T) {
	s := setup(t)
	conn, err := net.Dial("tcp", hostPort(s))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: tribe.test\r\n\r\n")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(buf[:n]), "HTTP/1.1 200 "), "%q", buf[:n])

	s.CloseClientConnections()
	_, err = io.ReadAll(conn)
	var ne net.Error
	assert.False(t, errors.As(err, &ne) && ne.Timeout(), "the keep-alive connection is closed: %v", err)
	r := gql(t, s, s.URL, "", `{ __typename }`, nil)
	assert.Equal(t, "Query", r.Data["__typename"], "and the server goes on")
}

func TestConcurrentClients(t *testing.T) {
	s := setup(t)
	const clients, each = 16, 15
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := concurrentRound(s, c, i); err != nil {
					t.Errorf("client %d round %d: %v", c, i, err)
					return
				}
			}
		}()
	}
	// Admin calls race with the requests.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range each {
			_ = s.Fail("nothing-matches", Fault{Status: 500})
			_, _ = s.AddMember(Member{ID: fmt.Sprintf("racer-%d", i), NetworkID: DefaultNetworkID})
			_ = s.Requests()
			_ = s.Members()
			s.Advance(time.Millisecond)
		}
	}()
	wg.Wait()
	assert.Equal(t, clients*each, s.Count("limitedToken"))
	assert.Equal(t, clients*each, s.Count("authMember"))
	assert.Equal(t, clients*each, s.GrantCount(GrantRefreshToken))
	assert.Len(t, s.Requests(), clients*each*4)
}

// concurrentRound mints a token, uses it, and runs an OAuth password grant
// and a refresh, checking each answer.
func concurrentRound(s *Server, c, i int) error {
	members := []string{AdminMemberID, ModeratorMemberID, PlainMemberID}
	member := members[(c+i)%len(members)]
	q := fmt.Sprintf(`{ limitedToken(context: NETWORK, entityId: "net-acme", networkId: "net-acme", impersonateMemberId: %q) { accessToken } }`, member)
	status, _, body, err := rawPost(context.Background(), s, defaultBasic(), q)
	if err != nil || status != 200 {
		return fmt.Errorf("limitedToken: %d %v %s", status, err, body)
	}
	start := strings.Index(body, `"accessToken":"`) + 15
	tok := body[start : start+strings.Index(body[start:], `"`)]
	status, _, body, err = rawPost(context.Background(), s, bearer(tok), `{ authMember { id } }`)
	if err != nil || status != 200 || !strings.Contains(body, `"id":"`+member+`"`) {
		return fmt.Errorf("authMember: %d %v %s", status, err, body)
	}
	req, _ := http.NewRequest(http.MethodPost, s.OAuthTokenURL(), strings.NewReader(creds("grant_type", "password", "username", "carol", "password", DefaultPassword).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.Client().Do(req)
	if err != nil {
		return err
	}
	var tr tokenResponse
	err = decodeJSON(resp, &tr)
	if err != nil || tr.RefreshToken == "" {
		return fmt.Errorf("password grant: %v", err)
	}
	req, _ = http.NewRequest(http.MethodPost, s.OAuthTokenURL(), strings.NewReader(creds("grant_type", GrantRefreshToken, "refresh_token", tr.RefreshToken).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = s.Client().Do(req)
	if err != nil {
		return err
	}
	var tr2 tokenResponse
	if err := decodeJSON(resp, &tr2); err != nil || tr2.AccessToken == "" {
		return fmt.Errorf("refresh grant: %v", err)
	}
	return nil
}

// activeConns is how many of s's requests are being read or answered by
// its own http.Server.
func activeConns(s *Server) int { return int(s.inFlight.Load()) }

// TestCloseWithUnfinishedBody: a client that sends part of a request body
// and waits does not hold Close, and no goroutine is left.
func TestCloseWithUnfinishedBody(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s := NewServer()
	conn, err := net.Dial("tcp", hostPort(s))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /graphql HTTP/1.1\r\nHost: tribe.test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"qu")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return activeConns(s) == 1 }, 10*time.Second, time.Millisecond)

	closed := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(closed)
		s.Close()
	}()
	require.Eventually(t, func() bool {
		select {
		case <-closed:
			return true
		default:
			return false
		}
	}, 30*time.Second, 5*time.Millisecond, "Close returns")
	// Promptly: the grace period, not the 30 s read timeout that
	// httptest.Server.Close alone would wait for.
	assert.Less(t, time.Since(start), closeGrace+3*time.Second)
	// The server closed the connection.
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	_, err = io.ReadAll(conn)
	var ne net.Error
	assert.False(t, errors.As(err, &ne) && ne.Timeout(), "the connection is closed: %v", err)
}

// TestLatencyOutlastsReadTimeout: the read timeout bounds reading a request,
// not an injected latency.
func TestLatencyOutlastsReadTimeout(t *testing.T) {
	s := setup(t, withReadTimeout(100*time.Millisecond))
	require.NoError(t, s.Fail("limitedToken", Fault{Latency: 400 * time.Millisecond}))
	status, _, body, err := rawPost(context.Background(), s, defaultBasic(), mintQuery)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "accessToken")
	recs := s.Requests()
	require.Len(t, recs, 1)
	assert.Equal(t, http.StatusOK, recs[0].Status)
}

// TestReadTimeout: a client that never finishes its body is answered 400
// once the read timeout is over, and Close is not held by it.
func TestReadTimeout(t *testing.T) {
	s := setup(t, withReadTimeout(100*time.Millisecond))
	conn, err := net.Dial("tcp", hostPort(s))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "POST /graphql HTTP/1.1\r\nHost: tribe.test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"qu")
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
	raw, err := io.ReadAll(conn)
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "the server gave up on the body: %v", err)
	assert.True(t, strings.HasPrefix(string(raw), "HTTP/1.1 400 "), "%q", raw)
}

func TestStartUnspecifiedHost(t *testing.T) {
	for _, tc := range []struct{ addr, prefix string }{
		{"0.0.0.0:0", "http://127.0.0.1:"},
		{":0", "http://127.0.0.1:"},
		{"127.0.0.1:0", "http://127.0.0.1:"},
		{"[::]:0", "http://[::1]:"},
		{"[::1]:0", "http://[::1]:"},
	} {
		s, err := Start(tc.addr)
		if err != nil && strings.Contains(tc.addr, "::") {
			t.Logf("%s: no IPv6 here: %v", tc.addr, err)
			continue
		}
		require.NoError(t, err, tc.addr)
		assert.True(t, strings.HasPrefix(s.URL, tc.prefix), "%s: %s", tc.addr, s.URL)
		r := gql(t, s, s.URL, "", `{ __typename }`, nil)
		assert.Equal(t, "Query", r.Data["__typename"], tc.addr)
		s.Close()
	}
	// The host asked for wins over the address the listener reports.
	v6any := &net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}
	assert.Equal(t, "127.0.0.1:8080", publicAddr("0.0.0.0", v6any))
	assert.Equal(t, "127.0.0.1:8080", publicAddr("", v6any))
	assert.Equal(t, "[::1]:8080", publicAddr("::", v6any))
	assert.Equal(t, "127.0.0.1:8080", publicAddr("localhost", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}))
}

// TestRequestsDuringCloseDropped: once Close has begun, the server's own
// http.Server drops new requests unanswered and unrecorded, so Close has
// no new handler to wait for.
func TestRequestsDuringCloseDropped(t *testing.T) {
	s := NewServer()
	s.Close()
	req := httptest.NewRequest(http.MethodGet, "/graphql?query=%7B__typename%7D", nil)
	rr := httptest.NewRecorder()
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() { s.serveTracked(rr, req) })
	assert.Empty(t, rr.Body.String())
	assert.Empty(t, s.Requests())
	// Called directly, the handler still answers.
	s.ServeHTTP(rr, req)
	assert.JSONEq(t, `{"data":{"__typename":"Query"},"extensions":{"complexity":0}}`, rr.Body.String())
}

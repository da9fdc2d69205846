package redisstore

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testCert returns a self-signed certificate for 127.0.0.1 only (no host
// name), and a pool that trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "redisstore dial test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	leaf, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func TestRedissStaysTLS(t *testing.T) {
	cert, _ := testCert(t)
	getReply := "$-1\r\n"
	fake := startFakeRedis(t, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, func(cmd []string) string {
		if strings.EqualFold(cmd[0], "GETRANGE") {
			return getReply
		}
		return ""
	})
	ctx := context.Background()

	s := openStore(t, "rediss://"+fake.addr()+"?skip_verify=true", Options{})
	tok, err := s.Get(ctx, "k")
	require.NoError(t, err, "the store speaks TLS to a TLS-only server")
	assert.Nil(t, tok)
	assert.False(t, s.Degraded())
	assert.Contains(t, fake.commands(), "GETRANGE")

	// Without skip_verify the self-signed certificate is refused, and
	// plain text to the TLS port does not work either.
	for _, u := range []string{"rediss://" + fake.addr(), "redis://" + fake.addr()} {
		assert.True(t, openStore(t, u, Options{OpTimeout: 100 * time.Millisecond}).Degraded(), u)
	}

	// The bound on replies sits above TLS.
	getReply = "$" + huge + "\r\n"
	s = openStore(t, "rediss://"+fake.addr()+"?skip_verify=true", Options{})
	_, err = s.Get(ctx, "k")
	require.ErrorIs(t, err, ErrProtocol)
}

func TestDialerChecksEachNodesOwnName(t *testing.T) {
	cert, pool := testCert(t)
	fake := startFakeRedis(t, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, func([]string) string { return "" })
	_, port, err := net.SplitHostPort(fake.addr())
	require.NoError(t, err)
	// The configuration go-redis parsed names the seed; a node a Cluster or
	// Sentinel names is checked against its own host instead.
	d := &dialer{tls: &tls.Config{ServerName: "seed.example", RootCAs: pool, MinVersion: tls.VersionTLS12}, timeout: time.Second}
	ctx := context.Background()

	c, err := d.dial(ctx, "tcp", net.JoinHostPort("127.0.0.1", port))
	require.NoError(t, err, "the certificate is for 127.0.0.1, the node dialled, not for seed.example")
	bc, ok := c.(*boundedConn)
	require.True(t, ok, "replies are read through the bound")
	tc, ok := bc.Conn.(*tls.Conn)
	require.True(t, ok, "above TLS")
	assert.True(t, tc.ConnectionState().HandshakeComplete)
	require.NoError(t, c.Close())

	_, err = d.dial(ctx, "tcp", net.JoinHostPort("localhost", port))
	require.Error(t, err, "the certificate does not name localhost")
	var hostErr x509.HostnameError
	assert.ErrorAs(t, err, &hostErr)
	assert.True(t, strings.HasPrefix(err.Error(), "redisstore: TLS with localhost:"), err.Error())
}

// far is a documentation address (TEST-NET-1, RFC 5737): the tests name it
// as a Redis node, and never send it a packet.
const far = "192.0.2.1"

// dialLog is a clientConfig.netDial that records each address it is asked
// for and dials only loopback ones: whatever the code under test does, no
// packet leaves the machine.
type dialLog struct {
	mu    sync.Mutex
	addrs []string
}

func (l *dialLog) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	l.mu.Lock()
	l.addrs = append(l.addrs, addr)
	l.mu.Unlock()
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return nil, errors.New("dialLog: not dialling " + addr + ", which is not loopback")
	}
	return (&net.Dialer{}).DialContext(ctx, network, addr)
}

func (l *dialLog) dialled() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.addrs...)
}

// announcing returns a fake Sentinel or Cluster seed that names far as the
// node to use.
func announcing(kind string) func(cmd []string) string {
	return func(cmd []string) string {
		switch {
		case kind == "sentinel" && strings.EqualFold(cmd[0], "SENTINEL") && len(cmd) > 1 && strings.EqualFold(cmd[1], "get-master-addr-by-name"):
			return "*2\r\n$9\r\n" + far + "\r\n$4\r\n6379\r\n"
		case kind == "sentinel" && strings.EqualFold(cmd[0], "SENTINEL"):
			return "*0\r\n"
		case kind == "cluster" && strings.EqualFold(cmd[0], "CLUSTER") && len(cmd) > 1 && strings.EqualFold(cmd[1], "SLOTS"):
			return "*1\r\n*3\r\n:0\r\n:16383\r\n*2\r\n$9\r\n" + far + "\r\n:7000\r\n"
		}
		return ""
	}
}

func TestPlainTextOnlyToLoopbackNodes(t *testing.T) {
	for _, kind := range []string{"sentinel", "cluster"} {
		t.Run("a "+kind+" on loopback naming a node that is not", func(t *testing.T) {
			fake := startFakeRedis(t, nil, announcing(kind))
			url := "redis://" + fake.addr() + "?master_name=mymaster"
			if kind == "cluster" {
				url = "redis://" + fake.addr() + "?addr=" + fake.addr()
			}
			for _, allow := range []bool{false, true} {
				var log dialLog
				var degraded atomic.Value
				s, err := newStore(context.Background(), Options{
					URL: url, Keys: [][]byte{testKey(1)}, AllowInsecure: allow, OpTimeout: 100 * time.Millisecond,
					OnDegraded: func(err error) { degraded.Store(err) },
				}, clientConfig{netDial: log.dial})
				require.NoError(t, err)
				_, _ = s.Get(context.Background(), "k")
				require.NoError(t, s.Close())
				err, _ = degraded.Load().(error)
				require.Error(t, err, "the store could not reach the node")
				assert.Contains(t, log.dialled(), fake.addr(), "the %s on loopback was dialled", kind)
				if !allow {
					require.ErrorIs(t, err, ErrClearText)
					assert.Contains(t, err.Error(), far, "the refusal names the node")
					assert.Contains(t, err.Error(), "Options.AllowInsecure")
					for _, a := range log.dialled() {
						assert.NotContains(t, a, far, "refused before it was dialled")
					}
				} else {
					assert.NotErrorIs(t, err, ErrClearText)
					assert.True(t, slices.ContainsFunc(log.dialled(), func(a string) bool { return strings.HasPrefix(a, far+":") }),
						"with AllowInsecure the node is dialled (by dialLog, which sends nothing): %v", log.dialled())
				}
			}
		})
	}
}

func TestRedissToAPlainTextRedis(t *testing.T) {
	r := startRedis(t)
	// A server that speaks first, in plain text, as a Redis in protected
	// mode does to a client that is not loopback.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("-DENIED Redis is running in protected mode\r\n"))
			_ = c.Close()
		}
	}()
	cert, _ := testCert(t)
	tlsServer := startFakeRedis(t, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, func([]string) string { return "" })

	tests := []struct {
		name string
		url  string
		want string // "" when the failure is not ErrNoTLS
	}{
		{"a plain-text Redis, which waits for a line", "rediss://" + r.addr(), "redisstore: carrying on without Redis: no TLS from the Redis server: " + r.addr() + " did not answer the TLS handshake within "}, // about 200ms, the default OpTimeout
		{"skip_verify changes nothing", "rediss://" + r.addr() + "?skip_verify=true", " did not answer the TLS handshake within "},
		{"a plain-text server that speaks first", "rediss://" + ln.Addr().String(), "redisstore: carrying on without Redis: no TLS from the Redis server: " + ln.Addr().String() + " answered the TLS handshake in plain text (tls: first record does not look like a TLS handshake)"},
		{"a TLS server with a certificate not trusted", "rediss://" + tlsServer.addr(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // a TLS handshake waits out its timeout
			var got reports
			s := openStore(t, tt.url, got.options(Options{}))
			assert.True(t, s.Degraded())
			errs := got.degradedErrs()
			require.Len(t, errs, 1)
			if tt.want == "" {
				assert.NotErrorIs(t, errs[0], ErrNoTLS)
				assert.Contains(t, errs[0].Error(), "TLS with "+tlsServer.addr()+": tls: failed to verify certificate")
				assert.NotContains(t, errs[0].Error(), "redis://", "no hint about plain text")
				return
			}
			require.ErrorIs(t, errs[0], ErrNoTLS)
			assert.Contains(t, errs[0].Error(), tt.want)
			assert.Contains(t, errs[0].Error(), "; use redis:// for a plain-text Redis on loopback")
		})
	}
}

func TestTLSErrorHintsOnlyAtNoTLS(t *testing.T) {
	const addr = "127.0.0.1:6380"
	timeout := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	tests := []struct {
		name            string
		err             error
		got             int64
		connect, waited time.Duration
		noTLS           bool
		want            string
	}{
		{"a first record that is not TLS", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, 5, time.Millisecond, time.Millisecond, true, "answered the TLS handshake in plain text"},
		{"silence until the deadline", timeout, 0, time.Millisecond, 200 * time.Millisecond, true, "did not answer the TLS handshake within 200ms (read tcp: i/o timeout), so it may not speak TLS"},
		{"silence until the context's deadline", context.DeadlineExceeded, 0, time.Millisecond, 1204 * time.Millisecond, true, "within 1.2s (context deadline exceeded)"},
		{"a slow network: the connection took most of the time", timeout, 0, 150 * time.Millisecond, 50 * time.Millisecond, false, "redisstore: TLS with " + addr + ": read tcp: i/o timeout"},
		{"an answer that came too slowly", timeout, 100, time.Millisecond, 200 * time.Millisecond, false, "redisstore: TLS with " + addr},
		{"a context cancelled", context.Canceled, 0, time.Millisecond, 200 * time.Millisecond, false, "redisstore: TLS with " + addr + ": context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tlsError(addr, tt.err, tt.got, tt.connect, tt.waited)
			assert.Equal(t, tt.noTLS, errors.Is(err, ErrNoTLS), err.Error())
			assert.ErrorIs(t, err, tt.err, "the cause is kept")
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, tt.noTLS, strings.Contains(err.Error(), "use redis:// for a plain-text Redis on loopback"))
		})
	}
}

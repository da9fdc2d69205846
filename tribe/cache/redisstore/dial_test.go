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

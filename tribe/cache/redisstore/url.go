package redisstore

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tribekit/tribekit/internal/loopback"
	"github.com/tribekit/tribekit/internal/redact"
	"github.com/tribekit/tribekit/tribe"
)

// NewClient makes a Redis client from a URL, for standalone Redis,
// Sentinel or Cluster (go-redis parses each form; its query parameters,
// such as dial_timeout or pool_size, are accepted):
//
//   - standalone: redis://[user:password@]host:port[/db], rediss:// for TLS,
//     or unix:///path/to/redis.sock;
//   - Cluster: the first node as host:port and the others as addr
//     parameters: redis://host:7000?addr=host:7001&addr=host:7002;
//   - Sentinel: a sentinel as host:port, the others as addr parameters, and
//     master_name: redis://sentinel:26379?master_name=mymaster&addr=other:26379
//     (the user and password in the URL are the sentinels'; those of the
//     master are the username and password parameters).
//
// rediss:// checks each node's certificate against the system roots and
// that node's host name (the nodes a Sentinel or Cluster names too);
// skip_verify=true turns that off (tests only). Plain redis:// reaches only
// loopback hosts (localhost or a loopback IP address): a URL naming another
// host is refused, and so is any node a Sentinel or Cluster names that is
// not loopback, with [ErrClearText] when it is dialled. [New] with
// Options.AllowInsecure lifts that for a private network. Each operation is bounded by
// DefaultOpTimeout unless the URL sets read_timeout, write_timeout,
// dial_timeout or pool_timeout. Replies are read through a bound: a length prefix over 64 MiB
// (or aggregates claiming over a million elements) fails with [ErrProtocol]
// before go-redis allocates it. Errors hold no password.
func NewClient(rawURL string) (redis.UniversalClient, error) {
	return newClient(rawURL, clientConfig{opTimeout: DefaultOpTimeout})
}

// clientConfig is how a client the store makes connects.
type clientConfig struct {
	opTimeout time.Duration
	insecure  bool // Options.AllowInsecure
	// netDial opens each connection (nil: net.Dialer), for tests.
	netDial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// dialer returns the Dialer of a client whose parsed options have tlsConfig
// and dialTimeout.
func (c clientConfig) dialer(tlsConfig *tls.Config, dialTimeout time.Duration) func(context.Context, string, string) (net.Conn, error) {
	return (&dialer{tls: tlsConfig, insecure: c.insecure, timeout: dialTimeout, netDial: c.netDial}).dial
}

func newClient(rawURL string, cfg clientConfig) (redis.UniversalClient, error) {
	opTimeout := cfg.opTimeout
	if err := CheckURL(rawURL, cfg.insecure); err != nil {
		return nil, err
	}
	u, _ := url.Parse(rawURL) // CheckURL parsed it
	secrets := urlSecrets(u)
	q := u.Query()
	fail := func(err error) error {
		return invalidf("the Redis URL %s is refused (%s); give redis://[user:password@]host:port[/db], rediss:// for TLS, unix:///path, addr= parameters for Cluster or master_name= for Sentinel", describe(rawURL), redact.String(err.Error(), secrets...))
	}
	timeouts := func(dial, read, write, pool *time.Duration, ctxTimeout *bool, retries *int) {
		for _, p := range []struct {
			name string
			d    *time.Duration
		}{{"dial_timeout", dial}, {"read_timeout", read}, {"write_timeout", write}, {"pool_timeout", pool}} {
			if !q.Has(p.name) {
				*p.d = opTimeout
			}
		}
		*ctxTimeout = true
		if !q.Has("max_retries") {
			*retries = 1
		}
	}
	skipVerify := func(c *tls.Config) {
		if c != nil && q.Get("skip_verify") == "true" {
			c.InsecureSkipVerify = true
		}
	}
	switch {
	case q.Has("master_name"):
		o, err := redis.ParseFailoverURL(rawURL)
		if err != nil {
			return nil, fail(err)
		}
		timeouts(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.ContextTimeoutEnabled, &o.MaxRetries)
		skipVerify(o.TLSConfig)
		o.Dialer = cfg.dialer(o.TLSConfig, o.DialTimeout) // the sentinels' and the master's
		return redis.NewFailoverClient(o), nil
	case q.Has("addr"):
		// go-redis's cluster URLs take no skip_verify: it is applied here.
		cu := *u
		cq := u.Query()
		cq.Del("skip_verify")
		cu.RawQuery = cq.Encode()
		o, err := redis.ParseClusterURL(cu.String())
		if err != nil {
			return nil, fail(err)
		}
		timeouts(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.ContextTimeoutEnabled, &o.MaxRetries)
		skipVerify(o.TLSConfig)
		o.Dialer = cfg.dialer(o.TLSConfig, o.DialTimeout) // every node's
		return redis.NewClusterClient(o), nil
	default:
		o, err := redis.ParseURL(rawURL)
		if err != nil {
			return nil, fail(err)
		}
		timeouts(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.ContextTimeoutEnabled, &o.MaxRetries)
		o.Dialer = cfg.dialer(o.TLSConfig, o.DialTimeout)
		return redis.NewClient(o), nil
	}
}

// Why [CheckURL] refuses a Redis URL, besides [ErrClearText]: [URLError]
// wraps one of them.
var (
	// ErrURLSyntax: the URL does not parse.
	ErrURLSyntax = errors.New("redisstore: the Redis URL does not parse")
	// ErrURLScheme: the scheme is not redis, rediss or unix.
	ErrURLScheme = errors.New("redisstore: not a Redis URL")
	// ErrURLNoHost: a redis:// or rediss:// URL names no host.
	ErrURLNoHost = errors.New("redisstore: the Redis URL has no host")
	// ErrURLNoPath: a unix:// URL names no socket path.
	ErrURLNoPath = errors.New("redisstore: the Redis URL has no socket path")
)

// URLError is why [CheckURL] refused a Redis URL. Its text, and Host,
// hold no password of the URL. errors.Is finds Err and
// [tribe.ErrInvalidInput] through it.
type URLError struct {
	// Err is [ErrURLSyntax], [ErrURLScheme], [ErrURLNoHost],
	// [ErrURLNoPath] or [ErrClearText].
	Err error
	// Host is, for [ErrClearText], the host that is not loopback which
	// plain text would reach ([ClearTextHost]); "" otherwise.
	Host string
}

// Error says what is wrong with the URL and what to give instead.
func (e *URLError) Error() string {
	switch e.Err {
	case ErrClearText:
		return "redisstore: the Redis URL is plain redis:// to " + e.Host + ", a host that is not loopback, so the Redis password and the tokens would cross the network in clear text; use rediss:// (TLS), or set Options.AllowInsecure if the network is private"
	case ErrURLSyntax, ErrURLScheme, ErrURLNoHost:
		return e.Err.Error() + "; give redis://HOST:PORT, rediss://HOST:PORT or unix:///PATH"
	case ErrURLNoPath:
		return e.Err.Error() + "; give unix:///PATH/TO/redis.sock"
	}
	return fmt.Sprint(e.Err)
}

// Unwrap returns Err and [tribe.ErrInvalidInput].
func (e *URLError) Unwrap() []error { return []error{e.Err, tribe.ErrInvalidInput} }

// CheckURL applies, before anything is dialled, the rules a Redis URL for
// the store meets: it parses; its scheme is redis, rediss (TLS) or unix,
// in any case; a redis or rediss URL names a host, and a unix one a socket
// path; and plain redis:// reaches only loopback hosts, the nodes its addr
// parameters name included ([ClearTextHost]), unless allowInsecure (as
// Options.AllowInsecure), since the Redis password and the tokens would
// cross the network in clear text. It returns nil or a *[URLError], for a
// caller to refuse the URL in its own words (a command line names its flag
// and its own switch for allowInsecure). [NewClient] and [New] apply the
// same rules. TLS for Redis:
// https://redis.io/docs/latest/operate/oss_and_stack/management/security/encryption/
func CheckURL(rawURL string, allowInsecure bool) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return &URLError{Err: ErrURLSyntax}
	}
	switch strings.ToLower(u.Scheme) {
	case "redis", "rediss":
		if u.Host == "" {
			return &URLError{Err: ErrURLNoHost}
		}
		if h := clearTextHost(u); h != "" && !allowInsecure {
			return &URLError{Err: ErrClearText, Host: h}
		}
	case "unix":
		if u.Path == "" {
			return &URLError{Err: ErrURLNoPath}
		}
	default:
		return &URLError{Err: ErrURLScheme}
	}
	return nil
}

// ClearTextHost returns the first host of a plain-text redis:// URL that is
// not loopback (localhost, or a loopback IP address, named as such without
// a lookup), among the URL's host and those of its addr parameters (the
// other nodes of the Cluster and Sentinel forms): a host the Redis
// password and the tokens would reach in clear text. It returns "" for a
// rediss:// (TLS) or unix:// URL, for one whose hosts are all loopback, and
// for one that does not parse (which [NewClient] refuses all the same).
//
// [NewClient], and [New] without Options.AllowInsecure, refuse a URL with
// such a host ([CheckURL], which a program that refuses the URL in its
// own words calls before [New]). TLS for Redis:
// https://redis.io/docs/latest/operate/oss_and_stack/management/security/encryption/
func ClearTextHost(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	return clearTextHost(u)
}

// clearTextHost returns the first host of u that plain text would reach
// and is not loopback ([ClearTextHost]).
func clearTextHost(u *url.URL) string {
	if u.Scheme != "redis" {
		return ""
	}
	hosts := []string{u.Hostname()}
	for _, a := range u.Query()["addr"] { // the other nodes of the Cluster and Sentinel forms
		h, _, err := net.SplitHostPort(a)
		if err != nil {
			h = a
		}
		hosts = append(hosts, h)
	}
	for _, h := range hosts {
		if !loopback.Host(h) {
			return h
		}
	}
	return ""
}

// URLPasswords returns the passwords a Redis URL holds, for a caller to
// keep them out of what it prints: the userinfo's, and the values of the
// password and sentinel_password parameters (go-redis's Sentinel form).
// A URL that does not parse holds none.
func URLPasswords(rawURL string) []string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	return urlSecrets(u)
}

// urlSecrets returns the passwords u holds ([URLPasswords]).
func urlSecrets(u *url.URL) []string {
	var out []string
	if p, ok := u.User.Password(); ok && p != "" {
		out = append(out, p)
	}
	for _, name := range []string{"password", "sentinel_password"} {
		for _, v := range u.Query()[name] {
			if v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// describe returns the scheme and hosts of a Redis URL: no user, password,
// path or parameter other than the hosts of addr.
func describe(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(an unparsable URL)"
	}
	hosts := []string{u.Host}
	if u.Scheme == "unix" {
		hosts = []string{u.Path}
	}
	hosts = append(hosts, u.Query()["addr"]...)
	return u.Scheme + "://" + strings.Join(hosts, ",")
}

// urlOpTimeout is the longest of the timeouts rawURL sets (dial_timeout,
// read_timeout, write_timeout, pool_timeout: a duration such as 5s, or
// whole seconds, as go-redis reads them), which then bounds each operation
// in place of DefaultOpTimeout; 0 when it sets none.
func urlOpTimeout(rawURL string) time.Duration {
	u, err := url.Parse(rawURL)
	if err != nil {
		return 0
	}
	q := u.Query()
	var longest time.Duration
	for _, name := range []string{"dial_timeout", "read_timeout", "write_timeout", "pool_timeout"} {
		v := q.Get(name)
		d, err := time.ParseDuration(v)
		if err != nil {
			n, err := strconv.Atoi(v)
			if err != nil {
				continue
			}
			d = time.Duration(n) * time.Second
		}
		longest = max(longest, d)
	}
	return longest
}

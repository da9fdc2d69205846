package tribetest

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
)

// Option configures a [Server] at [NewServer], [NewTLSServer],
// [NewUnstartedServer] or [Start]; it is applied once, before the server
// listens, and reports invalid settings there: the constructors panic
// with the error, [Start] returns it.
type Option func(*config) error

type config struct {
	fixtures    *Fixtures
	clock       func() time.Time
	lifetime    time.Duration
	noGateway   bool
	signingKey  []byte
	logger      *slog.Logger
	cacheSize   int
	httpClient  *http.Client
	publicURL   string
	recordLimit int
	readTimeout time.Duration // bounds reading one request, body included
	maxCost     int
	maxResponse int
	jwksTimeout time.Duration // bounds fetching one JWKS document
	listener    net.Listener  // WithListener; nil: httptest's
	schema      *ast.Schema   // WithSchema; nil: the repository's
	// mockListLen is the length of mocked lists, mockPageTotal the
	// totalCount of mocked connections.
	mockListLen   int
	mockPageTotal int
	admin         bool        // WithAdminAPI
	rateLimits    *RateLimits // WithRateLimits; nil: the fixtures', or none
	hooks         hookConfig  // WithAppWebhook, WithDelivery… (deliveries.go)
}

func defaultConfig() config {
	return config{
		clock:       time.Now,
		lifetime:    time.Hour,
		cacheSize:   256,
		recordLimit: 10000,
		readTimeout: 30 * time.Second,
		jwksTimeout: 10 * time.Second,
		maxCost:     defaultMaxCost,
		maxResponse: defaultMaxResponseBytes,

		mockListLen:   defaultMockListLen,
		mockPageTotal: defaultMockPageTotal,
	}
}

// The defaults of WithMockListLength and WithMockPageTotal.
const (
	defaultMockListLen   = 2
	defaultMockPageTotal = 20
	// maxMockLen bounds both: a longer list would only make every query
	// over the cost limit.
	maxMockLen = 10000
)

// WithSchema makes the server serve schema s in place of the repository's
// schema.graphql ([tribekit.Schema]), such as Tribe's published schema:
// load it with [github.com/tribekit/tribekit/tribe/schema.Load], which
// reads SDL or an introspection result. Every request is validated
// against s. The fields the server implements (limitedToken, authMember,
// network, member, members) keep their meaning where s has them; every
// other field is answered from overrides ([Server.Resolve]), the store
// ([Server.Store]) or mocked (see the package documentation). s must have
// a Query type, and is only read: servers may share it.
func WithSchema(s *ast.Schema) Option {
	return func(c *config) error {
		if s == nil || s.Query == nil {
			return errors.New("tribetest: WithSchema: the schema is nil or has no Query type; load one with schema.Load")
		}
		c.schema = s
		return nil
	}
}

// WithMockListLength sets how many items a mocked list has (default 2, at
// most 10000): a list field the server has no value for. Lists count
// that many items in a query's cost ([WithQueryCostLimit]).
func WithMockListLength(n int) Option {
	return func(c *config) error {
		if n < 0 || n > maxMockLen {
			return fmt.Errorf("tribetest: WithMockListLength(%d): the length is not from 0 to %d; give a length in that range (the default is 2)", n, maxMockLen)
		}
		c.mockListLen = n
		return nil
	}
}

// WithMockPageTotal sets the totalCount of mocked connections (default
// 20, at most 10000): types with pageInfo and nodes or edges, such as
// PaginatedSpace, whose pages limit, offset, after and before cut from
// that many items. A page counts min(limit, total) items in a query's
// cost.
func WithMockPageTotal(n int) Option {
	return func(c *config) error {
		if n < 0 || n > maxMockLen {
			return fmt.Errorf("tribetest: WithMockPageTotal(%d): the total is not from 0 to %d; give a total in that range (the default is 20)", n, maxMockLen)
		}
		c.mockPageTotal = n
		return nil
	}
}

// WithAdminAPI turns on the admin API under /__admin/ (see the package
// documentation), for driving a standalone server from any language. It
// answers only requests from loopback addresses, and a server with it
// refuses to start on an address that is not loopback. Off by default:
// /__admin/ paths answer 404.
func WithAdminAPI() Option {
	return func(c *config) error {
		c.admin = true
		return nil
	}
}

// WithFixtures makes the server start with a copy of f instead of
// [DefaultFixtures]. Invalid fixtures ([Fixtures.Validate]) make
// [NewServer] panic and [Start] fail.
func WithFixtures(f *Fixtures) Option {
	return func(c *config) error {
		if f == nil {
			return errors.New("tribetest: WithFixtures(nil) has no fixtures; pass DefaultFixtures() or fixtures of your own")
		}
		c.fixtures = f.Clone()
		return nil
	}
}

// WithClock sets the clock tokens are issued and checked by (default
// time.Now); [Server.Advance] moves it further. now must be safe for
// concurrent use.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("tribetest: WithClock(nil) has no clock; pass time.Now or a function of your own")
		}
		c.clock = now
		return nil
	}
}

// WithTokenLifetime sets the lifetime of access tokens, from limitedToken
// and the OAuth endpoint alike (default one hour); expires_in reports it.
func WithTokenLifetime(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("tribetest: WithTokenLifetime(%s): the lifetime is not positive; give a duration above zero, such as time.Hour", d)
		}
		c.lifetime = d
		return nil
	}
}

// WithoutGatewayURL makes limitedToken answer gatewayUrl null, as older
// Tribe schemas that had no gatewayUrl would leave a client without one.
// The gateway paths still serve GraphQL.
func WithoutGatewayURL() Option {
	return func(c *config) error {
		c.noGateway = true
		return nil
	}
}

// WithSigningKey sets the HS256 key of the server's tokens (default: 32
// random bytes per server), so a standalone server's tokens survive a
// restart. The key must be at least 32 bytes.
func WithSigningKey(key []byte) Option {
	return func(c *config) error {
		if len(key) < 32 {
			return fmt.Errorf("tribetest: WithSigningKey: the key is %d bytes, shorter than 32; give a key of at least 32 bytes", len(key))
		}
		c.signingKey = append([]byte(nil), key...)
		return nil
	}
}

// WithLogger makes the server log one line per request (method, path,
// status, operation, root fields or grant, kind of auth; never credentials
// or tokens). Without it the server does not log.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// WithQueryCacheSize sets how many distinct query texts stay parsed and
// validated (default 256); 0 turns the cache off.
func WithQueryCacheSize(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("tribetest: WithQueryCacheSize(%d): the size is negative; give 0 to turn the cache off, or a positive size", n)
		}
		c.cacheSize = n
		return nil
	}
}

// WithHTTPClient sets the client JWKS documents are fetched with (default:
// a client of the server's own, whose connections [Server.Close] closes).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		c.httpClient = hc
		return nil
	}
}

// WithPublicURL sets the base URL gatewayUrl is built on, for a server
// behind a proxy or reached by another name (default: [Server.URL]; never
// the request's Host).
func WithPublicURL(u string) Option {
	return func(c *config) error {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return errors.New("tribetest: WithPublicURL: the URL is not an absolute http or https URL; give one such as https://tribe.example.com")
		}
		c.publicURL = strings.TrimRight(u, "/")
		return nil
	}
}

// WithRecordLimit sets how many requests [Server.Requests] keeps, the
// latest (default 10000); counts are kept for all.
func WithRecordLimit(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("tribetest: WithRecordLimit(%d): the limit is negative; give 0 to keep no requests, or a positive limit", n)
		}
		c.recordLimit = n
		return nil
	}
}

// WithQueryCostLimit sets the most a GraphQL operation may cost (default
// 50000). The cost is computed from the query before anything is
// executed: the number of fields it could resolve, each field counting
// one and the selections under a list once per item the list may hold
// (introspection lists as long as the schema makes them; members(limit:)
// limit members, or as many as the largest network has; aliases and every
// fragment spread counted where they occur). An operation over the limit
// is refused with code 118 and the cost in the message, and not executed.
// The default leaves room for a full introspection query and any page of
// members with all their fields.
func WithQueryCostLimit(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("tribetest: WithQueryCostLimit(%d): the cost is not positive; give a cost above zero (the default is 50000)", n)
		}
		c.maxCost = n
		return nil
	}
}

// WithResponseSizeLimit sets the most bytes a GraphQL answer may have
// (default 8 MiB, at least 1 KiB). Execution stops once the answer passes
// it, and the server answers a GraphQL error (code 118) instead, so no
// answer is ever longer.
func WithResponseSizeLimit(bytes int) Option {
	return func(c *config) error {
		if bytes < minResponseBytes {
			return fmt.Errorf("tribetest: WithResponseSizeLimit(%d): the size is under 1024 bytes; give at least 1024, room for the error that replaces a larger answer", bytes)
		}
		c.maxResponse = bytes
		return nil
	}
}

// WithListener makes the server serve on ln instead of a random loopback
// port, as replacing httptest.Server.Listener before starting it: for a
// server on an address of your own, or one a test has prepared. The
// server owns ln from then on, and [Server.Close] closes it. [Server.URL]
// names ln's address, with the loopback address of its family in place of
// an unspecified one (0.0.0.0: 127.0.0.1, [::]: [::1]); [Server.Addr] is
// ln's address. Not with [Start], which listens on its own address.
func WithListener(ln net.Listener) Option {
	return func(c *config) error {
		if ln == nil {
			return errors.New("tribetest: WithListener(nil) has no listener; pass one from net.Listen, or leave the option out for a random loopback port")
		}
		c.listener = ln
		return nil
	}
}

package crmtest

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Option configures a [Server] at [NewServer], before it serves anything.
// It reports an invalid setting, with which NewServer panics. Options have
// the shape of package tribetest's.
type Option func(*config) error

// config is what the options set, before the server is built.
type config struct {
	clock         func() time.Time
	now           time.Time // WithTime: frozen; zero: clock
	lifetime      time.Duration
	apps          map[string]App
	employee      Employee
	consent       Consent
	requirePKCE   bool
	revokeOnReuse bool
}

// WithApp registers an application besides the default one; an app with
// the default client ID replaces it. It needs a client ID.
func WithApp(a App) Option {
	return func(c *config) error {
		if a.ClientID == "" {
			return errors.New("crmtest: WithApp: the app has no ClientID; give it one")
		}
		a.RedirectURLs = slices.Clone(a.RedirectURLs)
		c.apps[a.ClientID] = a
		return nil
	}
}

// WithEmployee sets the employee GetCurrentEmployee() returns.
func WithEmployee(e Employee) Option {
	return func(c *config) error {
		c.employee = e
		return nil
	}
}

// WithConsent sets how the consent endpoint answers (see [Server.SetConsent]).
func WithConsent(cs Consent) Option {
	return func(c *config) error {
		c.consent = cs.clone()
		return nil
	}
}

// WithClock sets the clock codes and access tokens are issued and checked
// by (default time.Now), as tribetest.WithClock does; [Server.SetTime]
// freezes it, [Server.Advance] moves it forward. now must be safe for
// concurrent use.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("crmtest: WithClock(nil) has no clock; pass time.Now or a function of your own")
		}
		c.clock, c.now = now, time.Time{}
		return nil
	}
}

// WithTime freezes the server's clock at t; [Server.Advance] moves it.
//
// Deprecated: use [WithClock] (with a function that returns t), the shape
// tribetest's servers share, or [Server.SetTime]. WithTime is kept until
// 30 June 2027 and removed after that date.
func WithTime(t time.Time) Option {
	return func(c *config) error {
		c.now = t
		return nil
	}
}

// WithAccessTokenLifetime sets the access tokens' lifetime instead of
// [AccessTokenLifetime]; it must be positive. A lifetime of 10 seconds or
// less makes golang.org/x/oauth2 treat every token as expired at once, so
// each use refreshes, which helps tests of refresh-token rotation.
func WithAccessTokenLifetime(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("crmtest: WithAccessTokenLifetime(%s): the lifetime is not positive; give a duration above zero, such as time.Hour", d)
		}
		c.lifetime = d
		return nil
	}
}

// WithRequirePKCE makes the consent endpoint refuse an authorization request
// without a code_challenge (RFC 7636 section 4.4.1), redirecting with
// error=invalid_request. Without it, PKCE is optional; either way a code
// issued with a challenge is exchanged only with the matching
// code_verifier.
func WithRequirePKCE() Option {
	return func(c *config) error {
		c.requirePKCE = true
		return nil
	}
}

// WithRevokeOnReuse makes the server treat the reuse of a spent refresh token
// as theft: it revokes the whole grant (every refresh and access token
// descended from the same authorization) and answers invalid_grant, as RFC
// 9700 section 4.14.2 recommends. [Server.GrantRevoked] and
// [Counts.RefreshTokenReuse] tell whether that happened.
func WithRevokeOnReuse() Option {
	return func(c *config) error {
		c.revokeOnReuse = true
		return nil
	}
}

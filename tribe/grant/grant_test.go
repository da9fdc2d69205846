package grant

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/tribe"
)

// tokenServer is a stand-in token endpoint that records each request's
// form and headers and answers with respond.
type tokenServer struct {
	*httptest.Server
	mu       sync.Mutex
	forms    []url.Values
	headers  []http.Header
	paths    []string
	respond  func(form url.Values) (status int, body any)
	requests atomic.Int32
}

func newTokenServer(t *testing.T, respond func(form url.Values) (int, any)) *tokenServer {
	t.Helper()
	ts := &tokenServer{respond: respond}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.requests.Add(1)
		if r.Method != http.MethodPost {
			t.Errorf("method %s, want POST", r.Method)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type %q, want application/x-www-form-urlencoded", ct)
		}
		if err := r.ParseForm(); err != nil {
			t.Errorf("parsing the form: %v", err)
		}
		if len(r.URL.Query()) > 0 {
			t.Errorf("query string %q: credentials must go in the body", r.URL.RawQuery)
		}
		ts.mu.Lock()
		ts.forms = append(ts.forms, r.PostForm)
		ts.headers = append(ts.headers, r.Header.Clone())
		ts.paths = append(ts.paths, r.URL.Path)
		ts.mu.Unlock()
		status, body := ts.respond(r.PostForm)
		if s, ok := body.(string); ok {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			w.Write([]byte(s))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *tokenServer) form(i int) url.Values {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.forms[i]
}

func (ts *tokenServer) header(i int) http.Header {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.headers[i]
}

func tokenAnswer(access, refresh string, expiresIn int) map[string]any {
	m := map[string]any{"token_type": "bearer", "access_token": access, "refresh_token": refresh}
	if expiresIn != 0 {
		m["expires_in"] = expiresIn
	}
	return m
}

func oauthRefusal(code, desc string) map[string]any {
	return map[string]any{"error": code, "error_description": desc}
}

const (
	testClientID     = "client-123"
	testClientSecret = "s3cret-client-value"
	testPassword     = "pa55-word-value"
)

func TestPasswordGrantSendsTheFormTribeDocuments(t *testing.T) {
	srv := newTokenServer(t, func(url.Values) (int, any) {
		return http.StatusOK, tokenAnswer("access-1", "refresh-1", 31536000)
	})
	c := &Config{
		CommunityURL: srv.URL + "/", // a trailing slash is fine
		ClientID:     testClientID,
		ClientSecret: testClientSecret,
	}
	tok, err := c.PasswordToken(context.Background(), "ada@example.com", testPassword)
	require.NoError(t, err)

	assert.Equal(t, "access-1", tok.AccessToken)
	assert.Equal(t, "refresh-1", tok.RefreshToken)
	assert.Equal(t, "Bearer", tok.Type())
	assert.WithinDuration(t, time.Now().Add(31536000*time.Second), tok.Expiry, time.Minute)

	require.EqualValues(t, 1, srv.requests.Load())
	assert.Equal(t, TokenPath, srv.paths[0])
	assert.Equal(t, url.Values{
		"grant_type":    {"password"},
		"client_id":     {testClientID},
		"client_secret": {testClientSecret},
		"username":      {"ada@example.com"},
		"password":      {testPassword},
	}, srv.form(0))
	assert.Empty(t, srv.header(0).Get("Authorization"), "credentials go in the body only")
}

func TestUserTokenSendsExactlyOneIdentifier(t *testing.T) {
	for _, tc := range []struct {
		name  string
		user  User
		key   string
		value string
	}{
		{"email", User{Email: "ada@example.com"}, "email", "ada@example.com"},
		{"user id", User{UserID: "Dm12KzW34"}, "user_id", "Dm12KzW34"},
		{"external id", User{ExternalID: "product-user-7"}, "external_id", "product-user-7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTokenServer(t, func(url.Values) (int, any) {
				return http.StatusOK, tokenAnswer("access-"+tc.key, "refresh-"+tc.key, 3600)
			})
			c := &Config{TokenURL: srv.URL + TokenPath, ClientID: testClientID, ClientSecret: testClientSecret}
			tok, err := c.UserToken(context.Background(), tc.user)
			require.NoError(t, err)
			assert.Equal(t, "access-"+tc.key, tok.AccessToken)
			assert.Equal(t, "refresh-"+tc.key, tok.RefreshToken)

			require.EqualValues(t, 1, srv.requests.Load())
			assert.Equal(t, url.Values{
				"grant_type":    {TypeClientSecretCredentials},
				"client_id":     {testClientID},
				"client_secret": {testClientSecret},
				tc.key:          {tc.value},
			}, srv.form(0))
			assert.Empty(t, srv.header(0).Get("Authorization"))
		})
	}
}

func TestRefreshSendsTheRefreshToken(t *testing.T) {
	srv := newTokenServer(t, func(url.Values) (int, any) {
		return http.StatusOK, tokenAnswer("access-2", "refresh-2", 3600)
	})
	c := &Config{CommunityURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret}
	tok, err := c.Refresh(context.Background(), "refresh-1")
	require.NoError(t, err)
	assert.Equal(t, "access-2", tok.AccessToken)
	assert.Equal(t, "refresh-2", tok.RefreshToken)
	assert.Equal(t, url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {"refresh-1"},
		"client_id":     {testClientID},
		"client_secret": {testClientSecret},
	}, srv.form(0))
	assert.Empty(t, srv.header(0).Get("Authorization"))
}

func TestRefreshKeepsTheOldRefreshTokenWhenNoneIsSent(t *testing.T) {
	srv := newTokenServer(t, func(url.Values) (int, any) {
		return http.StatusOK, tokenAnswer("access-2", "", 3600)
	})
	c := &Config{CommunityURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret}
	tok, err := c.Refresh(context.Background(), "refresh-1")
	require.NoError(t, err)
	assert.Equal(t, "refresh-1", tok.RefreshToken)
}

// A refused request is sent once: AuthStyleInParams is set explicitly, so
// x/oauth2 does not retry with the secret in a Basic header.
func TestRefusedGrantIsNotRetriedAnotherWay(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(url string) error
	}{
		{"password", func(u string) error {
			_, err := (&Config{CommunityURL: u, ClientID: testClientID, ClientSecret: testClientSecret}).PasswordToken(context.Background(), "ada", testPassword)
			return err
		}},
		{"user", func(u string) error {
			_, err := (&Config{CommunityURL: u, ClientID: testClientID, ClientSecret: testClientSecret}).UserToken(context.Background(), User{Email: "ada@example.com"})
			return err
		}},
		{"refresh", func(u string) error {
			_, err := (&Config{CommunityURL: u, ClientID: testClientID, ClientSecret: testClientSecret}).Refresh(context.Background(), "refresh-1")
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTokenServer(t, func(url.Values) (int, any) {
				return http.StatusUnauthorized, oauthRefusal("invalid_client", "Client authentication failed")
			})
			err := tc.run(srv.URL)
			require.Error(t, err)
			assert.EqualValues(t, 1, srv.requests.Load(), "a refused request must not be retried")
			assert.Empty(t, srv.header(0).Get("Authorization"))

			var oe *Error
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, InvalidClient, oe.Code)
			assert.Equal(t, "Client authentication failed", oe.Description)
			assert.Equal(t, http.StatusUnauthorized, oe.StatusCode)
			assert.ErrorIs(t, err, tribe.ErrUnauthorized)
			assert.NotErrorIs(t, err, tribe.ErrForbidden)
			assert.True(t, strings.HasPrefix(err.Error(), "grant: "), err.Error())
			assert.NotContains(t, err.Error(), testClientSecret)
		})
	}
}

func TestWrongPasswordIsInvalidGrant(t *testing.T) {
	srv := newTokenServer(t, func(f url.Values) (int, any) {
		if f.Get("password") != "right" {
			return http.StatusBadRequest, oauthRefusal("invalid_grant", "Invalid credentials given")
		}
		return http.StatusOK, tokenAnswer("a", "r", 60)
	})
	_, err := (&Config{CommunityURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret}).PasswordToken(context.Background(), "ada", testPassword)
	var oe *Error
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, InvalidGrant, oe.Code)
	assert.Equal(t, http.StatusBadRequest, oe.StatusCode)
	assert.ErrorIs(t, err, tribe.ErrUnauthorized)
	assert.Contains(t, err.Error(), "invalid_grant")
	assert.Contains(t, err.Error(), "password grant for ada")
	assert.NotContains(t, err.Error(), testPassword)
}

func TestGrantUsesTheCallersHTTPClient(t *testing.T) {
	srv := newTokenServer(t, func(url.Values) (int, any) {
		return http.StatusOK, tokenAnswer("a", "r", 60)
	})
	var used atomic.Int32
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	_, err := (&Config{CommunityURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret, HTTPClient: hc}).UserToken(context.Background(), User{UserID: "u1"})
	require.NoError(t, err)
	assert.EqualValues(t, 1, used.Load())
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestGrantExpiryFromJWTWhenNoExpiresIn(t *testing.T) {
	exp := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	access, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"exp": exp.Unix()}).SignedString([]byte(strings.Repeat("k", 32)))
	require.NoError(t, err)
	srv := newTokenServer(t, func(url.Values) (int, any) {
		return http.StatusOK, tokenAnswer(access, "r", 0)
	})
	tok, err := (&Config{CommunityURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret}).UserToken(context.Background(), User{ExternalID: "x"})
	require.NoError(t, err)
	assert.True(t, exp.Equal(tok.Expiry), "expiry %s, want %s", tok.Expiry, exp)
}

// The source does the grant, then refreshes with the newest refresh token
// each time the token expires (expires_in 1 s is inside x/oauth2's early
// expiry, so every call refreshes).
func TestGrantTokenSourceRotatesRefreshTokens(t *testing.T) {
	var (
		mu     sync.Mutex
		issued int
		valid  = map[string]bool{}
	)
	srv := newTokenServer(t, func(f url.Values) (int, any) {
		mu.Lock()
		defer mu.Unlock()
		switch f.Get("grant_type") {
		case "password":
		case "refresh_token":
			rt := f.Get("refresh_token")
			if !valid[rt] {
				return http.StatusBadRequest, oauthRefusal("invalid_grant", "refresh token revoked")
			}
			delete(valid, rt) // rotation: each refresh token works once
		default:
			t.Errorf("grant_type %q", f.Get("grant_type"))
		}
		issued++
		rt := "refresh-" + string(rune('0'+issued))
		valid[rt] = true
		return http.StatusOK, tokenAnswer("access-"+string(rune('0'+issued)), rt, 1)
	})
	ts, err := (&Config{CommunityURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret}).PasswordTokenSource(context.Background(), "ada", testPassword)
	require.NoError(t, err)
	assert.Zero(t, srv.requests.Load(), "no request before the first Token call")

	for i := 1; i <= 3; i++ {
		tok, err := ts.Token()
		require.NoError(t, err)
		assert.Equal(t, "access-"+string(rune('0'+i)), tok.AccessToken)
		assert.Equal(t, "refresh-"+string(rune('0'+i)), tok.RefreshToken, "the source hands out the newest refresh token")
	}
	require.EqualValues(t, 3, srv.requests.Load())
	assert.Equal(t, "password", srv.form(0).Get("grant_type"))
	assert.Equal(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"refresh-1"}, "client_id": {testClientID}, "client_secret": {testClientSecret}}, srv.form(1))
	assert.Equal(t, "refresh-2", srv.form(2).Get("refresh_token"))

	// Once the server revokes the refresh token, the source signs in again.
	mu.Lock()
	clear(valid)
	mu.Unlock()
	tok, err := ts.Token()
	require.NoError(t, err)
	assert.Equal(t, "access-4", tok.AccessToken)
	require.EqualValues(t, 5, srv.requests.Load())
	assert.Equal(t, "refresh-3", srv.form(3).Get("refresh_token"))
	assert.Equal(t, "password", srv.form(4).Get("grant_type"))
}

func TestRefreshTokenSourceReportsARevokedToken(t *testing.T) {
	srv := newTokenServer(t, func(url.Values) (int, any) {
		return http.StatusBadRequest, oauthRefusal("invalid_grant", "refresh token revoked")
	})
	ts, err := (&Config{CommunityURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret}).TokenSource(context.Background(), "refresh-1")
	require.NoError(t, err)
	_, err = ts.Token()
	require.ErrorIs(t, err, tribe.ErrUnauthorized)
	var oe *Error
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, InvalidGrant, oe.Code)
	assert.EqualValues(t, 1, srv.requests.Load())
}

func TestGrantTokenSourceIsSafeForConcurrentUse(t *testing.T) {
	srv := newTokenServer(t, func(url.Values) (int, any) {
		return http.StatusOK, tokenAnswer("a", "r", 3600)
	})
	ts, err := (&Config{CommunityURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret}).UserTokenSource(context.Background(), User{Email: "ada@example.com"})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			tok, err := ts.Token()
			if assert.NoError(t, err) {
				assert.Equal(t, "a", tok.AccessToken)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, srv.requests.Load(), "the token is reused until it expires")
}

func TestGrantBadInputIsRefusedBeforeAnyRequest(t *testing.T) {
	srv := newTokenServer(t, func(url.Values) (int, any) {
		return http.StatusOK, tokenAnswer("a", "r", 60)
	})
	ctx := context.Background()
	// call is one method call's receiver and arguments.
	type call struct {
		c                  Config
		username, password string
		user               User
		refreshToken       string
	}
	base := func() call {
		return call{
			c:        Config{CommunityURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret},
			username: "ada", password: testPassword, refreshToken: "refresh-1",
		}
	}
	// Each method and its token source must agree.
	pw := func(mod func(*call)) func() error {
		return func() error {
			k := base()
			mod(&k)
			_, err := k.c.PasswordToken(ctx, k.username, k.password)
			if _, err2 := k.c.PasswordTokenSource(ctx, k.username, k.password); (err == nil) != (err2 == nil) {
				return errors.New("PasswordToken and PasswordTokenSource disagree")
			}
			return err
		}
	}
	ex := func(mod func(*call)) func() error {
		return func() error {
			k := base()
			mod(&k)
			_, err := k.c.UserToken(ctx, k.user)
			if _, err2 := k.c.UserTokenSource(ctx, k.user); (err == nil) != (err2 == nil) {
				return errors.New("UserToken and UserTokenSource disagree")
			}
			return err
		}
	}
	rf := func(mod func(*call)) func() error {
		return func() error {
			k := base()
			mod(&k)
			_, err := k.c.Refresh(ctx, k.refreshToken)
			if _, err2 := k.c.TokenSource(ctx, k.refreshToken); (err == nil) != (err2 == nil) {
				return errors.New("Refresh and TokenSource disagree")
			}
			return err
		}
	}
	for _, tc := range []struct {
		name string
		run  func() error
		want string // part of the message that says how to fix it
	}{
		{"user: no identifier", ex(func(k *call) {}), "set exactly one of User.Email, User.UserID"},
		{"user: two identifiers", ex(func(k *call) { k.user.Email, k.user.UserID = "ada@example.com", "u1" }), "2 of User.Email, User.UserID and User.ExternalID are set"},
		{"user: three identifiers", ex(func(k *call) { k.user = User{Email: "ada@example.com", UserID: "u1", ExternalID: "x1"} }), "3 of User.Email"},
		{"user: email without @", ex(func(k *call) { k.user.Email = "ada" }), "is not an email address"},
		{"user: identifier with a newline", ex(func(k *call) { k.user.ExternalID = "x1\n" }), "give it bare"},
		{"user: no URL", ex(func(k *call) { k.c.CommunityURL, k.user.Email = "", "ada@example.com" }), "set Config.CommunityURL"},
		{"password: empty password", pw(func(k *call) { k.password = "" }), "pass the user's password to PasswordToken"},
		{"password: empty username", pw(func(k *call) { k.username = "" }), "pass the user's username or email to PasswordToken"},
		{"password: blank username", pw(func(k *call) { k.username = "  " }), "pass the user's username or email to PasswordToken"},
		{"password: username with a newline", pw(func(k *call) { k.username = "ada\n" }), "give it bare"},
		{"password: community URL not http(s)", pw(func(k *call) { k.c.CommunityURL = "ftp://community.example.com" }), `Config.CommunityURL with scheme "ftp" is not an absolute http(s) URL`},
		{"password: community URL without scheme", pw(func(k *call) { k.c.CommunityURL = "community.example.com" }), "is not an absolute http(s) URL; give one such as https://community.example.com"},
		{"password: plain http to a remote host", pw(func(k *call) { k.c.CommunityURL = "http://community.example.com" }), "use https, or set Config.AllowInsecureHTTP"},
		{"password: token URL plain http to a remote host", pw(func(k *call) {
			k.c.CommunityURL, k.c.TokenURL = "", "http://community.example.com/api/v1/oauth/token"
		}), "use https"},
		{"password: no URL", pw(func(k *call) { k.c.CommunityURL = "" }), "set Config.CommunityURL"},
		{"password: both URLs", pw(func(k *call) { k.c.TokenURL = srv.URL + TokenPath }), "set one"},
		{"password: credentials in the URL", pw(func(k *call) { k.c.CommunityURL = "https://id:" + testClientSecret + "@community.example.com" }), "remove them and set Config.ClientID and Config.ClientSecret"},
		{"password: query in the URL", pw(func(k *call) { k.c.CommunityURL = srv.URL + "?client_secret=" + testClientSecret }), "give the bare URL"},
		{"password: empty client id", pw(func(k *call) { k.c.ClientID = "" }), "set Config.ClientID"},
		{"password: empty client secret", pw(func(k *call) { k.c.ClientSecret = "" }), "set Config.ClientSecret"},
		{"password: client id with a space", pw(func(k *call) { k.c.ClientID = " " + testClientID }), "give it bare"},
		{"password: secret with a newline", pw(func(k *call) { k.c.ClientSecret = testClientSecret + "\n" }), "trim it"},
		{"refresh: empty refresh token", rf(func(k *call) { k.refreshToken = "" }), "pass the refresh_token a grant returned"},
		{"refresh: refresh token with a newline", rf(func(k *call) { k.refreshToken = "refresh-1\n" }), "trim it"},
		{"refresh: empty client secret", rf(func(k *call) { k.c.ClientSecret = "" }), "set Config.ClientSecret"},
		{"nil config", func() error { _, err := (*Config)(nil).UserToken(ctx, User{Email: "ada@example.com"}); return err }, "the *Config is nil"},
		{"nil config, password", func() error { _, err := (*Config)(nil).PasswordTokenSource(ctx, "ada", testPassword); return err }, "the *Config is nil"},
		{"nil config, refresh", func() error { _, err := (*Config)(nil).TokenSource(ctx, "refresh-1"); return err }, "the *Config is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			require.Error(t, err)
			assert.ErrorIs(t, err, tribe.ErrInvalidInput)
			assert.Contains(t, err.Error(), tc.want)
			// One shape: "grant: <what is wrong>; <how to fix it>".
			assert.Regexp(t, `^grant: [^;]+; .+`, err.Error())
			assert.Equal(t, 1, strings.Count(err.Error(), "grant: "), err.Error())
			assert.NotContains(t, err.Error(), testClientSecret)
			assert.NotContains(t, err.Error(), testPassword)
			assert.Zero(t, srv.requests.Load(), "bad input must be refused before any request")
		})
	}
}

func TestGrantAllowsPlainHTTPWhenAsked(t *testing.T) {
	c := &Config{CommunityURL: "http://community.example.com", ClientID: testClientID, ClientSecret: testClientSecret, AllowInsecureHTTP: true}
	f, err := c.passwordFlow("ada", testPassword)
	require.NoError(t, err)
	assert.Equal(t, "http://community.example.com"+TokenPath, f.conf.Endpoint.TokenURL)
	assert.Equal(t, oauth2.AuthStyleInParams, f.conf.Endpoint.AuthStyle)
}

func TestErrorMapsToSentinels(t *testing.T) {
	for _, tc := range []struct {
		code         string
		status       int
		unauthorized bool
		forbidden    bool
	}{
		{InvalidClient, 401, true, false},
		{InvalidClient, 400, true, false},
		{InvalidGrant, 400, true, false},
		{AccessDenied, 400, false, true},
		{UnauthorizedClient, 400, false, true},
		{InvalidRequest, 400, false, false},
		{UnsupportedGrantType, 400, false, false},
		{InvalidScope, 400, false, false},
		{"", 401, true, false},
		{"", 403, false, true},
		{"", 500, false, false},
	} {
		t.Run(tc.code+"/"+http.StatusText(tc.status), func(t *testing.T) {
			var err error = &Error{Grant: "g", Code: tc.code, StatusCode: tc.status}
			err = wrapf(err, "outer")
			assert.Equal(t, tc.unauthorized, errors.Is(err, tribe.ErrUnauthorized))
			assert.Equal(t, tc.forbidden, errors.Is(err, tribe.ErrForbidden))
			assert.False(t, errors.Is(err, tribe.ErrInvalidInput))
			assert.False(t, errors.Is(err, tribe.ErrInvalidToken))
		})
	}
}

func TestErrorWithoutCodeKeepsARedactedBody(t *testing.T) {
	jwtLike := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"
	srv := newTokenServer(t, func(f url.Values) (int, any) {
		return http.StatusBadGateway, "<html>upstream echoed " + f.Get("client_secret") + " and " + f.Get("password") + " and " + jwtLike + "</html>"
	})
	_, err := (&Config{CommunityURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret}).PasswordToken(context.Background(), "ada", testPassword)
	var oe *Error
	require.ErrorAs(t, err, &oe)
	assert.Empty(t, oe.Code)
	assert.Equal(t, http.StatusBadGateway, oe.StatusCode)
	assert.Contains(t, oe.Body, "upstream echoed")
	for _, s := range []string{err.Error(), oe.Body} {
		assert.NotContains(t, s, testClientSecret)
		assert.NotContains(t, s, testPassword)
		assert.NotContains(t, s, jwtLike)
	}
	assert.Contains(t, err.Error(), "HTTP 502")
}

func TestErrorRedactsAnEchoingDescription(t *testing.T) {
	srv := newTokenServer(t, func(f url.Values) (int, any) {
		return http.StatusBadRequest, oauthRefusal("invalid_grant", "refresh token "+f.Get("refresh_token")+" is revoked")
	})
	_, err := (&Config{CommunityURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret}).Refresh(context.Background(), "rt-secret-value")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "rt-secret-value")
	assert.Contains(t, err.Error(), "[REDACTED]")
}

func TestGrantTransportErrorIsWrapped(t *testing.T) {
	srv := newTokenServer(t, func(url.Values) (int, any) { return 200, tokenAnswer("a", "r", 1) })
	u := srv.URL
	srv.Close()
	_, err := (&Config{CommunityURL: u, ClientID: testClientID, ClientSecret: testClientSecret}).PasswordToken(context.Background(), "ada", testPassword)
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "grant: password grant for ada: "), err.Error())
	var ue *url.Error
	assert.ErrorAs(t, err, &ue)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = (&Config{CommunityURL: "https://community.example.com", ClientID: testClientID, ClientSecret: testClientSecret}).UserToken(ctx, User{Email: "a@b.c"})
	assert.ErrorIs(t, err, context.Canceled)
}

// TestErrorTextCannotBeForged: a server's error code and error_uri are
// shown as they are when RFC 6749 section 5.2 allows their characters, and
// quoted otherwise, so a newline in them cannot start a forged log line.
func TestErrorTextCannotBeForged(t *testing.T) {
	for _, tc := range []struct {
		name, code, uri string
		want, notWant   string
	}{
		{"plain code and URI", "invalid_grant", "https://x.example/e?a=1", ": invalid_grant", `"`},
		{"code with a space", "slow down", "", ": slow down", `"`},
		{"newline in the code", "invalid_grant\nlevel=INFO msg=ok", "", `: "invalid_grant\nlevel=INFO msg=ok"`, "\n"},
		{"carriage return in the URI", "invalid_grant", "https://x.example/\r\nlevel=INFO", `(see "https://x.example/\r\nlevel=INFO")`, "\r"},
		{"quote in the code", `a"b`, "", `: "a\"b"`, `: a"b`},
		{"space in the URI", "invalid_grant", "https://x.example/a b", `(see "https://x.example/a b")`, "(see https"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTokenServer(t, func(url.Values) (int, any) {
				body := map[string]any{"error": tc.code}
				if tc.uri != "" {
					body["error_uri"] = tc.uri
				}
				return http.StatusBadRequest, body
			})
			_, err := (&Config{CommunityURL: srv.URL, ClientID: testClientID, ClientSecret: testClientSecret}).Refresh(context.Background(), "refresh-1")
			var oe *Error
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, tc.code, oe.Code, "the field keeps the server's code")
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), tc.notWant)
		})
	}
}

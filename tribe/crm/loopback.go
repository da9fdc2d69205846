package crm

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/redact"
)

// LoopbackLogin runs the authorization code flow for a command-line tool, the
// way gh and gcloud log in: it listens on the loopback interface for the
// redirect, has the caller open the consent URL in a browser, waits for the
// browser to come back, checks the state, exchanges the code, saves the token
// and answers the browser with a small page. See RFC 8252 sections 7.3 and 8.3
// and https://developer.tribecrm.nl/docs/api/concepts/authentication.
//
// A LoopbackLogin is a set of settings; each call to Login is independent, so
// it is safe for concurrent use if its fields are not changed.
type LoopbackLogin struct {
	// Config is the application. It needs ClientID, ClientSecret and
	// Scopes. If Config.RedirectURL is set, it must be an http URL on
	// 127.0.0.1, [::1] or localhost; Login listens on its port (0 or none
	// for any free port) and path. Otherwise Login listens on
	// 127.0.0.1:Port and uses the path /callback.
	Config *Config

	// Store receives the token. Required.
	Store TokenStore

	// Open is given the consent URL; it opens a browser or prints the URL
	// for the user. Required. An error from Open ends the login.
	Open func(url string) error

	// Port is the port to listen on when Config.RedirectURL is empty; 0
	// picks a free port. The CRM may require the exact redirect URL that
	// was registered, port included.
	Port int

	// OrganizationID, if set, is sent as organization_id (a UUID).
	OrganizationID string

	// AllowNarrowerScopes lets the login go on when the CRM grants fewer
	// scopes than Config.Scopes; otherwise that ends it with a
	// [*ScopeError] before the code is exchanged.
	AllowNarrowerScopes bool
}

// LoginResult is the outcome of [LoopbackLogin.Login]. Its String and
// GoString hide the token. It is a plain value, safe for concurrent use if not
// modified.
type LoginResult struct {
	// Token is the token obtained, as saved to the store.
	Token *oauth2.Token
	// RedirectURL is the redirect URL used. Refreshing this grant must send
	// it again: use it as Config.RedirectURL for [Config.TokenSource].
	RedirectURL string
	// Scopes are the scopes granted.
	Scopes []string
}

// String describes r without the token.
func (r LoginResult) String() string {
	return fmt.Sprintf("crm.LoginResult{Token: %s, RedirectURL: %q, Scopes: %q}", redact.Marker, r.RedirectURL, r.Scopes)
}

// GoString is String, so %#v hides the token too.
func (r LoginResult) GoString() string { return r.String() }

// Login runs one login and returns the saved token. It returns when the
// browser has come back and the token is saved, or when ctx ends (give it a
// timeout).
//
// Only a request to the callback path carrying this login's state ends the
// login: a request whose state is missing or does not match (a stray request,
// an old tab, a forgery) is answered 400 and the login goes on waiting, and
// other paths, such as /favicon.ico, are answered 404. A request with the
// matching state is checked with [AuthRequest.ParseCallback], so the errors
// are those it reports for it ([*AuthError] for an error redirect,
// [ErrCodeMissing], [*ScopeError]), then [Config.Exchange]'s. If saving the
// token fails, Login returns the result together with the error, since the
// code is spent.
func (l *LoopbackLogin) Login(ctx context.Context) (*LoginResult, error) {
	if l == nil {
		return nil, invalidf("the *LoopbackLogin is nil; call Login on a *crm.LoopbackLogin with Config, Store and Open set")
	}
	if err := l.Config.check(needSecret | needAuthURL | needTokenURL); err != nil {
		return nil, err
	}
	if l.Store == nil {
		return nil, invalidf("LoopbackLogin.Store is nil; set it to the TokenStore that keeps the token, such as crm.FileStore")
	}
	if l.Open == nil {
		return nil, invalidf("LoopbackLogin.Open is nil; set it to a function that opens the consent URL in a browser or prints it for the user")
	}
	host, port, path, err := l.listenAddr()
	if err != nil {
		return nil, err
	}
	var opts []AuthCodeOption
	if l.OrganizationID != "" {
		opts = append(opts, WithOrganizationID(l.OrganizationID))
	}
	// Check the consent URL's inputs before listening.
	probe := l.Config.clone()
	probe.RedirectURL = "http://127.0.0.1/"
	if _, err := probe.AuthCodeURL(NewState(), opts...); err != nil {
		return nil, err
	}

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("crm: listening for the redirect: %w", err)
	}
	_, bound, _ := net.SplitHostPort(ln.Addr().String())
	conf := l.Config.clone()
	conf.RedirectURL = (&url.URL{Scheme: "http", Host: net.JoinHostPort(host, bound), Path: path}).String()
	req, err := conf.NewAuthRequest(opts...)
	if err != nil {
		_ = ln.Close()
		return nil, err
	}

	type outcome struct {
		res *LoginResult
		err error
	}
	done := make(chan outcome, 1)
	var once sync.Once
	pattern := "GET " + path
	if path == "/" {
		pattern = "GET /{$}"
	}
	mux := http.NewServeMux()
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if err := checkState(req.State, q.Get("state")); err != nil {
			// Not the redirect of this login (a stray request, another
			// tab, a forgery): refuse it and keep waiting for the browser.
			writeStrayPage(w, err)
			return
		}
		first := false
		once.Do(func() {
			first = true
			res, err := l.finish(ctx, conf, req, q)
			writePage(w, err)
			done <- outcome{res, err}
		})
		if !first {
			writePage(w, errors.New("crm: this login has already been handled"))
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	serveDone := make(chan struct{})
	go func() {
		defer close(serveDone)
		_ = srv.Serve(ln)
	}()
	defer func() {
		// Let the browser's page finish, but not forever.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			_ = srv.Close()
		}
		<-serveDone
	}()

	if err := l.Open(req.URL); err != nil {
		return nil, fmt.Errorf("crm: opening the consent URL: %w", err)
	}
	select {
	case o := <-done:
		return o.res, o.err
	case <-ctx.Done():
		return nil, fmt.Errorf("crm: waiting for the browser to come back: %w", context.Cause(ctx))
	}
}

// listenAddr returns where to listen and the callback path.
func (l *LoopbackLogin) listenAddr() (host, port, path string, err error) {
	if l.Config.RedirectURL == "" {
		if l.Port < 0 || l.Port > 65535 {
			return "", "", "", invalidf("LoopbackLogin.Port %d is out of range; use 1 to 65535, or 0 for any free port", l.Port)
		}
		return "127.0.0.1", strconv.Itoa(l.Port), "/callback", nil
	}
	if err := checkRedirectURL(l.Config.RedirectURL, exampleLoopbackRedirectURL); err != nil {
		return "", "", "", err
	}
	u, _ := url.Parse(l.Config.RedirectURL)
	if u.Scheme != "http" {
		return "", "", "", invalidf("Config.RedirectURL has scheme %q, but a loopback login listens on plain http; use an http URL on 127.0.0.1, [::1] or localhost, or leave it empty for http://127.0.0.1:PORT/callback", u.Scheme)
	}
	switch u.Hostname() {
	case "127.0.0.1", "::1", "localhost":
	default:
		return "", "", "", invalidf("Config.RedirectURL host %q is not a loopback address; use 127.0.0.1, [::1] or localhost, or leave it empty for http://127.0.0.1:PORT/callback", u.Hostname())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", "", "", invalidf("Config.RedirectURL has a query or fragment, which a loopback login cannot listen for; remove it")
	}
	if u.RawPath != "" || strings.ContainsAny(u.Path, "{} ") {
		return "", "", "", invalidf("Config.RedirectURL path holds escaped characters, braces or spaces, which a loopback login cannot listen for; use a plain path such as /callback")
	}
	port = u.Port()
	if port == "" {
		port = "0"
	}
	path = u.Path
	if path == "" {
		path = "/"
	}
	return u.Hostname(), port, path, nil
}

// finish checks the redirect, exchanges the code and saves the token.
func (l *LoopbackLogin) finish(ctx context.Context, conf *Config, req *AuthRequest, q url.Values) (*LoginResult, error) {
	cb, err := req.ParseCallback(q)
	if _, narrowed := errors.AsType[*ScopeError](err); narrowed && l.AllowNarrowerScopes {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	tok, err := req.Exchange(ctx, conf, cb)
	if err != nil {
		return nil, err
	}
	res := &LoginResult{Token: tok, RedirectURL: conf.RedirectURL, Scopes: cb.Scopes}
	if err := l.Store.Save(ctx, tok); err != nil {
		return res, fmt.Errorf("crm: saving the token: %w", err)
	}
	return res, nil
}

// checkState tells whether got is the state sent, in constant time: nil,
// [ErrStateMissing] or [ErrStateMismatch].
func checkState(want, got string) error {
	switch {
	case got == "":
		return ErrStateMissing
	case subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1:
		return ErrStateMismatch
	}
	return nil
}

// writeStrayPage answers a request to the callback that is not this login's
// redirect, which goes on waiting. err's text holds no secret.
func writeStrayPage(w http.ResponseWriter, err error) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, "<!doctype html>\n<title>Not this login</title>\n<h1>Not the login in progress</h1>\n<p>%s</p>\n<p>This request does not belong to the login the terminal is waiting for, which goes on waiting. Use the consent URL the terminal printed.</p>\n",
		html.EscapeString(err.Error()))
}

// writePage answers the browser. err's text holds no secret; it is escaped.
func writePage(w http.ResponseWriter, err error) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer") // the URL held the code
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "<!doctype html>\n<title>Tribe CRM login failed</title>\n<h1>Login failed</h1>\n<p>%s</p>\n<p>Return to the terminal for details.</p>\n",
			html.EscapeString(err.Error()))
		return
	}
	fmt.Fprint(w, "<!doctype html>\n<title>Tribe CRM login</title>\n<h1>Logged in to Tribe CRM</h1>\n<p>You can close this window and return to the terminal.</p>\n")
}

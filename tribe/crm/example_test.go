package crm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/tribekit/tribekit/tribe/crm"
	"github.com/tribekit/tribekit/tribe/crm/crmtest"
)

// A server-to-server sync job: client credentials, then an API call. Against
// the real CRM, leave Endpoint, BaseURL and the HTTP clients empty.
func ExampleConfig_ClientCredentialsTokenSource() {
	srv := crmtest.NewServer()
	defer srv.Close()
	ctx := context.Background()

	conf := &crm.Config{
		ClientID:     crmtest.DefaultClientID,
		ClientSecret: crmtest.DefaultClientSecret,
		Endpoint:     srv.Endpoint(),
		Scopes:       []string{crm.ScopeRead, crm.ScopeWrite},
		HTTPClient:   srv.Client(),
	}
	ts, err := conf.ClientCredentialsTokenSource(ctx)
	if err != nil {
		log.Fatal(err)
	}
	api := &crm.Client{BaseURL: srv.URL, TokenSource: ts, HTTPClient: srv.Client()}
	emp, err := api.GetCurrentEmployee(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s <%s>\n", emp.Name, emp.Person.EmailAddress)
	// Output: Jan de Vries <jan.devries@example.nl>
}

// A personal script: start from a refresh token copied from the CRM, keep the
// rotating refresh token in a file, and let the token source refresh it.
func ExampleConfig_QuickSetup() {
	srv := crmtest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "crm-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	conf := &crm.Config{
		ClientID:     crmtest.DefaultClientID,
		ClientSecret: crmtest.DefaultClientSecret,
		Endpoint:     srv.Endpoint(),
		RedirectURL:  crmtest.DefaultRedirectURL, // sent on every refresh
		HTTPClient:   srv.Client(),
	}
	// In the CRM: Configuration > Applications > … > Refresh token.
	copied, err := srv.IssueRefreshToken(crmtest.DefaultClientID, crmtest.DefaultRedirectURL)
	if err != nil {
		log.Fatal(err)
	}
	store := crm.FileStore{Path: filepath.Join(dir, "tribe-crm-token.json")}
	if _, err := conf.QuickSetup(ctx, copied, store); err != nil {
		log.Fatal(err)
	}
	fmt.Println("copied refresh token still usable:", srv.RefreshTokenActive(copied))

	ts, err := conf.TokenSource(ctx, store)
	if err != nil {
		log.Fatal(err)
	}
	api := &crm.Client{BaseURL: srv.URL, TokenSource: ts, HTTPClient: srv.Client()}
	emp, err := api.GetCurrentEmployee(ctx)
	if err != nil {
		log.Fatal(err)
	}
	saved, err := store.Load(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("logged in as", emp.Person.FirstName, emp.Person.LastName)
	fmt.Println("saved refresh token usable:", srv.RefreshTokenActive(saved.RefreshToken))
	// Output:
	// copied refresh token still usable: false
	// logged in as Jan Vries
	// saved refresh token usable: true
}

// A command-line login. A real Open starts a browser or prints the URL; this
// one follows the consent URL as a browser would.
func ExampleLoopbackLogin() {
	srv := crmtest.NewServer()
	defer srv.Close()

	login := &crm.LoopbackLogin{
		Config: &crm.Config{
			ClientID:     crmtest.DefaultClientID,
			ClientSecret: crmtest.DefaultClientSecret,
			Endpoint:     srv.Endpoint(),
			Scopes:       []string{crm.ScopeRead, crm.ScopeOffline},
			HTTPClient:   srv.Client(),
		},
		Store: &crm.MemoryStore{},
		Open: func(consentURL string) error {
			resp, err := srv.Client().Get(consentURL)
			if err != nil {
				return err
			}
			return resp.Body.Close()
		},
	}
	res, err := login.Login(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("granted:", strings.Join(res.Scopes, " "))
	fmt.Println("redirect on loopback:", strings.HasPrefix(res.RedirectURL, "http://127.0.0.1:"))
	fmt.Println("got a refresh token:", res.Token.RefreshToken != "")
	// Output:
	// granted: read offline
	// redirect on loopback: true
	// got a refresh token: true
}

// A web app checks the redirect the user's browser brings back. Here the
// user declined on the consent screen.
func ExampleAuthRequest_ParseCallback() {
	srv := crmtest.NewServer(crmtest.WithConsent(crmtest.Consent{Deny: true}))
	defer srv.Close()

	conf := &crm.Config{
		ClientID:     crmtest.DefaultClientID,
		ClientSecret: crmtest.DefaultClientSecret,
		Endpoint:     srv.Endpoint(),
		RedirectURL:  crmtest.DefaultRedirectURL,
		Scopes:       []string{crm.ScopeRead, crm.ScopeWrite, crm.ScopeOffline},
	}
	req, err := conf.NewAuthRequest(crm.WithOrganizationID("3f2504e0-4f89-11d3-9a0c-0305e82c3301"))
	if err != nil {
		log.Fatal(err)
	}
	// Keep req.State and req.Scopes in the user's session and send the
	// browser to req.URL. Its way back, to the redirect URL:
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(req.URL)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		log.Fatal(err)
	}

	_, err = req.ParseCallback(back.Query())
	fmt.Println("denied:", errors.Is(err, crm.ErrAccessDenied))
	fmt.Println(err)
	// Output:
	// denied: true
	// crm: authorization failed: access_denied: The resource owner denied the request.
}

package crmtest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// tokenFailure is an RFC 6749 section 5.2 error answer.
type tokenFailure struct {
	status      int
	code        string
	description string
	basicAuth   bool // the client tried HTTP Basic: send WWW-Authenticate
}

func badRequest(code, description string) *tokenFailure {
	return &tokenFailure{status: http.StatusBadRequest, code: code, description: description}
}

// serveToken is POST /oauth2/token (RFC 6749 sections 3.2, 4.1.3, 4.4, 6).
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.agents.Token = r.UserAgent()
	body, fail := s.token(r)
	if fail != nil {
		s.counts.TokenErrors++
		if fail.basicAuth && fail.status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Basic realm="tribecrm"`)
		}
		writeJSON(w, fail.status, map[string]string{"error": fail.code, "error_description": fail.description})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// token handles one token request with s.mu held.
func (s *Server) token(r *http.Request) (map[string]any, *tokenFailure) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return nil, badRequest("invalid_request", "body must be application/x-www-form-urlencoded")
	}
	if err := r.ParseForm(); err != nil {
		return nil, badRequest("invalid_request", "malformed form body")
	}
	form := r.PostForm
	grantType := form.Get("grant_type")
	switch grantType {
	case "client_credentials":
		s.counts.ClientCredentials++
	case "authorization_code":
		s.counts.AuthorizationCode++
	case "refresh_token":
		s.counts.RefreshToken++
	case "":
		return nil, badRequest("invalid_request", "grant_type is required")
	default:
		return nil, badRequest("unsupported_grant_type", "grant_type "+grantType+" is not supported")
	}
	app, fail := s.authenticate(r, form)
	if fail != nil {
		return nil, fail
	}
	switch grantType {
	case "client_credentials":
		return s.clientCredentials(app, form)
	case "authorization_code":
		return s.authorizationCode(app, form)
	default:
		return s.refreshToken(app, form)
	}
}

// authenticate checks the client's credentials, sent either with HTTP Basic
// or as client_id and client_secret in the form (RFC 6749 section 2.3.1).
func (s *Server) authenticate(r *http.Request, form url.Values) (App, *tokenFailure) {
	id, secret, basic := r.BasicAuth()
	if basic {
		if form.Has("client_secret") {
			return App{}, badRequest("invalid_request", "client authenticated with more than one method")
		}
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return App{}, &tokenFailure{status: http.StatusUnauthorized, code: "invalid_client", description: "malformed client credentials", basicAuth: true}
		}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	app, ok := s.apps[id]
	if id == "" || !ok || subtle.ConstantTimeCompare([]byte(secret), []byte(app.ClientSecret)) != 1 {
		return App{}, &tokenFailure{status: http.StatusUnauthorized, code: "invalid_client", description: "client authentication failed", basicAuth: basic}
	}
	return app, nil
}

func (s *Server) clientCredentials(app App, form url.Values) (map[string]any, *tokenFailure) {
	scopes := strings.Fields(form.Get("scope"))
	for _, sc := range scopes {
		if !knownScope(sc) {
			return nil, badRequest("invalid_scope", "unknown scope "+sc)
		}
	}
	if len(scopes) == 0 {
		scopes = []string{"read", "write"}
	}
	// The CRM sends no refresh token for client credentials.
	return s.issue(&grant{clientID: app.ClientID, scopes: scopes}, false), nil
}

func (s *Server) authorizationCode(app App, form url.Values) (map[string]any, *tokenFailure) {
	code := form.Get("code")
	if code == "" {
		return nil, badRequest("invalid_request", "code is required")
	}
	g, ok := s.codes[code]
	if !ok {
		return nil, badRequest("invalid_grant", "authorization code is invalid or was already used")
	}
	if g.clientID != app.ClientID {
		return nil, badRequest("invalid_grant", "authorization code was issued to another client")
	}
	delete(s.codes, code) // single use, whatever follows
	if !s.nowLocked().Before(g.expires) {
		return nil, badRequest("invalid_grant", "authorization code has expired")
	}
	if form.Get("redirect_uri") != g.redirectURL {
		return nil, badRequest("invalid_grant", "redirect_uri does not match the authorization request")
	}
	if fail := checkVerifier(g, form.Get("code_verifier")); fail != nil {
		return nil, fail
	}
	g.family = s.newFamilyLocked()
	return s.issue(g, slices.Contains(g.scopes, "offline")), nil
}

func (s *Server) refreshToken(app App, form url.Values) (map[string]any, *tokenFailure) {
	rt := form.Get("refresh_token")
	if rt == "" {
		return nil, badRequest("invalid_request", "refresh_token is required")
	}
	redirect := form.Get("redirect_uri")
	if redirect == "" {
		return nil, badRequest("invalid_request", "redirect_uri is required")
	}
	if f := s.failRefresh; f != nil {
		s.failRefresh = nil
		return nil, &tokenFailure{status: f.status, code: f.code, description: "refresh failed as the test asked"}
	}
	g, ok := s.refresh[rt]
	if !ok {
		if fam, used := s.spent[rt]; used {
			s.counts.RefreshTokenReuse++
			if s.revokeOnReuse {
				s.revokeFamilyLocked(fam)
				return nil, badRequest("invalid_grant", "refresh token was already used; the grant is revoked")
			}
		}
		return nil, badRequest("invalid_grant", "refresh token is invalid, expired or already used")
	}
	if g.clientID != app.ClientID {
		return nil, badRequest("invalid_grant", "refresh token was issued to another client")
	}
	if redirect != g.redirectURL {
		return nil, badRequest("invalid_grant", "redirect_uri does not match the one used when authorizing")
	}
	scopes := g.scopes
	if sc := strings.Fields(form.Get("scope")); len(sc) > 0 {
		for _, x := range sc {
			if !slices.Contains(g.scopes, x) {
				return nil, badRequest("invalid_scope", "scope exceeds the original grant")
			}
		}
		scopes = sc
	}
	delete(s.refresh, rt) // rotation: the old refresh token is dead
	s.spent[rt] = g.family
	return s.issue(&grant{clientID: g.clientID, redirectURL: g.redirectURL, scopes: slices.Clone(scopes), family: g.family}, true), nil
}

// revokeFamilyLocked revokes every refresh and access token of a grant
// (RFC 9700 section 4.14.2); s.mu is held.
func (s *Server) revokeFamilyLocked(fam string) {
	s.revoked[fam] = true
	for rt, g := range s.refresh {
		if g.family == fam {
			delete(s.refresh, rt)
			s.spent[rt] = fam
		}
	}
	for at, g := range s.access {
		if g.family == fam {
			delete(s.access, at)
		}
	}
}

// checkVerifier checks the code_verifier of an exchange against the code's
// PKCE challenge (RFC 7636 section 4.6): a code issued with a challenge needs
// the matching verifier, and a verifier for a code issued without one is
// refused too, as a downgrade.
func checkVerifier(g *grant, verifier string) *tokenFailure {
	switch {
	case g.challenge == "" && verifier == "":
		return nil
	case g.challenge == "":
		return badRequest("invalid_grant", "code_verifier sent but the authorization request had no code_challenge")
	case verifier == "":
		return badRequest("invalid_grant", "code_verifier is required: the authorization request had a code_challenge")
	}
	sum := sha256.Sum256([]byte(verifier))
	if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(g.challenge)) != 1 {
		return badRequest("invalid_grant", "code_verifier does not match the code_challenge")
	}
	return nil
}

// issue mints an access token (and a refresh token if withRefresh) for g.
func (s *Server) issue(g *grant, withRefresh bool) map[string]any {
	at := newSecret("at_")
	s.access[at] = &grant{
		clientID:    g.clientID,
		redirectURL: g.redirectURL,
		scopes:      slices.Clone(g.scopes),
		expires:     s.nowLocked().Add(s.lifetime),
		family:      g.family,
	}
	body := map[string]any{
		"access_token": at,
		"token_type":   "bearer",
		"expires_in":   int64(s.lifetime.Seconds()),
		"scope":        strings.Join(g.scopes, " "),
	}
	if withRefresh {
		rt := newSecret("rt_")
		s.refresh[rt] = &grant{clientID: g.clientID, redirectURL: g.redirectURL, scopes: slices.Clone(g.scopes), family: g.family}
		body["refresh_token"] = rt
	}
	return body
}

// writeJSON sends v as a JSON answer that no cache may keep.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

package crmtest

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// knownScope reports whether sc is a scope the CRM documents.
func knownScope(sc string) bool {
	switch sc {
	case "read", "write", "offline":
		return true
	}
	return false
}

// serveAuthorize is GET /oauth2/auth (RFC 6749 section 4.1.1). Errors about
// client_id or redirect_uri are shown to the "user" (400), never redirected;
// the others are redirected to redirect_uri (section 4.1.2.1).
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts.Authorize++
	s.last = Authorization{
		ClientID:       q.Get("client_id"),
		RedirectURL:    q.Get("redirect_uri"),
		ResponseType:   q.Get("response_type"),
		Scopes:         strings.Fields(q.Get("scope")),
		State:          q.Get("state"),
		OrganizationID: q.Get("organization_id"),

		CodeChallenge:       q.Get("code_challenge"),
		CodeChallengeMethod: q.Get("code_challenge_method"),
	}
	a := s.last

	app, ok := s.apps[a.ClientID]
	if !ok {
		http.Error(w, "crmtest: unknown client_id", http.StatusBadRequest)
		return
	}
	if !app.allows(a.RedirectURL) {
		http.Error(w, "crmtest: redirect_uri is missing or not registered for this client", http.StatusBadRequest)
		return
	}
	fail := func(code, description string) {
		s.redirect(w, r, a.RedirectURL, url.Values{
			"error":             {code},
			"error_description": {description},
			"state":             {a.State},
		})
	}
	switch {
	case a.ResponseType != "code":
		fail("unsupported_response_type", "response_type must be code")
		return
	case len(a.State) < 8:
		fail("invalid_request", "state must be at least 8 characters")
		return
	case len(a.Scopes) == 0:
		fail("invalid_scope", "scope is required")
		return
	case a.OrganizationID != "" && !isUUID(a.OrganizationID):
		fail("invalid_request", "organization_id must be a UUID")
		return
	case a.CodeChallenge == "" && s.requirePKCE:
		fail("invalid_request", "code_challenge is required (PKCE, RFC 7636)")
		return
	case a.CodeChallenge == "" && a.CodeChallengeMethod != "":
		fail("invalid_request", "code_challenge_method without code_challenge")
		return
	case a.CodeChallenge != "" && a.CodeChallengeMethod != "S256":
		fail("invalid_request", "code_challenge_method must be S256")
		return
	case a.CodeChallenge != "" && !validChallenge(a.CodeChallenge):
		fail("invalid_request", "code_challenge must be 43 base64url characters, an S256 hash")
		return
	}
	for _, sc := range a.Scopes {
		if !knownScope(sc) {
			fail("invalid_scope", "unknown scope "+sc)
			return
		}
	}
	if s.consent.Deny {
		desc := s.consent.DenyDescription
		if desc == "" {
			desc = "The resource owner denied the request."
		}
		fail("access_denied", desc)
		return
	}
	granted := a.Scopes
	if s.consent.GrantScopes != nil {
		granted = nil
		for _, sc := range a.Scopes {
			if slices.Contains(s.consent.GrantScopes, sc) {
				granted = append(granted, sc)
			}
		}
	}
	code := newSecret("code_")
	s.codes[code] = &grant{
		clientID:    app.ClientID,
		redirectURL: a.RedirectURL,
		scopes:      slices.Clone(granted),
		expires:     s.nowLocked().Add(CodeLifetime),

		challenge: a.CodeChallenge,
	}
	v := url.Values{"scope": {strings.Join(granted, " ")}, "state": {a.State}}
	if !s.consent.DropCode {
		v.Set("code", code)
	}
	s.redirect(w, r, a.RedirectURL, v)
}

// redirect sends the browser to redirectURL with params added to its query,
// applying the Consent's state tampering. s.mu is held.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, redirectURL string, params url.Values) {
	switch {
	case s.consent.DropState:
		params.Del("state")
	case s.consent.TamperState:
		params.Set("state", params.Get("state")+"-forged")
	}
	u, _ := url.Parse(redirectURL) // allows() parsed it already
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// isUUID reports whether s has the 8-4-4-4-12 hexadecimal form of a UUID.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

// validChallenge reports whether c can be an S256 code challenge: the
// unpadded base64url form of 32 bytes (RFC 7636 section 4.2).
func validChallenge(c string) bool {
	b, err := base64.RawURLEncoding.DecodeString(c)
	return err == nil && len(b) == 32
}

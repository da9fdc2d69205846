package tribetest

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// The grant types of the v1 OAuth2 token endpoint.
const (
	// GrantPassword takes username (email or username) and password.
	GrantPassword = "password"
	// GrantClientCredentials takes exactly one of email, user_id and
	// external_id.
	GrantClientCredentials = "tribe:client_secret_credentials"
	// GrantRefreshToken takes refresh_token; each refresh token works once.
	GrantRefreshToken = "refresh_token"
)

// oauthError is an RFC 6749 section 5.2 error answer.
type oauthError struct {
	status      int
	code        string
	description string
}

func oauthErr(status int, code, description string) *oauthError {
	return &oauthError{status: status, code: code, description: description}
}

func (e *oauthError) response() response {
	body, _ := json.Marshal(struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}{e.code, e.description})
	resp := response{status: e.status, body: body, header: map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache"}}
	if e.status == http.StatusUnauthorized {
		resp.header["WWW-Authenticate"] = `Basic realm="tribetest", charset="UTF-8"`
	}
	return resp
}

// tokenResponse is the endpoint's success answer.
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// serveOAuth answers POST /api/v1/oauth/token.
func (s *Server) serveOAuth(w http.ResponseWriter, r *http.Request, rec *Request) {
	form, oe := readTokenForm(r)
	if oe != nil {
		s.writeOAuthError(w, rec, oe, nil)
		return
	}
	grant := form.Get("grant_type")
	rec.Grant = grant
	rec.Params = redactParams(form)
	basicID, basicSecret, hasBasic := r.BasicAuth()
	if hasBasic {
		rec.Auth = AuthBasic
		// RFC 6749 section 2.3.1: form-encoded before Basic encoding.
		if id, err := url.QueryUnescape(basicID); err == nil {
			basicID = id
		}
		if secret, err := url.QueryUnescape(basicSecret); err == nil {
			basicSecret = secret
		}
		rec.ClientID = basicID
	} else if form.Has("client_id") {
		rec.Auth = AuthBasic
		rec.ClientID = form.Get("client_id")
	}

	f := s.takeFault(grant)
	if f != nil && s.applyFault(w, r, f, rec, func(status int) []byte {
		code := "server_error"
		if status < 500 {
			code = "invalid_request"
		}
		if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
			code = "temporarily_unavailable"
		}
		return oauthErr(status, code, http.StatusText(status)).response().body
	}) {
		return
	}

	tok, oe := s.grant(r, rec, form, grant, hasBasic, basicID, basicSecret)
	if oe != nil {
		s.writeOAuthError(w, rec, oe, f)
		return
	}
	body, _ := json.Marshal(tok)
	writeResponse(w, response{status: http.StatusOK, body: body, header: map[string]string{"Cache-Control": "no-store", "Pragma": "no-cache"}}, f)
}

func (s *Server) writeOAuthError(w http.ResponseWriter, rec *Request, oe *oauthError, f *Fault) {
	rec.ErrorCodes = append(rec.ErrorCodes, oe.code)
	writeResponse(w, oe.response(), f)
}

// readTokenForm reads the form-encoded body of a token request.
func readTokenForm(r *http.Request) (url.Values, *oauthError) {
	if r.Method != http.MethodPost {
		oe := oauthErr(http.StatusBadRequest, "invalid_request", "the token endpoint accepts POST only")
		return nil, oe
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil || len(body) > maxBodyBytes {
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "cannot read the request body")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "the body is not form-encoded")
	}
	for k, v := range form {
		if len(v) > 1 {
			return nil, oauthErr(http.StatusBadRequest, "invalid_request", "parameter "+k+" is repeated")
		}
		if v[0] == "" { // RFC 6749 section 3.2: empty means omitted
			delete(form, k)
		}
	}
	return form, nil
}

// grant authenticates the client and runs the grant.
func (s *Server) grant(r *http.Request, rec *Request, form url.Values, grant string, hasBasic bool, basicID, basicSecret string) (*tokenResponse, *oauthError) {
	if grant == "" {
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "grant_type is required")
	}
	clientID, secret := form.Get("client_id"), form.Get("client_secret")
	switch {
	case hasBasic && form.Has("client_secret"):
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "client credentials both in the Authorization header and in the body")
	case hasBasic && form.Has("client_id") && clientID != basicID:
		return nil, oauthErr(http.StatusBadRequest, "invalid_request", "client_id differs from the Authorization header's")
	case hasBasic:
		clientID, secret = basicID, basicSecret
	}
	if clientID == "" || secret == "" {
		return nil, oauthErr(http.StatusUnauthorized, "invalid_client", "client authentication is required")
	}
	s.mu.Lock()
	app := s.st.appByClient[clientID]
	s.mu.Unlock()
	if app == nil || subtle.ConstantTimeCompare([]byte(secret), []byte(app.app.ClientSecret)) != 1 {
		return nil, oauthErr(http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
	}

	var m *Member
	var nr *netRec
	switch grant {
	case GrantPassword:
		username, password := form.Get("username"), form.Get("password")
		if username == "" || password == "" {
			return nil, oauthErr(http.StatusBadRequest, "invalid_request", "username and password are required")
		}
		var oe *oauthError
		if nr, oe = s.oauthNetwork(app, r.Host); oe != nil {
			return nil, oe
		}
		s.mu.Lock()
		m = nr.byEmail[strings.ToLower(username)]
		if m == nil {
			m = nr.byUsername[strings.ToLower(username)]
		}
		s.mu.Unlock()
		if m == nil || m.Password == "" || subtle.ConstantTimeCompare([]byte(password), []byte(m.Password)) != 1 {
			return nil, oauthErr(http.StatusBadRequest, "invalid_grant", "wrong username or password")
		}
	case GrantClientCredentials:
		n := 0
		for _, k := range []string{"email", "user_id", "external_id"} {
			if form.Has(k) {
				n++
			}
		}
		if n != 1 {
			return nil, oauthErr(http.StatusBadRequest, "invalid_request", "exactly one of email, user_id and external_id is required")
		}
		var oe *oauthError
		if nr, oe = s.oauthNetwork(app, r.Host); oe != nil {
			return nil, oe
		}
		s.mu.Lock()
		switch {
		case form.Has("email"):
			m = nr.byEmail[strings.ToLower(form.Get("email"))]
		case form.Has("user_id"):
			m = s.st.memberIn(nr, form.Get("user_id"))
		default:
			m = nr.byExternal[form.Get("external_id")]
		}
		s.mu.Unlock()
		if m == nil {
			return nil, oauthErr(http.StatusBadRequest, "invalid_grant", "no such user in the community")
		}
	case GrantRefreshToken:
		tok := form.Get("refresh_token")
		if tok == "" {
			return nil, oauthErr(http.StatusBadRequest, "invalid_request", "refresh_token is required")
		}
		g, ok := s.useRefreshToken(tok, app.app.ClientID)
		if !ok {
			return nil, oauthErr(http.StatusBadRequest, "invalid_grant", "unknown, used or revoked refresh token")
		}
		s.mu.Lock()
		if nr = s.st.netByID[g.networkID]; nr != nil {
			m = s.st.memberIn(nr, g.memberID)
		}
		s.mu.Unlock()
		if m == nil {
			return nil, oauthErr(http.StatusBadRequest, "invalid_grant", "the refresh token's member is gone")
		}
	default:
		return nil, oauthErr(http.StatusBadRequest, "unsupported_grant_type", "grant_type "+grant+" is not supported")
	}
	if m.Bot || !canLogIn(m) {
		return nil, oauthErr(http.StatusBadRequest, "invalid_grant", "the member cannot log in (status "+m.Status+")")
	}

	access, err := s.mint(m, nr, app.app.ID)
	if err != nil {
		return nil, oauthErr(http.StatusInternalServerError, "server_error", "cannot sign the token")
	}
	refresh, err := s.newRefreshToken(refreshGrant{clientID: app.app.ClientID, networkID: nr.net.ID, memberID: m.ID})
	if err != nil {
		return nil, oauthErr(http.StatusInternalServerError, "server_error", "cannot make a refresh token")
	}
	rec.MemberID, rec.NetworkID = m.ID, nr.net.ID
	return &tokenResponse{
		TokenType:    "bearer",
		AccessToken:  access,
		ExpiresIn:    int64(s.cfg.lifetime.Seconds()),
		RefreshToken: refresh,
	}, nil
}

// canLogIn reports whether a member may get OAuth tokens.
func canLogIn(m *Member) bool { return m.Status == "VERIFIED" || m.Status == "UNVERIFIED" }

// oauthNetwork is the community a token request is for: the one whose
// domain is the request's Host, else the app's first.
func (s *Server) oauthNetwork(app *appRec, host string) (*netRec, *oauthError) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, nr := range s.st.networks {
		if strings.EqualFold(nr.net.Domain, host) {
			if !app.installed[nr.net.ID] {
				return nil, oauthErr(http.StatusBadRequest, "unauthorized_client", "the app is not installed on this community")
			}
			return nr, nil
		}
	}
	if len(app.app.InstalledOn) == 0 {
		return nil, oauthErr(http.StatusBadRequest, "unauthorized_client", "the app is not installed on any community")
	}
	return s.st.netByID[app.app.InstalledOn[0]], nil
}

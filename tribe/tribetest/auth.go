package tribetest

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"slices"
	"strings"
)

// presentedAuth is the credentials in a request's Authorization header.
type presentedAuth struct {
	basic            bool // a Basic header, well-formed or not
	wellFormed       bool // the Basic header decodes to id:secret
	clientID, secret string
	bearer           string
}

// presentedAuth reads the Authorization header and records its kind.
func (s *Server) presentedAuth(r *http.Request, rec *Request) presentedAuth {
	h := r.Header.Get("Authorization")
	scheme, rest, _ := strings.Cut(h, " ")
	switch {
	case strings.EqualFold(scheme, "Basic"):
		rec.Auth = AuthBasic
		id, secret, ok := r.BasicAuth()
		if !ok {
			return presentedAuth{basic: true}
		}
		rec.ClientID = id
		return presentedAuth{basic: true, wellFormed: true, clientID: id, secret: secret}
	case strings.EqualFold(scheme, "Bearer"):
		rec.Auth = AuthBearer
		return presentedAuth{bearer: strings.TrimSpace(rest)}
	}
	return presentedAuth{}
}

// authState is what a GraphQL request may act as.
type authState struct {
	app    *appRec // valid Basic credentials
	member *Member // valid Bearer token
	net    *netRec
	appID  string
	err    *apiError // why there is no member
}

// basicFields need Basic credentials; bearerFields need a Bearer token.
func needsBasic(fields []string) bool { return slices.Contains(fields, "limitedToken") }

func needsBearer(fields []string) bool {
	return slices.ContainsFunc(fields, func(f string) bool {
		return f != "limitedToken" && !strings.HasPrefix(f, "__")
	})
}

// Why a request's Basic credentials are refused (HTTP 401). These errors
// carry no Tribe code: code 108 says an access token is invalid, and a
// client that mints a new token on 108 would loop on a wrong client secret.
const (
	msgBasicWrong     = "Unauthorized: the client id or secret is wrong"
	msgBasicMalformed = "Unauthorized: the Authorization header is malformed; after the scheme it must hold base64(clientId:clientSecret), RFC 7617 section 2"
	msgBasicMissing   = "Unauthorized: limitedToken needs the app's client id and secret in the Authorization header (HTTP Basic, RFC 7617)"
)

// authenticate checks the presented credentials, into a (the request's,
// zero). A refusal (non-empty) means an HTTP-level 401, with that
// message: bad Basic credentials, or none for limitedToken.
func (s *Server) authenticate(a *authState, r *http.Request, rec *Request, p presentedAuth, gateway *netRec, fields []string) (*authState, string) {
	switch {
	case p.basic && !p.wellFormed:
		return nil, msgBasicMalformed
	case p.basic:
		a.app = s.checkApp(p.clientID, p.secret)
		if a.app == nil {
			return nil, msgBasicWrong
		}
	case needsBasic(fields):
		return nil, msgBasicMissing
	}
	if !needsBearer(fields) {
		return a, ""
	}
	if p.bearer == "" {
		a.err = errInvalidToken()
		return a, ""
	}
	m, nr, appID, passthrough, err := s.verifyBearer(r.Context(), p.bearer)
	if err != nil || (gateway != nil && nr != gateway) {
		a.err = errInvalidToken()
		return a, ""
	}
	a.member, a.net, a.appID = m, nr, appID
	if passthrough {
		rec.Auth = AuthJWTPassthrough
	}
	rec.MemberID, rec.NetworkID = m.ID, nr.net.ID
	if appID != "" {
		s.mu.Lock()
		for _, ar := range s.st.apps {
			if ar.app.ID == appID {
				rec.ClientID = ar.app.ClientID
				break
			}
		}
		s.mu.Unlock()
	}
	return a, ""
}

// checkApp returns the app with these credentials, or nil.
func (s *Server) checkApp(clientID, secret string) *appRec {
	s.mu.Lock()
	ar := s.st.appByClient[clientID]
	s.mu.Unlock()
	if ar == nil || subtle.ConstantTimeCompare([]byte(secret), []byte(ar.app.ClientSecret)) != 1 {
		return nil
	}
	return ar
}

// verifyBearer finds whom a Bearer token acts as: one of the server's own
// tokens, or else a JWT passthrough token.
func (s *Server) verifyBearer(ctx context.Context, token string) (m *Member, nr *netRec, appID string, passthrough bool, err error) {
	claims, err := s.parseOwn(token, true)
	if errors.Is(err, errNotOurs{}) {
		m, nr, err = s.passthrough(ctx, token)
		return m, nr, "", true, err
	}
	if err != nil {
		return nil, nil, "", false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	nr = s.st.netByID[claims.NetworkID]
	if nr != nil {
		m = s.st.memberIn(nr, claims.MemberID)
	}
	if m == nil {
		return nil, nil, "", false, errors.New("tribetest: token for an unknown member")
	}
	return m, nr, claims.AppID, false, nil
}

package tribetest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// tokenIssuer is the iss claim of the server's own tokens.
const tokenIssuer = "tribetest"

// tokenClaims are the claims of the server's access tokens: those the
// official client decodes plus appId, jti and iss.
type tokenClaims struct {
	MemberID      string `json:"id"`
	NetworkID     string `json:"networkId"`
	NetworkDomain string `json:"networkDomain"`
	Role          string `json:"role"`
	RoleID        string `json:"roleId"`
	RoleType      string `json:"roleType"`
	AppID         string `json:"appId,omitempty"`
	jwt.RegisteredClaims
}

// refreshGrant is what a refresh token stands for; the server keeps it
// under the token's SHA-256, never the token itself.
type refreshGrant struct {
	clientID  string
	networkID string
	memberID  string
}

// mint signs an access token for member m of network nr. It takes no lock:
// m and nr's roles and domain never change once stored.
func (s *Server) mint(m *Member, nr *netRec, appID string) (string, error) {
	now := s.Now()
	seq := s.tokenSeq.Add(1)
	role := nr.roleByID[m.RoleID]
	claims := tokenClaims{
		MemberID:      m.ID,
		NetworkID:     nr.net.ID,
		NetworkDomain: nr.net.Domain,
		AppID:         appID,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    tokenIssuer,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.cfg.lifetime)),
			ID:        strconv.FormatUint(seq, 10),
		},
	}
	if role != nil {
		claims.Role, claims.RoleID, claims.RoleType = role.Name, role.ID, role.Type
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	t.Header["kid"] = s.keyID
	signed, err := t.SignedString(s.key)
	if err != nil {
		return "", fmt.Errorf("tribetest: sign token: %w", err)
	}
	return signed, nil
}

// maxVerified bounds the tokens whose signature the server remembers
// having verified; past it, it forgets them all.
const maxVerified = 4096

// errNotOurs means a token is not signed by this server's key id, so it may
// be a JWT passthrough token. (A type, not a package variable.)
type errNotOurs struct{}

func (errNotOurs) Error() string { return "tribetest: not a token of this server" }

// parseOwn verifies one of the server's own tokens: signature, issuer,
// expiry by the server's clock, revocation. With validate false it checks
// the signature only. The claims are read-only: those of a token verified
// before are the cache's.
func (s *Server) parseOwn(token string, validate bool) (*tokenClaims, error) {
	v, cached := s.verified.Load(token)
	if !cached && headerKid(token) != s.keyID {
		return nil, errNotOurs{}
	}
	if cached && validate {
		// Signature, method and issuer verified before (so its kid is
		// ours: the kid is part of the token): the clock and revocation
		// may have changed since.
		c := v.(*tokenClaims)
		now := s.Now()
		switch {
		case c.ExpiresAt == nil || !now.Before(c.ExpiresAt.Time):
			return nil, fmt.Errorf("tribetest: invalid token: %w", jwt.ErrTokenExpired)
		case c.NotBefore != nil && now.Before(c.NotBefore.Time):
			return nil, fmt.Errorf("tribetest: invalid token: %w", jwt.ErrTokenNotValidYet)
		case s.isRevoked(c.RegisteredClaims.ID):
			return nil, errors.New("tribetest: token revoked")
		}
		return c, nil
	}
	var claims tokenClaims
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithTimeFunc(s.Now),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(tokenIssuer),
	}
	if !validate {
		opts = append(opts, jwt.WithoutClaimsValidation())
	}
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.key, nil }, opts...)
	if err != nil {
		return nil, fmt.Errorf("tribetest: invalid token: %w", err)
	}
	if validate && s.isRevoked(claims.RegisteredClaims.ID) {
		return nil, errors.New("tribetest: token revoked")
	}
	if validate {
		if s.verifiedN.Add(1) > maxVerified {
			s.verified.Clear()
			s.verifiedN.Store(0)
		}
		c := claims
		s.verified.Store(token, &c)
	}
	return &claims, nil
}

func (s *Server) isRevoked(jti string) bool {
	seq, err := strconv.ParseUint(jti, 10, 64)
	if err != nil {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, revoked := s.revoked[jti]
	return revoked || seq <= s.revokedUpTo
}

// newRefreshToken stores a refresh grant and returns its token.
func (s *Server) newRefreshToken(g refreshGrant) (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("tribetest: refresh token: %w", err)
	}
	tok := "rt_" + base64.RawURLEncoding.EncodeToString(b[:])
	s.mu.Lock()
	s.refresh[sha256.Sum256([]byte(tok))] = g
	s.mu.Unlock()
	return tok, nil
}

// useRefreshToken consumes a refresh token issued to clientID: each works
// once. Another client's attempt leaves the token in place.
func (s *Server) useRefreshToken(tok, clientID string) (refreshGrant, bool) {
	h := sha256.Sum256([]byte(tok))
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.refresh[h]
	if !ok || g.clientID != clientID {
		return refreshGrant{}, false
	}
	delete(s.refresh, h)
	return g, true
}

// MintToken returns an access token for member memberID of network
// networkID, as limitedToken with impersonateMemberId would, without an
// HTTP request and without the request record. Safe for concurrent use.
func (s *Server) MintToken(networkID, memberID string) (string, error) {
	s.mu.Lock()
	nr := s.st.netByID[networkID]
	var m *Member
	if nr != nil {
		m = s.st.memberIn(nr, memberID)
	}
	s.mu.Unlock()
	if nr == nil {
		return "", fmt.Errorf("tribetest: MintToken: unknown network %q; give the id of one of the server's networks", clip(networkID))
	}
	if m == nil {
		return "", fmt.Errorf("tribetest: MintToken: network %q has no member %q; give the id of one of its members", clip(networkID), clip(memberID))
	}
	return s.mint(m, nr, "")
}

// Revoke makes an access token or a refresh token of this server invalid:
// an access token then answers code 108, a refresh token invalid_grant.
// It reports an error for a string that is neither. Safe for concurrent
// use.
func (s *Server) Revoke(token string) error {
	h := sha256.Sum256([]byte(token))
	s.mu.Lock()
	if _, ok := s.refresh[h]; ok {
		delete(s.refresh, h)
		s.mu.Unlock()
		return nil
	}
	s.mu.Unlock()
	claims, err := s.parseOwn(token, false)
	if err != nil {
		if inner := errors.Unwrap(err); inner != nil {
			err = inner // the JWT library's, without parseOwn's prefix
		}
		return fmt.Errorf("tribetest: Revoke: not a token of this server (%w); pass an access or refresh token it issued", err)
	}
	s.mu.Lock()
	s.revoked[claims.RegisteredClaims.ID] = struct{}{}
	s.mu.Unlock()
	return nil
}

// RevokeAll makes every access and refresh token issued so far invalid;
// tokens issued afterwards work. Safe for concurrent use.
func (s *Server) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revokedUpTo = s.tokenSeq.Load()
	clear(s.refresh)
}

// Now is the server's current time: the clock ([WithClock], default
// time.Now) plus every [Server.Advance]. Tokens are issued and checked by
// it. Safe for concurrent use.
func (s *Server) Now() time.Time {
	return s.cfg.clock().Add(time.Duration(s.offset.Load()))
}

// Advance moves the server's clock forward by d (back, if negative), so
// tests can make tokens expire without sleeping. Safe for concurrent use.
func (s *Server) Advance(d time.Duration) {
	s.offset.Add(int64(d))
}

// headerKid is the kid in a JWT's header, or "".
func headerKid(token string) string {
	header, _, ok := strings.Cut(token, ".")
	if !ok {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		return ""
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if json.Unmarshal(raw, &h) != nil {
		return ""
	}
	return h.Kid
}

// keyID names a signing key in the kid header of the server's tokens.
func keyID(key []byte) string {
	sum := sha256.Sum256(key)
	return "tribetest-" + hex.EncodeToString(sum[:8])
}

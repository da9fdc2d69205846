package tribetest

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// JWT passthrough: a product's own JWT used as a
// Bearer token on a network configured with [JWTConfig].

// passthroughClaims are the claims a product's JWT carries.
type passthroughClaims struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	jwt.RegisteredClaims
}

// Signing algorithms accepted per kind of key.
func rsaMethods() []string { return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"} }
func ecMethods() []string  { return []string{"ES256", "ES384", "ES512"} }

// newPassthroughKey checks and parses a JWTConfig.
// minHS256Secret is the shortest HS256 secret accepted, the length of the
// hash (RFC 7518 section 3.2), as package passthrough's Signer requires.
const minHS256Secret = 32

func newPassthroughKey(cfg JWTConfig) (*passthroughKey, error) {
	n := 0
	for _, set := range []bool{cfg.HS256Secret != "", cfg.PublicKeyPEM != "", cfg.JWKSURL != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, errors.New("exactly one of hs256Secret, publicKeyPem and jwksUrl is required; set one of them")
	}
	k := &passthroughKey{cfg: cfg}
	switch {
	case cfg.HS256Secret != "":
		if len(cfg.HS256Secret) < minHS256Secret {
			return nil, fmt.Errorf("hs256Secret is %d bytes; HS256 needs at least %d (RFC 7518 section 3.2), as tribe-token jwt sign does: give a longer random secret", len(cfg.HS256Secret), minHS256Secret)
		}
		k.secret = []byte(cfg.HS256Secret)
	case cfg.PublicKeyPEM != "":
		pub, err := parsePublicKeyPEM([]byte(cfg.PublicKeyPEM))
		if err != nil {
			return nil, err
		}
		k.public = pub
	default:
		u, err := url.Parse(cfg.JWKSURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, errors.New("jwksUrl is not an absolute http or https URL; give one such as https://product.example.com/.well-known/jwks.json")
		}
		k.jwksURL = cfg.JWKSURL
	}
	return k, nil
}

// parsePublicKeyPEM parses an RSA or EC public key: PKIX, PKCS #1 or a
// certificate.
func parsePublicKeyPEM(data []byte) (any, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("publicKeyPem holds no PEM block; give an RSA or EC public key in PEM (-----BEGIN PUBLIC KEY-----)")
	}
	var pub any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			pub = cert.PublicKey
		}
	default:
		return nil, fmt.Errorf("publicKeyPem: unsupported PEM block %q; give a PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE block", clip(block.Type))
	}
	if err != nil {
		return nil, fmt.Errorf("publicKeyPem: %w; give an RSA or EC public key in PEM", err)
	}
	switch pub.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
		return pub, nil
	}
	return nil, fmt.Errorf("publicKeyPem: a %T is neither an RSA nor an EC key; give an RSA or EC public key", pub)
}

// passthrough verifies token against the networks with passthrough, in
// order, skipping those whose Issuer differs from the token's iss, and
// returns the member it acts as.
func (s *Server) passthrough(ctx context.Context, token string) (*Member, *netRec, error) {
	var unverified passthroughClaims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &unverified); err != nil {
		return nil, nil, fmt.Errorf("tribetest: passthrough: %w", err)
	}
	s.mu.Lock()
	var candidates []*netRec
	for _, nr := range s.st.networks {
		if nr.jwt != nil && (nr.jwt.cfg.Issuer == "" || nr.jwt.cfg.Issuer == unverified.Issuer) {
			candidates = append(candidates, nr)
		}
	}
	s.mu.Unlock()
	var errs []error
	for _, nr := range candidates {
		claims, err := s.verifyPassthrough(ctx, nr.jwt, token)
		if err != nil {
			errs = append(errs, fmt.Errorf("network %s: %w", nr.net.ID, err))
			continue
		}
		m, err := s.passthroughMember(nr, claims)
		if err != nil {
			return nil, nil, err
		}
		return m, nr, nil
	}
	if len(errs) == 0 {
		return nil, nil, errors.New("tribetest: passthrough: no network accepts this token")
	}
	err := fmt.Errorf("tribetest: passthrough: %w", errors.Join(errs...))
	if l := s.cfg.logger; l != nil {
		l.WarnContext(ctx, "tribetest: JWT passthrough token refused", "error", err.Error())
	}
	return nil, nil, err
}

// verifyPassthrough checks token's signature with k and its claims: exp
// and nbf if present, iat not in the future, iss if configured, sub set.
func (s *Server) verifyPassthrough(ctx context.Context, k *passthroughKey, token string) (*passthroughClaims, error) {
	var methods []string
	switch pub := k.public.(type) {
	case *rsa.PublicKey:
		methods = rsaMethods()
	case *ecdsa.PublicKey:
		methods = ecMethods()
	case nil:
		if k.secret != nil {
			methods = []string{"HS256"}
		} else {
			methods = append(rsaMethods(), ecMethods()...)
		}
	default:
		return nil, fmt.Errorf("unsupported key %T", pub)
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods(methods), jwt.WithTimeFunc(s.Now), jwt.WithIssuedAt()}
	if k.cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(k.cfg.Issuer))
	}
	var claims passthroughClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		switch {
		case k.secret != nil:
			return k.secret, nil
		case k.public != nil:
			return k.public, nil
		}
		kid, _ := t.Header["kid"].(string)
		keys, err := s.jwksKeys(ctx, k.jwksURL, kid)
		if err != nil {
			return nil, err
		}
		set := jwt.VerificationKeySet{}
		for _, key := range keys {
			if (kid == "" || key.kid == kid) && key.fits(t.Method.Alg()) {
				set.Keys = append(set.Keys, key.key)
			}
		}
		if len(set.Keys) == 0 {
			return nil, fmt.Errorf("no key in the JWKS for kid %q and alg %s", kid, t.Method.Alg())
		}
		return set, nil
	}, opts...)
	if err != nil {
		return nil, err
	}
	if claims.Subject == "" {
		return nil, errors.New("the token has no sub claim")
	}
	return &claims, nil
}

// passthroughMember is the member a verified token acts as: known by
// external id (sub), else by email, else created from the claims.
func (s *Server) passthroughMember(nr *netRec, c *passthroughClaims) (*Member, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := nr.byExternal[c.Subject]; m != nil {
		return m, nil
	}
	if c.Email != "" {
		if m := nr.byEmail[strings.ToLower(c.Email)]; m != nil {
			return m, nil
		}
	}
	now := s.Now()
	nr.created++
	m := Member{
		ID:         fmt.Sprintf("%s-jwt-%d", nr.net.ID, nr.created),
		Name:       c.Name,
		Email:      c.Email,
		ExternalID: c.Subject,
		RoleID:     nr.jwt.cfg.DefaultRoleID,
		Status:     "VERIFIED",
		CreatedAt:  now,
		UpdatedAt:  now,
		VerifiedAt: now,
	}
	for s.st.members[m.ID] != nil {
		nr.created++
		m.ID = fmt.Sprintf("%s-jwt-%d", nr.net.ID, nr.created)
	}
	base := usernameFrom(c)
	m.Username = base
	for i := 2; nr.byUsername[strings.ToLower(m.Username)] != nil; i++ {
		m.Username = fmt.Sprintf("%s%d", base, i)
	}
	p, err := s.st.addMember(nr, m)
	if err != nil {
		return nil, fmt.Errorf("tribetest: passthrough: create member: %w", err)
	}
	return p, nil
}

// usernameFrom makes a username from a token's email, name or sub.
func usernameFrom(c *passthroughClaims) string {
	notAllowed := regexp.MustCompile(`[^a-z0-9._-]+`)
	for _, candidate := range []string{strings.SplitN(c.Email, "@", 2)[0], c.Name, c.Subject} {
		u := notAllowed.ReplaceAllString(strings.ToLower(candidate), "")
		if u != "" {
			return u
		}
	}
	return "member"
}

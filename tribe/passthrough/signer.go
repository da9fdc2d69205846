package passthrough

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/pem"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

// DefaultLifetime is how long a JWT a [Signer] signs stays valid when its
// Lifetime is zero: short, as Tribe's JWT SSO guide recommends (https://developers.tribe.so/docs/jwt-sso).
const DefaultLifetime = 60 * time.Second

// minHMACSecret is the shortest HS256 secret a Signer takes: RFC 7518
// section 3.2 asks for a key at least as long as the hash, 256 bits.
const minHMACSecret = 32

// minRSABits is the smallest RSA key a Signer takes (RFC 7518 section 3.3).
const minRSABits = 2048

// User is the user a [Signer] signs a JWT for: the claims Tribe reads
// (Tribe's v1 API reference, Authentication: JWT Access Token). All three fields are required.
type User struct {
	// ID is the user's id in your product, the sub claim; Tribe stores it
	// as the member's externalId.
	ID string
	// Name is the user's display name, the name claim.
	Name string
	// Email is the user's email address, the email claim.
	Email string
}

// Signer mints JWTs for products that do not issue their own yet, for
// Tribe's JWT passthrough (Tribe's v1 API reference, Authentication: JWT Access Token): each carries sub, name,
// email, iat and exp. Give it exactly one key: Secret for HS256 (configure
// the same secret on the community), or PrivateKey, an RSA key (RS256) or
// an EC key (ES256, ES384 or ES512 by curve), whose public half Tribe reads
// from a PEM or from a JWKS ([Signer.JWK], [JWKSHandler]).
//
// Its methods are safe for concurrent use as long as the fields are not
// changed meanwhile. String and GoString hide the keys.
type Signer struct {
	// Secret is an HS256 secret of at least 32 bytes (RFC 7518 section 3.2).
	Secret []byte
	// PrivateKey is an *rsa.PrivateKey of at least 2048 bits or an
	// *ecdsa.PrivateKey on P-256, P-384 or P-521; see [ParsePrivateKeyPEM].
	PrivateKey crypto.Signer
	// KeyID is the kid header of JWTs signed with PrivateKey; empty means
	// the key's RFC 7638 thumbprint, as [Signer.JWK] publishes it. Unused
	// with Secret.
	KeyID string
	// Lifetime is how long each JWT is valid, in whole seconds (JWT times
	// are); zero means [DefaultLifetime]. It must be at least 2s.
	Lifetime time.Duration

	now func() time.Time // for tests; nil means time.Now
}

// String describes the signer without its key.
func (s Signer) String() string {
	key := "unset"
	switch {
	case s.Secret != nil && s.PrivateKey != nil:
		key = "Secret and PrivateKey both set"
	case s.Secret != nil:
		key = "HS256 secret [REDACTED]"
	case s.PrivateKey != nil:
		key = fmt.Sprintf("%T [REDACTED]", s.PrivateKey)
	}
	return fmt.Sprintf("tribe.Signer{Key: %s, KeyID: %q, Lifetime: %s}", key, s.KeyID, s.Lifetime)
}

// GoString is String, so %#v hides the key too.
func (s Signer) GoString() string { return s.String() }

// signing is a Signer's checked settings.
type signing struct {
	method   jwt.SigningMethod
	key      any
	kid      string
	lifetime time.Duration
	now      func() time.Time
}

// check checks the signer's settings.
func (s *Signer) check() (*signing, error) {
	if s == nil {
		return nil, invalidf("nil *Signer")
	}
	g := &signing{lifetime: s.Lifetime, now: s.now}
	if g.now == nil {
		g.now = time.Now
	}
	switch {
	case g.lifetime == 0:
		g.lifetime = DefaultLifetime
	case g.lifetime < 2*time.Second:
		return nil, invalidf("Signer.Lifetime %s is under two seconds; give a lifetime such as %s, or zero for that default", s.Lifetime, DefaultLifetime)
	}
	g.lifetime = g.lifetime.Truncate(time.Second)
	switch {
	case s.Secret != nil && s.PrivateKey != nil:
		return nil, invalidf("Signer.Secret and Signer.PrivateKey are both set; set Secret for HS256 or PrivateKey for RS256/ES256, not both")
	case s.Secret != nil:
		if len(s.Secret) < minHMACSecret {
			return nil, invalidf("Signer.Secret is %d bytes; HS256 needs at least %d (RFC 7518 section 3.2), so use a longer random secret", len(s.Secret), minHMACSecret)
		}
		g.method, g.key = jwt.SigningMethodHS256, s.Secret
		return g, nil
	case s.PrivateKey != nil:
		m, err := signingMethod(s.PrivateKey.Public())
		if err != nil {
			return nil, invalidf("Signer.PrivateKey: %v", err)
		}
		g.method, g.key, g.kid = m, s.PrivateKey, s.KeyID
		if g.kid == "" {
			if g.kid, err = Thumbprint(s.PrivateKey.Public()); err != nil {
				return nil, err
			}
		}
		return g, nil
	}
	return nil, invalidf("the Signer has no key; set Signer.Secret to an HS256 secret or Signer.PrivateKey to an RSA or EC private key (see ParsePrivateKeyPEM)")
}

// signingMethod returns the JWS algorithm for a public key: RS256 for RSA,
// ES256, ES384 or ES512 for EC by curve (RFC 7518 section 3.1).
func signingMethod(pub crypto.PublicKey) (jwt.SigningMethod, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N == nil || k.N.BitLen() < minRSABits {
			return nil, fmt.Errorf("the RSA key is too small; use one of at least %d bits (RFC 7518 section 3.3)", minRSABits)
		}
		return jwt.SigningMethodRS256, nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return jwt.SigningMethodES256, nil
		case elliptic.P384():
			return jwt.SigningMethodES384, nil
		case elliptic.P521():
			return jwt.SigningMethodES512, nil
		}
		return nil, fmt.Errorf("the EC key's curve is not P-256, P-384 or P-521, which JWS signs with (RFC 7518 section 3.4)")
	}
	return nil, fmt.Errorf("the key is a %T; give an RSA or EC key", pub)
}

// Sign returns a JWT for user, signed now and valid for the signer's
// Lifetime, with the claims sub, name, email, iat and exp, and a kid header
// when signed with PrivateKey. Bad settings or a user missing a field are
// refused with [tribe.ErrInvalidInput].
func (s *Signer) Sign(user User) (string, error) {
	g, err := s.check()
	if err != nil {
		return "", err
	}
	tok, err := g.sign(user)
	if err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

// TokenSource checks the settings and user, then returns a token source
// that signs a JWT for user and reuses it until a quarter of its lifetime
// (at most 10 s) is left, then signs a new one.
// Use it with [tribe.NewClient]. The source is safe for concurrent use.
func (s *Signer) TokenSource(user User) (oauth2.TokenSource, error) {
	g, err := s.check()
	if err != nil {
		return nil, err
	}
	if err := user.check(); err != nil {
		return nil, err
	}
	// Re-sign when a quarter of the lifetime, at most 10 s, is left. The
	// tokens carry this margin, so a Client's check of them agrees even
	// for lifetimes of 10 s or less.
	early := min(g.lifetime/4, 10*time.Second)
	return oauth2.ReuseTokenSourceWithExpiry(nil, &signerSource{g: g, user: user}, early), nil
}

// check reports every empty field of the user at once.
func (u User) check() error {
	var missing []string
	for _, f := range []struct{ name, v string }{{"ID", u.ID}, {"Name", u.Name}, {"Email", u.Email}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return invalidf("the JWT's user has no %s; set User.ID (the user's id in your product, the sub claim), Name and Email", strings.Join(missing, ", "))
	}
	if !strings.Contains(u.Email, "@") {
		return invalidf("User.Email %q is not an email address", u.Email)
	}
	return nil
}

// sign signs a JWT for user.
func (g *signing) sign(user User) (*oauth2.Token, error) {
	if err := user.check(); err != nil {
		return nil, err
	}
	// JWT times are whole seconds: iat is now rounded down, and exp and
	// the token's Expiry are the same whole second.
	now := g.now().Truncate(time.Second)
	exp := now.Add(g.lifetime)
	t := jwt.NewWithClaims(g.method, jwt.MapClaims{
		"sub":   user.ID,
		"name":  user.Name,
		"email": user.Email,
		"iat":   now.Unix(),
		"exp":   exp.Unix(),
	})
	if g.kid != "" {
		t.Header["kid"] = g.kid
	}
	signed, err := t.SignedString(g.key)
	if err != nil {
		return nil, fmt.Errorf("passthrough: signing a JWT for %s with %s: %w", user.ID, g.method.Alg(), err)
	}
	return &oauth2.Token{AccessToken: signed, TokenType: "Bearer", Expiry: exp}, nil
}

// signerSource signs a new JWT on every call; it is never changed after it
// is made.
type signerSource struct {
	g    *signing
	user User
}

// Token signs a JWT.
func (s *signerSource) Token() (*oauth2.Token, error) { return s.g.sign(s.user) }

// ParsePrivateKeyPEM reads an RSA or EC private key for a [Signer] from PEM:
// PKCS #1 ("RSA PRIVATE KEY"), SEC 1 ("EC PRIVATE KEY", an "EC PARAMETERS"
// block before it is skipped) or PKCS #8 ("PRIVATE KEY"). Encrypted keys
// are refused; decrypt them first (openssl pkey -in key.pem). Its errors
// never hold the key.
func ParsePrivateKeyPEM(data []byte) (crypto.Signer, error) {
	rest := data
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, invalidf("no PEM private key found; give a PEM file that starts with -----BEGIN PRIVATE KEY----- (or RSA PRIVATE KEY, EC PRIVATE KEY)")
		}
		if _, encrypted := block.Headers["Proc-Type"]; encrypted || block.Type == "ENCRYPTED PRIVATE KEY" {
			return nil, invalidf("the PEM private key is encrypted; decrypt it first (openssl pkey -in key.pem -out plain.pem)")
		}
		one := pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: block.Bytes})
		var (
			key crypto.Signer
			err error
		)
		switch block.Type {
		case "EC PARAMETERS":
			continue
		case "RSA PRIVATE KEY":
			key, err = jwt.ParseRSAPrivateKeyFromPEM(one)
		case "EC PRIVATE KEY":
			key, err = jwt.ParseECPrivateKeyFromPEM(one)
		case "PRIVATE KEY":
			if key, err = jwt.ParseRSAPrivateKeyFromPEM(one); err != nil {
				key, err = jwt.ParseECPrivateKeyFromPEM(one)
			}
		case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
			return nil, invalidf("the PEM holds a %s, not a private key; the signer needs the private key (Tribe gets the public one)", strings.ToLower(block.Type))
		default:
			return nil, invalidf("the PEM block is a %q, not a private key", block.Type)
		}
		if err != nil {
			return nil, invalidf("the PEM %s is not an RSA or EC private key that can be read (Ed25519 and other kinds are not supported)", strings.ToLower(block.Type))
		}
		if _, err := signingMethod(key.Public()); err != nil {
			return nil, invalidf("%v", err)
		}
		return key, nil
	}
}

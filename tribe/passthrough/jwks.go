package passthrough

import (
	"crypto"
	"encoding/json"
	"net/http"

	"github.com/tribekit/tribekit/internal/jwk"
)

// JWK is a public key as a JSON Web Key (RFC 7517 section 4; RFC 7518
// section 6): kty "RSA" with n and e, or kty "EC" with crv, x and y. Its
// fields, each the JWK member of that name in lower case, are Kty ("RSA"
// or "EC"), Use ("sig"), Alg (e.g. "RS256", "ES256"), Kid (the key id JWTs
// name in their kid header), N and E (the RSA modulus and public exponent,
// base64url), Crv ("P-256", "P-384" or "P-521") and X and Y (the EC
// coordinates, base64url, full length). It never holds private key
// material. A JWK is a plain value, safe to share.
type JWK jwk.Key

// JWKSet is a JWK Set document (RFC 7517 section 5), what a JWKS URL serves.
type JWKSet struct {
	Keys []JWK `json:"keys"`
}

// NewJWK returns pub, an *rsa.PublicKey or *ecdsa.PublicKey, as a signing
// JWK with the algorithm a [Signer] uses for it. kid empty means the key's
// RFC 7638 thumbprint ([Thumbprint]).
func NewJWK(pub crypto.PublicKey, kid string) (JWK, error) {
	m, err := signingMethod(pub)
	if err != nil {
		return JWK{}, invalidf("%v", err)
	}
	k, err := jwk.New(pub, m.Alg(), kid)
	if err != nil {
		return JWK{}, invalidf("%v", err)
	}
	return JWK(k), nil
}

// Thumbprint returns the RFC 7638 SHA-256 thumbprint of an RSA or EC
// public key, base64url-encoded: a stable key id.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	k, err := NewJWK(pub, "-")
	if err != nil {
		return "", err
	}
	return jwk.Key(k).Thumbprint(), nil
}

// PublicKey decodes the JWK into an *rsa.PublicKey or *ecdsa.PublicKey,
// checking that an EC point is on its curve and an RSA modulus has at most
// 8192 bits.
func (k JWK) PublicKey() (crypto.PublicKey, error) {
	pub, err := jwk.Key(k).PublicKey()
	if err != nil {
		return nil, invalidf("JWK %q: %v", k.Kid, err)
	}
	return pub, nil
}

// JWK returns the public half of the signer's PrivateKey as a JWK whose kid
// is the one the signer puts in its JWTs' headers. A signer with an HS256
// Secret has no public key to publish, and is refused with [tribe.ErrInvalidInput].
func (s *Signer) JWK() (JWK, error) {
	g, err := s.check()
	if err != nil {
		return JWK{}, err
	}
	if s.PrivateKey == nil {
		return JWK{}, invalidf("the signer uses an HS256 secret, which has no public key to publish; configure the same secret on the community instead")
	}
	return NewJWK(s.PrivateKey.Public(), g.kid)
}

// JWKSHandler returns an http.Handler that serves keys as a JWK Set (RFC
// 7517 section 5) to GET and HEAD, as application/json: the JWKS URL to give
// Tribe's "JWT Authorization" app (Tribe's v1 API reference, Authentication: JWT Access Token). Other methods get
// 405. The document is built once; the handler is safe for concurrent use.
func JWKSHandler(keys ...JWK) http.Handler {
	return &jwksHandler{set: JWKSet{Keys: append([]JWK{}, keys...)}}
}

// jwksHandler serves a JWK Set that is never changed after it is made.
type jwksHandler struct {
	set JWKSet
}

// ServeHTTP serves the JWK Set.
func (h *jwksHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := json.Marshal(h.set)
	if err != nil {
		http.Error(w, "encoding the JWK Set failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

package redact

import "strings"

// SecretName reports whether a parameter, variable or object member named
// name may hold a secret, so that a record of requests keeps [Marker] in
// place of its value: a name that mentions a secret, a password, a token
// or an assertion (client_secret, newPassword, refresh_token,
// client_assertion, RFC 7521), and the names that carry a credential under
// another word: an authorization header, an authorization code and its
// PKCE verifier (RFC 6749 section 4.1, RFC 7636). Case does not count.
// Every name whose value [String] removes from text is one.
func SecretName(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "code", "code_verifier":
		return true
	}
	for _, w := range []string{"secret", "password", "passwd", "token", "assertion"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

package redact

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSecretName: names of credentials in every case are secret names,
// every credential name String knows among them, and ordinary names are
// not.
func TestSecretName(t *testing.T) {
	for _, name := range []string{"client_secret", "clientSecret", "PASSWORD", "newPassword", "passwd", "refresh_token",
		"accessToken", "id_token", "client_assertion", "assertion", "authorization", "Authorization", "code", "Code", "code_verifier"} {
		assert.True(t, SecretName(name), name)
	}
	for _, name := range strings.Split(credentialNames, "|") {
		assert.True(t, SecretName(name), "a name String redacts: %s", name)
	}
	for _, name := range []string{"", "grant_type", "client_id", "username", "redirect_uri", "limit", "codes", "authorize"} {
		assert.False(t, SecretName(name), name)
	}
}

package cmdutil

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe"
)

func TestAppFlagsRefused(t *testing.T) {
	unauthorized := &tribe.HTTPError{Operation: "limitedToken", StatusCode: 401}
	tests := []struct {
		name     string
		app      AppFlags
		env      map[string]string
		ep       Endpoint
		want     string
		notWants []string
	}{
		{"both from the environment", AppFlags{}, map[string]string{"TRIBE_CLIENT_ID": "id", "TRIBE_CLIENT_SECRET": "s3cret-value"}, Endpoint{},
			"check the client id and secret (from TRIBE_CLIENT_ID / TRIBE_CLIENT_SECRET)", []string{"s3cret-value", "URL"}},
		{"flag and file", AppFlags{ClientID: "id", SecretFile: "secret.txt"}, nil, Endpoint{},
			"check the client id and secret (from --client-id / --client-secret-file secret.txt)", []string{"TRIBE_CLIENT_SECRET"}},
		{"both in the URL", AppFlags{}, nil, Endpoint{URL: "http://id:wrong-secret@127.0.0.1:1/graphql", Source: "--endpoint"},
			"the client id and secret in the URL of --endpoint http://127.0.0.1:1/graphql were refused; check the credentials in that URL", []string{"wrong-secret", "set TRIBE_CLIENT"}},
		{"the secret in the URL of a variable", AppFlags{}, map[string]string{"TRIBE_CLIENT_ID": "id"}, Endpoint{URL: "http://:wrong-secret@127.0.0.1:1/graphql", Source: "TRIBE_ENDPOINT"},
			"the client secret in the URL of TRIBE_ENDPOINT=http://127.0.0.1:1/graphql (from the environment) was refused, with the client id from TRIBE_CLIENT_ID", []string{"wrong-secret"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.app.SecretFile != "" {
				dir := t.TempDir()
				require.NoError(t, os.WriteFile(filepath.Join(dir, tc.app.SecretFile), []byte("s3cret-value\n"), 0o600))
				t.Chdir(dir)
			}
			f := New(nil, nil, nil, func(k string) string { return tc.env[k] })
			var m Missing
			_, _, err := tc.app.credentialsFor(f, tc.ep, &m)
			assert.NoError(t, err)
			assert.NoError(t, m.Err(""), "nothing missing")
			got := tc.app.explainRefused(unauthorized)
			assert.ErrorIs(t, got, tribe.ErrUnauthorized)
			assert.Contains(t, got.Error(), tc.want)
			for _, nw := range tc.notWants {
				assert.NotContains(t, got.Error(), nw)
			}
		})
	}
	t.Run("other errors are kept", func(t *testing.T) {
		other := errors.New("tribe: something else")
		assert.Same(t, other, (&AppFlags{}).explainRefused(other))
	})
}

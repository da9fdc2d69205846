package login

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/crm/shared"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/crm"
)

func TestNewCmdLogin(t *testing.T) {
	scopes := []string{crm.ScopeRead, crm.ScopeWrite, crm.ScopeOffline}
	def := Options{CRM: shared.Flags{Scopes: scopes}, Wait: 5 * time.Minute}
	cmdtest.RunFlagTable(t, NewCmdLogin, []cmdtest.FlagCase[Options]{
		{Name: "nothing", Want: def},
		{Name: "every flag", Args: []string{"--port", "8765", "--organization", "0f8fad5b-d9cb-469f-a165-70867728950e", "--open", "--allow-narrower-scopes", "--wait", "2m",
			"--redirect-url", "http://localhost:8765/callback", "--store", "t.json", "--client-id", "c"},
			Want: Options{Port: 8765, Organization: "0f8fad5b-d9cb-469f-a165-70867728950e", Open: true, AllowNarrowerScopes: true, Wait: 2 * time.Minute,
				CRM: shared.Flags{RedirectURL: "http://localhost:8765/callback", Store: "t.json", ClientID: "c", Scopes: scopes}}},
		{Name: "zero wait", Args: []string{"--wait", "0s"}, WantErr: "--wait 0s is not positive"},
		{Name: "negative wait", Args: []string{"--wait", "-1s"}, WantErr: "--wait -1s is not positive"},
		{Name: "port out of range", Args: []string{"--port", "70000"}, WantErr: "--port 70000 is out of range"},
		{Name: "negative port", Args: []string{"--port", "-1"}, WantErr: "--port -1 is out of range"},
		{Name: "organization not a uuid", Args: []string{"--organization", "acme"}, WantErr: `--organization "acme" is not a UUID`},
		{Name: "https redirect", Args: []string{"--redirect-url", "https://127.0.0.1/cb"}, WantErr: "--redirect-url must be a plain http URL on 127.0.0.1"},
		{Name: "remote redirect", Args: []string{"--redirect-url", "http://app.example/cb"}, WantErr: "--redirect-url must be"},
		{Name: "scope with a space", Args: []string{"--scope", "a b"}, WantErr: "--scope"},
	})
}

func TestIsUUID(t *testing.T) {
	for s, want := range map[string]bool{
		"0f8fad5b-d9cb-469f-a165-70867728950e": true,
		"0F8FAD5B-D9CB-469F-A165-70867728950E": true,
		"0f8fad5b-d9cb-469f-a165-70867728950":  false,
		"0f8fad5bd9cb469fa16570867728950e":     false,
		"0f8fad5b-d9cb-469f-a165-70867728950g": false,
		"":                                     false,
	} {
		assert.Equal(t, want, isUUID(s), s)
	}
}

// TestBrowserEnvKeepsOnlyHarmless: no TRIBE_* variable, none named like a
// secret's and none holding a secret of the run reaches the browser.
func TestBrowserEnvKeepsOnlyHarmless(t *testing.T) {
	f := &cmdutil.Factory{Environ: func() []string { return []string{"TRIBE_X=1", "PATH=/bin", "MY_TOKEN=x", "OTHER=s3cret-value"} }}
	f.AddSecret("s3cret-value")
	assert.Equal(t, []string{"PATH=/bin"}, BrowserEnv(f))
}

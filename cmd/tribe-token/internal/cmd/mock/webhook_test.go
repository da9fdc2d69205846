package mock

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/tribetest"
)

func TestNewCmdMockWebhookFlags(t *testing.T) {
	def := Options{Addr: "127.0.0.1:0", Output: "text", ListLength: 2, PageTotal: 20}
	with := func(url, file string) Options { o := def; o.WebhookURL, o.WebhookSecretFile = url, file; return o }
	cmdtest.RunFlagTable(t, NewCmdMock, []cmdtest.FlagCase[Options]{
		{Name: "webhook url", Args: []string{"--webhook-url", "http://127.0.0.1:9/webhook"}, Want: with("http://127.0.0.1:9/webhook", "")},
		{Name: "and a secret file", Args: []string{"--webhook-url", "https://app.example/wh", "--webhook-secret-file", "s.txt"}, Want: with("https://app.example/wh", "s.txt")},
		{Name: "not a URL", Args: []string{"--webhook-url", "127.0.0.1:9"}, WantErr: `--webhook-url "127.0.0.1:9" is not an http or https URL`},
		{Name: "no host", Args: []string{"--webhook-url", "http:///x"}, WantErr: "is not an http or https URL with a host"},
		{Name: "a secret file alone", Args: []string{"--webhook-secret-file", "s.txt"}, WantErr: "--webhook-secret-file without --webhook-url"},
	})
}

func TestWebhookSecretOutput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		info   Info
		format string
		want   []string
		not    []string
	}{
		{"text with --print-credentials", Info{WebhookSecret: "whsec-1"}, cmdutil.OutText, []string{"webhook_secret=whsec-1\n"}, nil},
		{"text without", Info{}, cmdutil.OutText, nil, []string{"webhook_secret"}},
		{"json with", Info{WebhookSecret: "whsec-1"}, cmdutil.OutJSON, []string{`"webhook_secret":"whsec-1"`}, nil},
		{"env with", Info{WebhookSecret: "whsec-1"}, cmdutil.OutEnv, []string{"export TRIBE_WEBHOOK_SECRET='whsec-1'\n"}, []string{" TRIBE_WEBHOOK_SECRET "}},
		{"env of a random one without", Info{}, cmdutil.OutEnv, []string{" TRIBE_WEBHOOK_SECRET "}, []string{"export TRIBE_WEBHOOK_SECRET"}},
		{"env of a supplied one", Info{suppliedWebhookSecret: "mine"}, cmdutil.OutEnv, []string{"export TRIBE_WEBHOOK_SECRET='mine'\n"}, []string{" TRIBE_WEBHOOK_SECRET "}},
		{"text of a supplied one without", Info{suppliedWebhookSecret: "mine"}, cmdutil.OutText, nil, []string{"mine"}},
		{"json of a supplied one without", Info{suppliedWebhookSecret: "mine"}, cmdutil.OutJSON, nil, []string{"mine"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			require.NoError(t, tc.info.write(&b, tc.format))
			for _, w := range tc.want {
				assert.Contains(t, b.String(), w)
			}
			for _, n := range tc.not {
				assert.NotContains(t, b.String(), n)
			}
		})
	}
}

func TestWebhookOption(t *testing.T) {
	f, _, _ := cmdtest.Factory(nil, "")
	f.Getenv = func(k string) string {
		if k == webhookSecretEnv {
			return "from-env"
		}
		return ""
	}
	h, err := webhookOption(f, &Options{WebhookURL: "http://127.0.0.1:9/wh"}, tribetest.DefaultFixtures())
	require.NoError(t, err)
	assert.Equal(t, "from-env", h.secret)
	assert.True(t, h.supplied)

	f.Getenv = func(string) string { return "" }
	h, err = webhookOption(f, &Options{WebhookURL: "http://127.0.0.1:9/wh"}, tribetest.DefaultFixtures())
	require.NoError(t, err)
	assert.False(t, h.supplied)
	assert.True(t, strings.HasPrefix(h.secret, "whsec-"), "a random secret")
	assert.Contains(t, f.Secrets(), h.secret, "kept out of error lines")

	_, err = webhookOption(f, &Options{WebhookURL: "http://127.0.0.1:9/wh"}, &tribetest.Fixtures{})
	assert.ErrorContains(t, err, "the fixtures have no app")
}

package verify

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/webhook/shared"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdtest"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/tribe/webhook"
)

// The test vector, computed independently.
const (
	vectorSecret    = "whsec-test-0123456789abcdef"
	vectorTimestamp = "1767225600000"
	vectorBody      = `{"networkId":"net-acme","context":"NETWORK","currentSettings":[],"type":"TEST","data":{"challenge":"c-42"}}`
	vectorSignature = "b593f17273c30bbe1510010c05d8e92582b273a9fb5af67198b0e21998171921"
)

var vectorTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestNewCmdVerify(t *testing.T) {
	sig, ts := "--signature="+vectorSignature, "--timestamp="+vectorTimestamp
	def := Options{Signature: vectorSignature, Timestamp: vectorTimestamp, BodyFile: "-", Tolerance: webhook.DefaultTolerance}
	cmdtest.RunFlagTable(t, NewCmdVerify, []cmdtest.FlagCase[Options]{
		{Name: "signature and timestamp", Args: []string{sig, ts}, Want: def},
		{Name: "every flag", Args: []string{sig, ts, "--secret-file", "s.txt", "--body-file", "body.json", "--tolerance", "0"},
			Want: Options{Secret: shared.SecretFlag{File: "s.txt"}, Signature: vectorSignature, Timestamp: vectorTimestamp, BodyFile: "body.json"}},
		{Name: "seconds", Args: []string{sig, "--timestamp", "1767225600"},
			Want: Options{Signature: vectorSignature, Timestamp: "1767225600", BodyFile: "-", Tolerance: webhook.DefaultTolerance}},
		{Name: "nothing", WantErr: "missing: --signature, --timestamp"},
		{Name: "no timestamp", Args: []string{sig}, WantErr: "missing: --timestamp"},
		{Name: "signature not hex", Args: []string{"--signature", strings.Repeat("z", 64), ts}, WantErr: "--signature is not 64 hex digits (it has 64 characters)"},
		{Name: "signature short", Args: []string{"--signature", vectorSignature[:10], ts}, WantErr: "--signature is not 64 hex digits (it has 10 characters)"},
		{Name: "timestamp malformed", Args: []string{sig, "--timestamp", "yesterday"}, WantErr: `--timestamp "yesterday": 9 characters, not 13 digits`},
		{Name: "negative tolerance", Args: []string{sig, ts, "--tolerance", "-1m"}, WantErr: "--tolerance -1m0s is negative"},
		{Name: "secret on the command line", Args: []string{sig, ts, "--secret", vectorSecret}, WantErr: "--secret is not taken"},
		{Name: "empty body file", Args: []string{sig, ts, "--body-file", ""}, WantErr: "--body-file is empty"},
	})
}

// run runs "webhook verify" with env, stdin and args, at time now.
func run(t *testing.T, env map[string]string, stdin string, now time.Time, args ...string) (int, string, string) {
	t.Helper()
	f, stdout, stderr := cmdtest.Factory(env, stdin)
	f.Now = func() time.Time { return now }
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	code := cmdutil.Execute(ctx, f, NewCmdVerify(f, nil), args)
	out, errOut := stdout.String(), stderr.String()
	assert.NotContains(t, out+errOut, vectorSecret, "the secret is never printed")
	return code, out, errOut
}

func TestVerify(t *testing.T) {
	dir := t.TempDir()
	bodyFile := filepath.Join(dir, "body.json")
	require.NoError(t, os.WriteFile(bodyFile, []byte(vectorBody), 0o600))
	secretFile := filepath.Join(dir, "secret.txt")
	require.NoError(t, os.WriteFile(secretFile, []byte(vectorSecret+"\n"), 0o600))
	rotation := filepath.Join(dir, "rotation.txt")
	require.NoError(t, os.WriteFile(rotation, []byte("whsec-the-new-one\r\n"+vectorSecret+"\n\n"), 0o600))
	env := map[string]string{shared.SecretEnv: vectorSecret}
	vector := []string{"--signature", vectorSignature, "--timestamp", vectorTimestamp}
	later := vectorTime.Add(24 * time.Hour)

	tests := []struct {
		name   string
		env    map[string]string
		stdin  string
		now    time.Time
		args   []string
		code   int
		stderr string
	}{
		{"the vector, signature only", env, vectorBody, later, append(vector, "--tolerance", "0"), cmdutil.ExitOK, ""},
		{"the vector, at its time", env, vectorBody, vectorTime.Add(time.Minute), vector, cmdutil.ExitOK, ""},
		{"the vector from a body file and a secret file", nil, "", later, append(vector, "--tolerance", "0", "--body-file", bodyFile, "--secret-file", secretFile), cmdutil.ExitOK, ""},
		{"the secret from stdin", nil, vectorSecret + "\n", later, append(vector, "--tolerance", "0", "--body-file", bodyFile, "--secret-file", "-"), cmdutil.ExitOK, ""},
		{"the secret and the body both from stdin", nil, vectorSecret, later, append(vector, "--tolerance", "0", "--secret-file", "-"), cmdutil.ExitUsage, "only one input can come from stdin"},
		{"an empty secret file", nil, "\n\n", later, append(vector, "--tolerance", "0", "--body-file", bodyFile, "--secret-file", "-"), cmdutil.ExitUsage, "the webhook signing secret from --secret-file is empty"},
		{"the old secret of a rotation", nil, vectorBody, later, append(vector, "--tolerance", "0", "--secret-file", rotation), cmdutil.ExitOK, ""},
		{"too old", env, vectorBody, later, vector, cmdutil.ExitFailure, "signed 24h0m0s ago, more than the 15m0s allowed; a replay, or a clock far off; --tolerance 0 checks the signature alone"},
		{"a wider tolerance", env, vectorBody, later, append(vector, "--tolerance", "25h"), cmdutil.ExitOK, ""},
		{"too new", env, vectorBody, vectorTime.Add(-time.Hour), vector, cmdutil.ExitFailure, "ahead of this clock"},
		{"tampered body", env, strings.Replace(vectorBody, "c-42", "c-43", 1), later, append(vector, "--tolerance", "0"), cmdutil.ExitFailure, "matches no signing secret"},
		{"body with a newline more", env, vectorBody + "\n", later, append(vector, "--tolerance", "0"), cmdutil.ExitFailure, "matches no signing secret"},
		{"wrong secret", map[string]string{shared.SecretEnv: "whsec-someone-else"}, vectorBody, later, append(vector, "--tolerance", "0"), cmdutil.ExitFailure, "matches no signing secret"},
		{"no secret", nil, vectorBody, later, vector, cmdutil.ExitUsage, "no webhook signing secret; set TRIBE_WEBHOOK_SECRET, or pass --secret-file FILE"},
		{"secret with a space", map[string]string{shared.SecretEnv: "whsec two"}, vectorBody, later, vector, cmdutil.ExitUsage, "has spaces or control characters"},
		{"missing body file", env, "", later, append(vector, "--body-file", filepath.Join(dir, "nope.json")), cmdutil.ExitUsage, "reading the request body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, tc.env, tc.stdin, tc.now, tc.args...)
			assert.Equal(t, tc.code, code, "stderr: %s", errOut)
			if tc.code == cmdutil.ExitOK {
				assert.Equal(t, "ok\n", out)
				assert.Empty(t, errOut)
				return
			}
			assert.Empty(t, out)
			assert.Contains(t, errOut, tc.stderr)
			assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
		})
	}
}

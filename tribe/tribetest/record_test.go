package tribetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequestRecord(t *testing.T) {
	now := time.Date(2025, 5, 5, 5, 5, 5, 0, time.UTC)
	s := setup(t, WithClock(func() time.Time { return now }))
	tok := limitedToken(t, s, DefaultNetworkID, PlainMemberID)
	gql(t, s, s.URL, bearer(tok), `query who { authMember { id } network { id } m2: authMember { name } }`, nil)
	gql(t, s, s.URL, basic(DefaultClientID, "wrong"), `{ limitedToken(context: NETWORK, entityId: "x", networkId: "x") { accessToken } }`, nil)
	form(t, s, creds("grant_type", GrantClientCredentials, "external_id", "ext-bob"))

	recs := s.Requests()
	require.Len(t, recs, 4)
	assert.Equal(t, Request{
		Time: now, Method: "POST", Path: "/graphql",
		OperationName: "limitedToken", Fields: []string{"limitedToken"},
		Auth: AuthBasic, ClientID: DefaultClientID, MemberID: PlainMemberID, NetworkID: DefaultNetworkID,
		Variables: map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID, "impersonateMemberId": PlainMemberID},
		Status:    200, Duration: recs[0].Duration,
	}, recs[0])
	assert.Equal(t, Request{
		Time: now, Method: "POST", Path: "/",
		OperationName: "who", Fields: []string{"authMember", "network"},
		Auth: AuthBearer, ClientID: DefaultClientID, MemberID: PlainMemberID, NetworkID: DefaultNetworkID,
		Status: 200, Duration: recs[1].Duration,
	}, recs[1])
	assert.Equal(t, AuthBasic, recs[2].Auth)
	assert.Equal(t, DefaultClientID, recs[2].ClientID, "the presented client id, though the secret is wrong")
	assert.Equal(t, 401, recs[2].Status)
	assert.Empty(t, recs[2].ErrorCodes, "a refused Basic credential has no code (108 is for tokens)")
	assert.Empty(t, recs[2].MemberID)
	assert.Equal(t, Request{
		Time: now, Method: "POST", Path: "/api/v1/oauth/token", Grant: GrantClientCredentials,
		Auth: AuthBasic, ClientID: DefaultClientID, MemberID: ModeratorMemberID, NetworkID: DefaultNetworkID,
		Params: map[string]string{"grant_type": GrantClientCredentials, "client_id": DefaultClientID, "client_secret": "[REDACTED]", "external_id": "ext-bob"},
		Status: 200, Duration: recs[3].Duration,
	}, recs[3])

	assert.Equal(t, 2, s.Count("limitedToken"))
	assert.Equal(t, 1, s.Count("authMember"), "aliases count once per request")
	assert.Equal(t, 1, s.Count("who"))
	assert.Equal(t, 1, s.Count("network"))
	assert.Equal(t, 0, s.Count("members"))
	assert.Equal(t, 1, s.GrantCount(GrantClientCredentials))
	assert.Equal(t, 0, s.GrantCount(GrantPassword))

	// Requests returns copies.
	recs[0].Fields[0] = "changed"
	recs[0].Variables["entityId"] = "changed"
	recs[3].Params["client_id"] = "changed"
	again := s.Requests()
	assert.Equal(t, "limitedToken", again[0].Fields[0])
	assert.Equal(t, DefaultNetworkID, again[0].Variables["entityId"])
	assert.Equal(t, DefaultClientID, again[3].Params["client_id"])

	s.Reset()
	assert.Empty(t, s.Requests())
	assert.Equal(t, 0, s.Count("limitedToken"))
	assert.Equal(t, 0, s.GrantCount(GrantClientCredentials))
	assert.True(t, len(gql(t, s, s.URL, bearer(tok), `{ authMember { id } }`, nil).Errors) == 0, "tokens survive Reset")
}

func TestRecordLimit(t *testing.T) {
	s := setup(t, WithRecordLimit(3))
	for i := range 10 {
		gql(t, s, s.URL, "", fmt.Sprintf(`query q%d { __typename }`, i), nil)
	}
	recs := s.Requests()
	require.Len(t, recs, 3)
	assert.Equal(t, "q9", recs[2].OperationName, "the latest")
	assert.Equal(t, "q7", recs[0].OperationName)
	assert.Equal(t, 1, s.Count("q0"), "counts keep every request")

	none := setup(t, WithRecordLimit(0))
	gql(t, none, none.URL, "", `{ __typename }`, nil)
	assert.Empty(t, none.Requests())
}

// TestSecretsNeverRecorded sends every kind of secret and looks for them in
// the record, in every format, and in the log.
func TestSecretsNeverRecorded(t *testing.T) {
	var logBuf bytes.Buffer
	var logMu sync.Mutex
	logger := slog.New(slog.NewJSONHandler(lockedWriter{&logBuf, &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := setup(t, WithLogger(logger))

	tok := limitedToken(t, s, DefaultNetworkID, PlainMemberID)
	gql(t, s, s.URL, bearer(tok), `{ authMember { id } }`, nil)
	gql(t, s, s.URL, bearer(tok+"x"), `{ authMember { id } }`, nil)
	_, body, _ := form(t, s, creds("grant_type", GrantPassword, "username", "alice", "password", DefaultPassword))
	refresh := body["refresh_token"].(string)
	access := body["access_token"].(string)
	form(t, s, creds("grant_type", GrantRefreshToken, "refresh_token", refresh))
	form(t, s, url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"hunter2-secret"}, "client_id": {DefaultClientID}, "client_secret": {"wrong-secret-value"}})
	gql(t, s, s.URL, "", `query($password: String, $accessToken: String) { member(username: $password, id: $accessToken) { id } }`,
		map[string]any{"password": "var-password-value", "accessToken": "var-token-value"})

	recs := s.Requests()
	require.Len(t, recs, 7)
	js, err := json.Marshal(recs)
	require.NoError(t, err)
	logMu.Lock()
	logged := logBuf.String()
	logMu.Unlock()
	for _, out := range []string{string(js), fmt.Sprintf("%v", recs), fmt.Sprintf("%+v", recs), fmt.Sprintf("%#v", recs), logged} {
		for _, secret := range []string{DefaultClientSecret, DefaultPassword, tok, access, refresh, "hunter2-secret", "wrong-secret-value", "var-password-value", "var-token-value"} {
			assert.NotContains(t, out, secret)
		}
	}
	assert.Contains(t, logged, `"msg":"tribetest request"`)
	assert.Equal(t, map[string]any{"password": "[REDACTED]", "accessToken": "[REDACTED]"}, recs[6].Variables)
}

func TestFixtureStringsRedactSecrets(t *testing.T) {
	fx := DefaultFixtures()
	fx.Networks[0].JWT = &JWTConfig{HS256Secret: "jwt-secret-value-of-32-bytes-more"}
	for _, out := range []string{fmt.Sprintf("%v", fx), fmt.Sprintf("%+v", fx), fmt.Sprintf("%#v", *fx), fmt.Sprint(fx.Apps[0]), fmt.Sprint(fx.Networks[0].Members[0])} {
		assert.NotContains(t, out, DefaultClientSecret)
		assert.NotContains(t, out, DefaultPassword)
		assert.NotContains(t, out, "jwt-secret-value")
	}
	assert.Contains(t, fmt.Sprint(fx.Apps[0]), DefaultClientID)
}

type lockedWriter struct {
	b  *bytes.Buffer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// TestAssertionsAndCodesRedacted: OAuth parameters that carry a credential
// without saying secret, password or token in their name are redacted too.
func TestAssertionsAndCodesRedacted(t *testing.T) {
	s := setup(t)
	form(t, s, url.Values{
		"grant_type":            {"authorization_code"},
		"code":                  {"the-auth-code"},
		"code_verifier":         {"the-code-verifier"},
		"client_assertion":      {"the-client-assertion"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"assertion":             {"the-assertion"},
		"Code":                  {"the-other-code"},
		"redirect_uri":          {"http://127.0.0.1/callback"},
	})
	gql(t, s, s.URL, "", `query($code: String, $assertion: String) { member(username: $code, id: $assertion) { id } }`,
		map[string]any{"code": "var-code-value", "assertion": "var-assertion-value"})
	recs := s.Requests()
	require.Len(t, recs, 2)
	js, err := json.Marshal(recs)
	require.NoError(t, err)
	for _, secret := range []string{"the-auth-code", "the-code-verifier", "the-client-assertion", "the-assertion", "the-other-code", "var-code-value", "var-assertion-value"} {
		assert.NotContains(t, string(js), secret)
	}
	for _, k := range []string{"code", "code_verifier", "client_assertion", "assertion", "Code"} {
		assert.Equal(t, "[REDACTED]", recs[0].Params[k], k)
	}
	assert.Equal(t, "http://127.0.0.1/callback", recs[0].Params["redirect_uri"], "other parameters are kept")
	assert.Equal(t, "authorization_code", recs[0].Params["grant_type"])
	assert.Equal(t, map[string]any{"code": "[REDACTED]", "assertion": "[REDACTED]"}, recs[1].Variables)
}

// TestRecordedBeforeAnswered: a client that has its answer, however large,
// or has seen its connection dropped, finds the request in the record.
func TestRecordedBeforeAnswered(t *testing.T) {
	s := setup(t)
	const big = `{ __schema { types { name description fields { name description args { name description type { name kind ofType { name kind } } } type { name kind ofType { name kind ofType { name } } } } } } }`
	for i := range 100 {
		r := gql(t, s, s.URL, "", big, nil)
		require.Greater(t, len(r.Raw), 8<<10, "an answer larger than net/http's buffers")
		require.Equal(t, i+1, s.Count("__schema"), "request %d", i)
	}
	for i := range 50 {
		require.NoError(t, s.Fail("limitedToken", Fault{Drop: true}))
		_, _, _, err := rawPost(context.Background(), s, defaultBasic(), mintQuery)
		require.Error(t, err)
		require.Equal(t, i+1, s.Count("limitedToken"), "dropped request %d", i)
	}
}

package tribetest

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// invalidShape is the one shape of an invalid-input error: "tribetest:
// <what is wrong>; <how to fix it>", the fix after the last "; ".
var invalidShape = regexp.MustCompile(`(?s)^tribetest: \S.*; [^;]*\S$`)

// assertInvalid checks that err has the invalid-input shape and names
// what it is about.
func assertInvalid(t *testing.T, err error, names string) {
	t.Helper()
	require.Error(t, err)
	assert.Regexp(t, invalidShape, err.Error())
	assert.Contains(t, err.Error(), names)
}

// TestInvalidOptionsShape: every invalid option, at every constructor,
// is refused with "tribetest: <what is wrong>; <how to fix it>", naming
// the option.
func TestInvalidOptionsShape(t *testing.T) {
	tests := []struct {
		name  string
		opt   Option
		names string
	}{
		{"nil fixtures", WithFixtures(nil), "WithFixtures"},
		{"nil clock", WithClock(nil), "WithClock"},
		{"zero lifetime", WithTokenLifetime(0), "WithTokenLifetime(0s)"},
		{"negative lifetime", WithTokenLifetime(-time.Second), "WithTokenLifetime(-1s)"},
		{"short key", WithSigningKey([]byte("short")), "WithSigningKey: the key is 5 bytes"},
		{"negative cache", WithQueryCacheSize(-1), "WithQueryCacheSize(-1)"},
		{"bad public URL", WithPublicURL("not a url"), "WithPublicURL"},
		{"public URL without host", WithPublicURL("https://"), "WithPublicURL"},
		{"negative record limit", WithRecordLimit(-1), "WithRecordLimit(-1)"},
		{"zero cost", WithQueryCostLimit(0), "WithQueryCostLimit(0)"},
		{"tiny response", WithResponseSizeLimit(100), "WithResponseSizeLimit(100)"},
		{"nil listener", WithListener(nil), "WithListener(nil)"},
		{"invalid fixtures", WithFixtures(&Fixtures{Networks: []Network{{}}}), "a network needs an id; set its id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Start("127.0.0.1:0", tc.opt)
			assertInvalid(t, err, tc.names)
			assert.PanicsWithError(t, err.Error(), func() { NewUnstartedServer(tc.opt) })
			assert.PanicsWithError(t, err.Error(), func() { NewServer(tc.opt) })
			assert.PanicsWithError(t, err.Error(), func() { NewTLSServer(tc.opt) })
		})
	}
}

// TestInvalidFixturesShape: fixtures that cannot be loaded are refused
// with "tribetest: <what is wrong>; <how to fix it>", naming the field.
func TestInvalidFixturesShape(t *testing.T) {
	tests := []struct {
		name, json, names string
	}{
		{"not JSON", `{`, "decode fixtures"},
		{"unknown key", `{"apps":[],"extra":1}`, `unknown field "extra"`},
		{"trailing data", `{} {}`, "trailing data"},
		{"network without id", `{"networks":[{"name":"x"}]}`, "a network needs an id"},
		{"duplicate network", `{"networks":[{"id":"n"},{"id":"n"}]}`, `network "n": duplicate id`},
		{"owner", `{"networks":[{"id":"n","ownerId":"x"}]}`, "ownerId"},
		{"network status", `{"networks":[{"id":"n","status":"live"}]}`, `status "live"`},
		{"visibility", `{"networks":[{"id":"n","visibility":"secret"}]}`, `visibility "secret"`},
		{"role without id", `{"networks":[{"id":"n","roles":[{"type":"admin"}]}]}`, "a role needs an id"},
		{"duplicate role", `{"networks":[{"id":"n","roles":[{"id":"r"},{"id":"r"}]}]}`, `role "r": duplicate id`},
		{"role type", `{"networks":[{"id":"n","roles":[{"id":"r","type":"owner"}]}]}`, `type "owner"`},
		{"jwt none", `{"networks":[{"id":"n","jwt":{}}]}`, "hs256Secret, publicKeyPem and jwksUrl"},
		{"jwt bad url", `{"networks":[{"id":"n","jwt":{"jwksUrl":"ftp://x"}}]}`, "jwksUrl"},
		{"jwt no pem", `{"networks":[{"id":"n","jwt":{"publicKeyPem":"x"}}]}`, "publicKeyPem"},
		{"jwt private key", `{"networks":[{"id":"n","jwt":{"publicKeyPem":"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}}]}`, "publicKeyPem"},
		{"jwt bad key", `{"networks":[{"id":"n","jwt":{"publicKeyPem":"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}}]}`, "publicKeyPem"},
		{"jwt role", `{"networks":[{"id":"n","jwt":{"hs256Secret":"a-secret-of-32-bytes-or-more-xyz","defaultRoleId":"boss"}}]}`, `defaultRoleId "boss"`},
		{"member without id", `{"networks":[{"id":"n","members":[{"username":"x"}]}]}`, "a member needs an id"},
		{"member elsewhere", `{"networks":[{"id":"n","members":[{"id":"a","networkId":"z"}]}]}`, `networkId "z"`},
		{"duplicate member", `{"networks":[{"id":"n","members":[{"id":"m"},{"id":"m","username":"o"}]}]}`, `member "m": duplicate id`},
		{"member status", `{"networks":[{"id":"n","members":[{"id":"a","status":"verified"}]}]}`, `status "verified"`},
		{"no member role", `{"networks":[{"id":"n","roles":[{"id":"r","type":"admin"}],"members":[{"id":"a"}]}]}`, "roleId"},
		{"unknown role", `{"networks":[{"id":"n","members":[{"id":"a","roleId":"boss"}]}]}`, `role "boss"`},
		{"username", `{"networks":[{"id":"n","members":[{"id":"a","username":"Ann"},{"id":"b","username":"ann"}]}]}`, "username"},
		{"email", `{"networks":[{"id":"n","members":[{"id":"a","email":"X@y"},{"id":"b","email":"x@Y"}]}]}`, "email"},
		{"external id", `{"networks":[{"id":"n","members":[{"id":"a","externalId":"1"},{"id":"b","externalId":"1"}]}]}`, "externalId"},
		{"long id", `{"networks":[{"id":"` + longID + `"}]}`, "id longer than 200 bytes"},
		{"app without secret", `{"apps":[{"clientId":"c"}]}`, "clientSecret"},
		{"colon", `{"apps":[{"clientId":"a:b","clientSecret":"s"}]}`, "colon"},
		{"duplicate client", `{"apps":[{"clientId":"c","clientSecret":"s"},{"clientId":"c","clientSecret":"t"}]}`, "clientId of its own"},
		{"unknown network", `{"apps":[{"clientId":"c","clientSecret":"s","installedOn":["x"]}]}`, `unknown network "x"`},
		{"no admin role", `{"apps":[{"clientId":"c","clientSecret":"s","installedOn":["n"]}],"networks":[{"id":"n","roles":[{"id":"r","type":"member"}]}]}`, "admin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFixtures([]byte(tc.json))
			assertInvalid(t, err, tc.names)
		})
	}
	assertInvalid(t, (*Fixtures)(nil).Validate(), "nil fixtures")
}

// longID is a network id longer than fixtures allow.
var longID = "n" + strings.Repeat("x", 250)

// TestInvalidCallsShape: the server's methods refuse bad arguments with
// "tribetest: <what is wrong>; <how to fix it>", naming the method.
func TestInvalidCallsShape(t *testing.T) {
	s := setup(t)
	tests := []struct {
		name  string
		call  func() error
		names string
	}{
		{"fault status", func() error { return s.Fail("x", Fault{Status: 700}) }, "Fail: the fault's Status 700"},
		{"fault latency", func() error { return s.Fail("x", Fault{Latency: -1}) }, "Fail: the fault has a negative Latency"},
		{"add member", func() error { _, err := s.AddMember(Member{ID: "m", NetworkID: "nope"}); return err }, `AddMember: unknown network "nope"`},
		{"add member twice", func() error {
			_, err := s.AddMember(Member{ID: PlainMemberID, NetworkID: DefaultNetworkID})
			return err
		}, "duplicate id"},
		{"install", func() error { return s.Install("nope", DefaultNetworkID) }, `Install: unknown client id "nope"`},
		{"install where unknown", func() error { return s.Install(DefaultClientID, "nope") }, `unknown network "nope"`},
		{"uninstall", func() error { return s.Uninstall("nope", DefaultNetworkID) }, `Uninstall: unknown client id "nope"`},
		{"mint network", func() error { _, err := s.MintToken("nope", PlainMemberID); return err }, `MintToken: unknown network "nope"`},
		{"mint member", func() error { _, err := s.MintToken(DefaultNetworkID, "nope"); return err }, `no member "nope"`},
		{"revoke", func() error { return s.Revoke("not-a-token") }, "Revoke: not a token of this server"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertInvalid(t, tc.call(), tc.names)
		})
	}
	tok, err := s.MintToken(DefaultNetworkID, PlainMemberID)
	require.NoError(t, err)
	err = s.Revoke(tok[:len(tok)-4] + "AAAA")
	assertInvalid(t, err, "Revoke: not a token of this server")
	assert.NotContains(t, err.Error(), tok[:len(tok)-4], "the token is not in the error")
}

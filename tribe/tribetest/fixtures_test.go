package tribetest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocExampleIsTestdata keeps the JSON example of the reference,
// docs/tribetest.md, equal to testdata/fixtures.json, which
// TestLoadFixtures loads.
func TestDocExampleIsTestdata(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "tribetest.md"))
	require.NoError(t, err)
	lines := strings.Split(string(doc), "\n")
	var example []string
	for i, l := range lines {
		if l == "A complete example:" && i+2 < len(lines) && lines[i+2] == "```json" {
			for _, l := range lines[i+3:] {
				if l == "```" {
					break
				}
				example = append(example, l)
			}
		}
	}
	file, err := os.ReadFile(filepath.Join("testdata", "fixtures.json"))
	require.NoError(t, err)
	assert.Equal(t, string(file), strings.Join(example, "\n")+"\n")
}

func TestLoadFixtures(t *testing.T) {
	f, err := LoadFixtures(filepath.Join("testdata", "fixtures.json"))
	require.NoError(t, err)
	s := setup(t, WithFixtures(f))

	app := s.App()
	assert.Equal(t, "app-1", app.ID)
	assert.Equal(t, []string{"net-1"}, app.InstalledOn)
	n := s.Network()
	assert.Equal(t, "net-1", n.ID)
	assert.Equal(t, "community.example.com", n.Domain)
	assert.Len(t, n.Roles, 2)
	require.Len(t, n.Members, 2)
	ann, ok := s.Member("m-1")
	require.True(t, ok)
	assert.Equal(t, time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), ann.LastSeenAt)
	assert.True(t, ann.Teammate)
	ben, _ := s.Member("m-2")
	assert.Equal(t, "r-member", ben.RoleID, "roleId by type")
	assert.Equal(t, "VERIFIED", ben.Status, "default status")
	assert.Equal(t, "en-US", ben.Locale)
	assert.Equal(t, "https://community.example.com/member/m-2", ben.URL)
	bot, ok := s.Bot("my-client", "net-1")
	require.True(t, ok)
	assert.Equal(t, "r-admin", bot.RoleID)

	// The loaded server works end to end.
	r := gql(t, s, s.URL, basic("my-client", "my-secret"), `{ limitedToken(context: NETWORK, entityId: "net-1", networkId: "net-1", impersonateMemberId: "m-1") { accessToken } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	r = gql(t, s, s.URL, bearer(path(r.Data, "limitedToken", "accessToken").(string)), `{ authMember { id tagline lastSeenAt } }`, nil)
	assert.JSONEq(t, `{"authMember":{"id":"m-1","tagline":"Hi","lastSeenAt":"2024-02-01T00:00:00.000Z"}}`, mustJSON(t, r.Data))
	status, body, _ := form(t, s, creds("grant_type", "password", "username", "ann", "password", "s3cret", "client_id", "my-client", "client_secret", "my-secret"))
	assert.Equal(t, 200, status, "%v", body)

	_, err = LoadFixtures(filepath.Join("testdata", "nope.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestFixturesInvalid(t *testing.T) {
	tests := []struct {
		name string
		json string
		want string
	}{
		{"not JSON", `{`, "decode"},
		{"unknown key", `{"apps":[],"networks":[],"extra":1}`, "unknown field"},
		{"typo in a member", `{"networks":[{"id":"n","members":[{"id":"m","emial":"x"}]}]}`, "emial"},
		{"trailing data", `{"apps":[],"networks":[]} {}`, "trailing"},
		{"network without id", `{"networks":[{"name":"x"}]}`, "needs an id"},
		{"duplicate network", `{"networks":[{"id":"n"},{"id":"n"}]}`, "duplicate"},
		{"duplicate member", `{"networks":[{"id":"n","members":[{"id":"m"},{"id":"m","username":"other"}]}]}`, "duplicate"},
		{"member without id", `{"networks":[{"id":"n","members":[{"username":"x"}]}]}`, "needs an id"},
		{"duplicate email", `{"networks":[{"id":"n","members":[{"id":"a","email":"X@y"},{"id":"b","email":"x@Y"}]}]}`, "email"},
		{"duplicate username", `{"networks":[{"id":"n","members":[{"id":"a","username":"Ann"},{"id":"b","username":"ann"}]}]}`, "username"},
		{"duplicate external id", `{"networks":[{"id":"n","members":[{"id":"a","externalId":"1"},{"id":"b","externalId":"1"}]}]}`, "external id"},
		{"member of another network", `{"networks":[{"id":"n","members":[{"id":"a","networkId":"z"}]}]}`, "differs"},
		{"unknown role", `{"networks":[{"id":"n","members":[{"id":"a","roleId":"boss"}]}]}`, "role"},
		{"bad status", `{"networks":[{"id":"n","members":[{"id":"a","status":"verified"}]}]}`, "status"},
		{"bad role type", `{"networks":[{"id":"n","roles":[{"id":"r","type":"owner"}]}]}`, "type"},
		{"duplicate role", `{"networks":[{"id":"n","roles":[{"id":"r"},{"id":"r"}]}]}`, "duplicate"},
		{"no member role", `{"networks":[{"id":"n","roles":[{"id":"r","type":"admin"}],"members":[{"id":"a"}]}]}`, "no roleId"},
		{"bad network status", `{"networks":[{"id":"n","status":"live"}]}`, "status"},
		{"bad visibility", `{"networks":[{"id":"n","visibility":"secret"}]}`, "visibility"},
		{"owner not a member", `{"networks":[{"id":"n","ownerId":"x"}]}`, "owner"},
		{"app without secret", `{"apps":[{"clientId":"c"}]}`, "clientSecret"},
		{"client id with colon", `{"apps":[{"clientId":"a:b","clientSecret":"s"}]}`, "colon"},
		{"duplicate client", `{"apps":[{"clientId":"c","clientSecret":"s"},{"clientId":"c","clientSecret":"t"}]}`, "duplicate"},
		{"installed on unknown network", `{"apps":[{"clientId":"c","clientSecret":"s","installedOn":["x"]}]}`, "unknown network"},
		{"installed where no admin role", `{"apps":[{"clientId":"c","clientSecret":"s","installedOn":["n"]}],"networks":[{"id":"n","roles":[{"id":"r","type":"member"}]}]}`, "admin role"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFixtures([]byte(tc.json))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "tribetest: "), err.Error())
		})
	}
	_, err := Start("127.0.0.1:0", WithFixtures(&Fixtures{Networks: []Network{{}}}))
	assert.Error(t, err)
	assert.Panics(t, func() { NewServer(WithFixtures(&Fixtures{Networks: []Network{{}}})) })
}

func TestDefaultFixtures(t *testing.T) {
	s := setup(t)
	assert.Equal(t, DefaultClientID, s.App().ClientID)
	assert.Equal(t, DefaultClientSecret, s.App().ClientSecret)
	assert.Len(t, s.Apps(), 1)
	assert.Equal(t, DefaultNetworkID, s.Network().ID)
	nets := s.Networks()
	require.Len(t, nets, 2)
	assert.Equal(t, OtherNetworkID, nets[1].ID)
	assert.NotContains(t, s.App().InstalledOn, OtherNetworkID)
	n, ok := s.NetworkByID(OtherNetworkID)
	require.True(t, ok)
	assert.Equal(t, OtherMemberID, n.Members[0].ID)
	_, ok = s.NetworkByID("nope")
	assert.False(t, ok)

	var ids []string
	for _, m := range s.Members() {
		ids = append(ids, m.ID)
		assert.Equal(t, DefaultPassword, m.Password)
		assert.False(t, m.Bot)
	}
	assert.Equal(t, []string{AdminMemberID, ModeratorMemberID, PlainMemberID, BlockedMemberID, OtherMemberID}, ids)
	for id, role := range map[string]string{AdminMemberID: "role-admin", ModeratorMemberID: "role-moderator", PlainMemberID: "role-member", OtherMemberID: "role-admin"} {
		m, ok := s.Member(id)
		require.True(t, ok)
		assert.Equal(t, role, m.RoleID)
	}
	blocked, _ := s.Member(BlockedMemberID)
	assert.Equal(t, "BLOCKED", blocked.Status)
	bot, ok := s.Member("bot-app-test-net-acme")
	require.True(t, ok)
	assert.True(t, bot.Bot)
	_, ok = s.Bot(DefaultClientID, OtherNetworkID)
	assert.False(t, ok)
	_, ok = s.Member("nope")
	assert.False(t, ok)
}

func TestFixturesAreCopied(t *testing.T) {
	fx := DefaultFixtures()
	s := setup(t, WithFixtures(fx))
	fx.Apps[0].ClientSecret = "changed"
	fx.Networks[0].Members[0].Name = "changed"
	assert.Equal(t, DefaultClientSecret, s.App().ClientSecret)
	m, _ := s.Member(AdminMemberID)
	assert.Equal(t, "Alice Admin", m.Name)

	n := s.Network()
	n.Members[0].Name = "changed"
	n.Roles[0].Scopes[0] = "changed"
	again := s.Network()
	assert.Equal(t, "Alice Admin", again.Members[0].Name)
	assert.Equal(t, "*", again.Roles[0].Scopes[0])

	c := fx.Clone()
	c.Networks[0].Roles = append(c.Networks[0].Roles, Role{ID: "x"})
	c.Apps[0].InstalledOn[0] = "changed"
	assert.Empty(t, fx.Networks[0].Roles)
	assert.Equal(t, DefaultNetworkID, fx.Apps[0].InstalledOn[0])
	assert.Nil(t, (*Fixtures)(nil).Clone())
}

func TestAddMember(t *testing.T) {
	s := setup(t)
	m, err := s.AddMember(Member{ID: "mem-new", NetworkID: DefaultNetworkID, Username: "newbie", Email: "new@example.com", RoleID: "moderator"})
	require.NoError(t, err)
	assert.Equal(t, "role-moderator", m.RoleID)
	assert.Equal(t, "VERIFIED", m.Status)
	tok, err := s.MintToken(DefaultNetworkID, "mem-new")
	require.NoError(t, err)
	r := gql(t, s, s.URL, bearer(tok), `{ authMember { id role { type } } network { membersCount } }`, nil)
	assert.JSONEq(t, `{"authMember":{"id":"mem-new","role":{"type":"moderator"}},"network":{"membersCount":5}}`, mustJSON(t, r.Data))

	_, err = s.AddMember(Member{ID: "mem-new", NetworkID: DefaultNetworkID, Username: "other"})
	assert.Error(t, err, "duplicate id")
	_, err = s.AddMember(Member{ID: "x", NetworkID: "nope"})
	assert.Error(t, err)
	_, err = s.AddMember(Member{ID: "y", NetworkID: DefaultNetworkID, Email: "ALICE@example.com"})
	assert.Error(t, err, "duplicate email")
	_, err = s.MintToken(DefaultNetworkID, OtherMemberID)
	assert.Error(t, err)
	_, err = s.MintToken("nope", AdminMemberID)
	assert.Error(t, err)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// TestLoadFixturesBounded: a fixtures file past the bound is refused
// without being read whole.
func TestLoadFixturesBounded(t *testing.T) {
	dir := t.TempDir()
	sized := func(name string, n int64) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		require.NoError(t, err)
		require.NoError(t, f.Truncate(n)) // sparse: no disk written
		require.NoError(t, f.Close())
		return p
	}
	_, err := LoadFixtures(sized("big.json", 16<<20+1))
	require.ErrorContains(t, err, "tribetest: read fixtures: ")
	require.ErrorContains(t, err, "larger than 16 MiB")

	_, err = LoadFixtures(sized("limit.json", 16<<20))
	require.Error(t, err, "NUL bytes are not JSON")
	assert.NotContains(t, err.Error(), "larger than")
	assert.ErrorContains(t, err, "tribetest: decode fixtures")

	if _, err := os.Stat("/dev/zero"); err == nil {
		_, err = LoadFixtures("/dev/zero")
		assert.ErrorContains(t, err, "larger than 16 MiB")
	}
}

// TestFixturesAllocationBounded: no field of the fixtures is copied once
// per member or per installation at a length of its own choosing, so what
// loading fixtures allocates stays within a constant factor of their size;
// identifiers too long to be real are refused instead.
func TestFixturesAllocationBounded(t *testing.T) {
	long := strings.Repeat("x", 100<<10)
	var members, nets, installs []string
	for i := range 2000 {
		members = append(members, fmt.Sprintf(`{"id":"m%d"}`, i))
	}
	for i := range 500 {
		nets = append(nets, fmt.Sprintf(`{"id":"n%d"}`, i))
		installs = append(installs, fmt.Sprintf(`"n%d"`, i))
	}
	tests := []struct{ name, json, field string }{
		{"domain in every member's URL", `{"networks":[{"id":"n","domain":"` + long + `.example.com","members":[` + strings.Join(members, ",") + `]}]}`, "domain"},
		{"app id in every bot", `{"apps":[{"id":"` + long + `","clientId":"c","clientSecret":"s","installedOn":[` + strings.Join(installs, ",") + `]}],"networks":[` + strings.Join(nets, ",") + `]}`, "id"},
		{"app name in every bot", `{"apps":[{"name":"` + long + `","clientId":"c","clientSecret":"s","installedOn":[` + strings.Join(installs, ",") + `]}],"networks":[` + strings.Join(nets, ",") + `]}`, "name"},
		{"network id in every member's URL", `{"networks":[{"id":"` + long + `","members":[` + strings.Join(members, ",") + `]}]}`, "id"},
		{"member id", `{"networks":[{"id":"n","members":[{"id":"` + long + `"}]}]}`, "id"},
		{"role id", `{"networks":[{"id":"n","roles":[{"id":"` + long + `"}]}]}`, "role id"},
		{"client id", `{"apps":[{"clientId":"` + long + `","clientSecret":"s"}]}`, "clientId"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ParseFixtures([]byte(tc.json))
			runtime.ReadMemStats(&after)
			allocated := after.TotalAlloc - before.TotalAlloc
			assert.LessOrEqual(t, allocated, fixturesAllocBound(len(tc.json)), "%d MiB for %d KiB", allocated>>20, len(tc.json)>>10)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.field+" longer than")
			assert.Less(t, len(err.Error()), 400, "the error does not quote it whole")
		})
	}
}

// TestFixturesBotNamesBounded: apps sharing an id, whose bots' ids
// collide, are refused once the search for a free id grows long, rather
// than searched for each app from the start without end.
func TestFixturesBotNamesBounded(t *testing.T) {
	var apps []string
	for i := range maxBotAttempts + 5 {
		apps = append(apps, fmt.Sprintf(`{"id":"same","clientId":"c%d","clientSecret":"s","installedOn":["n"]}`, i))
	}
	start := time.Now()
	_, err := ParseFixtures([]byte(`{"apps":[` + strings.Join(apps, ",") + `],"networks":[{"id":"n"}]}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no free id for its bot")
	// A bound, not a speed: unbounded tries would take minutes. Generous,
	// for a loaded machine under the race detector.
	assert.Less(t, time.Since(start), 30*time.Second)
}

package tribetest

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const memberFields = `id name email username externalId networkId roleId role { id name type } status locale teammate createdAt updatedAt lastSeenAt verifiedAt tagline url`

func TestAuthMember(t *testing.T) {
	s := setup(t)
	bot, _ := s.Bot(DefaultClientID, DefaultNetworkID)
	for _, who := range []string{AdminMemberID, ModeratorMemberID, PlainMemberID, ""} {
		t.Run("as "+who, func(t *testing.T) {
			tok := limitedToken(t, s, DefaultNetworkID, who)
			r := gql(t, s, s.GraphQLURL(), bearer(tok), `query authMember { authMember { `+memberFields+` } }`, nil)
			require.Empty(t, r.Errors, r.Raw)
			want := who
			if who == "" {
				want = bot.ID
			}
			m, ok := s.Member(want)
			require.True(t, ok)
			assert.Equal(t, m.ID, path(r.Data, "authMember", "id"))
			assert.Equal(t, m.Username, path(r.Data, "authMember", "username"))
			assert.Equal(t, DefaultNetworkID, path(r.Data, "authMember", "networkId"))
			assert.Equal(t, m.RoleID, path(r.Data, "authMember", "roleId"))
			assert.Equal(t, m.RoleID, path(r.Data, "authMember", "role", "id"))
			assert.Equal(t, "VERIFIED", path(r.Data, "authMember", "status"))
			assert.Equal(t, "https://acme.example.com/member/"+m.ID, path(r.Data, "authMember", "url"))
		})
	}
	t.Run("bot is an admin", func(t *testing.T) {
		tok := limitedToken(t, s, DefaultNetworkID, "")
		r := gql(t, s, s.URL, bearer(tok), `{ authMember { role { type } email } }`, nil)
		assert.Equal(t, "admin", path(r.Data, "authMember", "role", "type"))
		assert.Nil(t, path(r.Data, "authMember", "email"))
	})
}

func TestBearerRefused(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var offset atomic.Int64
	s := setup(t, WithClock(func() time.Time { return now.Add(time.Duration(offset.Load())) }), WithTokenLifetime(10*time.Minute))
	other := setup(t)
	foreign, err := other.MintToken(DefaultNetworkID, PlainMemberID)
	require.NoError(t, err)

	tok := limitedToken(t, s, DefaultNetworkID, PlainMemberID)
	parts := strings.Split(tok, ".")
	tampered := parts[0] + "." + parts[1] + "x." + parts[2]

	tests := []struct {
		name string
		auth string
	}{
		{"no header", ""},
		{"empty bearer", "Bearer "},
		{"garbage", bearer("garbage")},
		{"tampered", bearer(tampered)},
		{"other server's key", bearer(foreign)},
		{"basic credentials", defaultBasic()},
		{"unknown scheme", "Token " + tok},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, q := range []string{`{ authMember { id } }`, `{ network { id } }`, `{ member(id: "mem-alice") { id } }`, `{ members(limit: 1) { totalCount } }`} {
				r := gql(t, s, s.URL, tc.auth, q, nil)
				assert.Equal(t, 200, r.Status)
				require.Equal(t, []string{"108"}, r.codes(), r.Raw)
				assert.Equal(t, "invalid access token", r.Errors[0].Message)
				assert.Equal(t, "108", r.Errors[0].Extensions["code"])
			}
		})
	}

	t.Run("expiry by the clock", func(t *testing.T) {
		ok := func(tok string) bool {
			return len(gql(t, s, s.URL, bearer(tok), `{ authMember { id } }`, nil).Errors) == 0
		}
		assert.True(t, ok(tok))
		offset.Store(int64(9 * time.Minute))
		assert.True(t, ok(tok), "still fresh")
		s.Advance(time.Minute + time.Second)
		assert.False(t, ok(tok), "expired by Advance")
		assert.Equal(t, now.Add(10*time.Minute+time.Second), s.Now())
		assert.True(t, ok(limitedToken(t, s, DefaultNetworkID, PlainMemberID)), "a new token works")
		s.Advance(-time.Hour)
		assert.True(t, ok(tok), "turning the clock back revives it")
	})
}

func TestRevoke(t *testing.T) {
	s := setup(t)
	ok := func(tok string) bool {
		return len(gql(t, s, s.URL, bearer(tok), `{ authMember { id } }`, nil).Errors) == 0
	}
	a := limitedToken(t, s, DefaultNetworkID, PlainMemberID)
	b := limitedToken(t, s, DefaultNetworkID, AdminMemberID)
	require.NoError(t, s.Revoke(a))
	assert.False(t, ok(a))
	assert.True(t, ok(b))
	assert.Error(t, s.Revoke("not a token"))
	foreign, err := setup(t).MintToken(DefaultNetworkID, PlainMemberID)
	require.NoError(t, err)
	assert.Error(t, s.Revoke(foreign))

	s.RevokeAll()
	assert.False(t, ok(b))
	c := limitedToken(t, s, DefaultNetworkID, AdminMemberID)
	assert.True(t, ok(c), "tokens after RevokeAll work")
}

func TestNetworkQuery(t *testing.T) {
	s := setup(t)
	tok, err := s.MintToken(OtherNetworkID, OtherMemberID)
	require.NoError(t, err)
	r := gql(t, s, s.URL, bearer(tok), `{ network { id name domain ownerId membersCount description roles { id name type scopes visible description } } }`, nil)
	require.Empty(t, r.Errors, r.Raw)
	assert.Equal(t, OtherNetworkID, path(r.Data, "network", "id"))
	assert.Equal(t, "other.example.com", path(r.Data, "network", "domain"))
	assert.Equal(t, OtherMemberID, path(r.Data, "network", "ownerId"))
	assert.InDelta(t, 1, path(r.Data, "network", "membersCount"), 0)
	assert.Nil(t, path(r.Data, "network", "description"))
	assert.Len(t, path(r.Data, "network", "roles"), 4)
}

func TestMemberQuery(t *testing.T) {
	s := setup(t)
	tok := memberToken(t, s)
	tests := []struct {
		name  string
		args  string
		id    string
		codes []string
	}{
		{"by id", `id: "mem-bob"`, ModeratorMemberID, nil},
		{"by username", `username: "Alice"`, AdminMemberID, nil},
		{"id and username agree", `id: "mem-bob", username: "bob"`, ModeratorMemberID, nil},
		{"id and username disagree", `id: "mem-bob", username: "alice"`, "", []string{"110"}},
		{"unknown id", `id: "nobody"`, "", []string{"110"}},
		{"member of another network", `id: "mem-erin"`, "", []string{"110"}},
		{"neither", ``, "", []string{"112"}},
		{"the bot", `username: "bot-app-test"`, "bot-app-test-net-acme", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := `{ member { id } }`
			if tc.args != "" {
				q = `{ member(` + tc.args + `) { id } }`
			}
			r := gql(t, s, s.URL, bearer(tok), q, nil)
			assert.Equal(t, tc.codes, r.codes(), r.Raw)
			if tc.codes == nil {
				assert.Equal(t, tc.id, path(r.Data, "member", "id"))
			} else {
				assert.Equal(t, []any{"member"}, r.Errors[0].Path)
			}
		})
	}
}

func TestMembersQuery(t *testing.T) {
	fx := DefaultFixtures()
	fx.Networks[0].Members = append(fx.Networks[0].Members,
		Member{ID: "mem-gone", Username: "gone", Status: "DELETED"},
		Member{ID: "mem-new", Username: "newbie", Name: "New Person", Status: "UNVERIFIED"},
	)
	s := setup(t, WithFixtures(fx))
	tok := memberToken(t, s)
	cursor := func(id string) string { return memberCursor(&Member{ID: id}) }

	tests := []struct {
		name    string
		args    string
		ids     []string
		total   int
		hasNext bool
	}{
		{"first page", `limit: 2`, []string{"mem-alice", "mem-bob"}, 5, true},
		{"everyone", `limit: 10`, []string{"mem-alice", "mem-bob", "mem-carol", "mem-dave", "mem-new"}, 5, false},
		{"offset", `limit: 2, offset: 2`, []string{"mem-carol", "mem-dave"}, 5, true},
		{"after", `limit: 2, after: "` + cursor("mem-bob") + `"`, []string{"mem-carol", "mem-dave"}, 5, true},
		{"after, last page", `limit: 5, after: "` + cursor("mem-dave") + `"`, []string{"mem-new"}, 5, false},
		{"before", `limit: 2, before: "` + cursor("mem-dave") + `"`, []string{"mem-bob", "mem-carol"}, 5, true},
		{"reverse", `limit: 2, reverse: true`, []string{"mem-new", "mem-dave"}, 5, true},
		{"query", `limit: 10, query: "ALICE@"`, []string{"mem-alice"}, 1, false},
		{"query by name", `limit: 10, query: "person"`, []string{"mem-new"}, 1, false},
		{"roleIds", `limit: 10, roleIds: ["role-member"]`, []string{"mem-carol", "mem-dave", "mem-new"}, 3, false},
		{"status", `limit: 10, status: [BLOCKED, UNVERIFIED]`, []string{"mem-dave", "mem-new"}, 2, false},
		{"zero limit", `limit: 0`, []string{}, 5, true},
		{"no match", `limit: 3, query: "zzz"`, []string{}, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := gql(t, s, s.URL, bearer(tok), `{ members(`+tc.args+`) { totalCount pageInfo { endCursor hasNextPage } edges { cursor node { id } } nodes { id } } }`, nil)
			require.Empty(t, r.Errors, r.Raw)
			ids := []string{}
			for i, n := range path(r.Data, "members", "nodes").([]any) {
				id := path(n, "id").(string)
				ids = append(ids, id)
				assert.Equal(t, id, path(r.Data, "members", "edges", i, "node", "id"))
				assert.Equal(t, cursor(id), path(r.Data, "members", "edges", i, "cursor"))
			}
			assert.Equal(t, tc.ids, ids)
			assert.InDelta(t, tc.total, path(r.Data, "members", "totalCount"), 0)
			assert.Equal(t, tc.hasNext, path(r.Data, "members", "pageInfo", "hasNextPage"))
			if len(ids) > 0 {
				assert.Equal(t, cursor(ids[len(ids)-1]), path(r.Data, "members", "pageInfo", "endCursor"))
			} else {
				assert.Nil(t, path(r.Data, "members", "pageInfo", "endCursor"))
			}
		})
	}

	t.Run("walk every page", func(t *testing.T) {
		var seen []string
		after := ""
		for range 10 {
			r := gql(t, s, s.URL, bearer(tok), `query($after: String) { members(limit: 2, after: $after) { pageInfo { endCursor hasNextPage } nodes { id } } }`, map[string]any{"after": after})
			require.Empty(t, r.Errors, r.Raw)
			for _, n := range path(r.Data, "members", "nodes").([]any) {
				seen = append(seen, path(n, "id").(string))
			}
			if path(r.Data, "members", "pageInfo", "hasNextPage") != true {
				break
			}
			after = path(r.Data, "members", "pageInfo", "endCursor").(string)
		}
		assert.Equal(t, []string{"mem-alice", "mem-bob", "mem-carol", "mem-dave", "mem-new"}, seen)
	})
}

package community_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/community"
)

func TestUpdateMember(t *testing.T) {
	for _, tc := range []struct {
		name  string
		actor community.Actor
		id    string
		in    community.MemberInput
		code  string
	}{
		{"own profile", carol, "", community.MemberInput{Name: ptr("Caroline")}, ""},
		{"own profile by id", carol, "mem-carol", community.MemberInput{Tagline: ptr("Hi")}, ""},
		{"another's", carol, "mem-erin", community.MemberInput{Name: ptr("E")}, community.CodeForbidden},
		{"a moderator another's", bob, "mem-erin", community.MemberInput{Name: ptr("E")}, community.CodeForbidden},
		{"an admin another's", alice, "mem-erin", community.MemberInput{Name: ptr("E")}, ""},
		{"the bot another's", bot, "mem-erin", community.MemberInput{Name: ptr("E")}, ""},
		{"own role", carol, "", community.MemberInput{RoleID: ptr("role-admin")}, community.CodeForbidden},
		{"an admin a role", alice, "mem-carol", community.MemberInput{RoleID: ptr("role-moderator")}, ""},
		{"a stranger", alice, "mem-nobody", community.MemberInput{Name: ptr("N")}, community.CodeNotFound},
		{"an empty username", carol, "", community.MemberInput{Username: ptr("")}, community.CodeInvalid},
		{"a field not JSON", carol, "", community.MemberInput{Fields: []community.MappingField{{Key: "city", Value: "Berlin"}}}, community.CodeInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, rec, _ := newTest(t)
			got, err := c.UpdateMember(tc.actor, tc.id, tc.in)
			target := tc.id
			if target == "" {
				target = tc.actor.MemberID
			}
			if tc.code != "" {
				assert.Equal(t, tc.code, code(err), "%v", err)
				assert.Nil(t, c.Profile("net-acme", target), "a refused update changes nothing")
				assert.Empty(t, rec.names())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, target, got["id"])
			assert.Equal(t, "2026-01-01T12:00:00.000Z", got["updatedAt"])
			assert.Equal(t, got, c.Profile("net-acme", target))
			require.Equal(t, []string{"member.updated"}, rec.names())
			e := rec.last()
			assert.Equal(t, target, e.Target["memberId"])
			assert.Equal(t, target[4:], e.OldObject["name"], "oldObject is the member before")
		})
	}
}

func TestUpdateMemberAccumulates(t *testing.T) {
	c, rec, _ := newTest(t)
	_, err := c.UpdateMember(carol, "", community.MemberInput{Name: ptr("Caroline"), Fields: []community.MappingField{{Key: "city", Value: `"Berlin"`}}})
	require.NoError(t, err)
	got, err := c.UpdateMember(carol, "", community.MemberInput{Tagline: ptr("Hello")})
	require.NoError(t, err)
	assert.Equal(t, "Caroline", got["name"])
	assert.Equal(t, "Caroline", got["displayName"])
	assert.Equal(t, "Hello", got["tagline"])
	assert.Equal(t, []any{map[string]any{"key": "city", "value": `"Berlin"`}}, got["fields"])
	assert.Equal(t, "Caroline", rec.last().OldObject["name"])
	assert.Equal(t, "Hello", rec.last().Object["tagline"])
	assert.Nil(t, c.Profile("net-acme", "mem-erin"))
	assert.Nil(t, c.Profile("net-other", "mem-carol"))
}

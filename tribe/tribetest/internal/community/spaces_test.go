package community_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/community"
)

func TestCreateSpace(t *testing.T) {
	c, rec, _ := newTest(t)
	s, err := c.CreateSpace(alice, community.SpaceInput{Name: ptr("Product Ideas!"), Description: ptr("Share them"), MemberIDs: []string{"mem-carol"}, AdminIDs: []string{"mem-bob"}})
	require.NoError(t, err)
	assert.Equal(t, "Product Ideas!", s["name"])
	assert.Equal(t, "product-ideas", s["slug"])
	assert.Equal(t, "Share them", s["description"])
	assert.Equal(t, "Group", s["type"])
	assert.Equal(t, false, s["private"])
	assert.Equal(t, "mem-alice", s["createdById"])
	assert.Equal(t, 3, s["membersCount"], "the creator, an admin and a member")
	assert.Equal(t, []string{"space.created", "space_membership.created", "space_membership.created", "space_membership.created"}, rec.names())

	page, err := c.SpaceMembers(carol, s["id"].(string), nil, false, nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 3)
	assert.Equal(t, "mem-alice", page.Items[0]["member"])
	assert.Equal(t, "admin", page.Items[0]["role"].(map[string]any)["type"])
	assert.Equal(t, "admin", page.Items[1]["role"].(map[string]any)["type"], "adminIds are admins")
	assert.Equal(t, "member", page.Items[2]["role"].(map[string]any)["type"])

	admins, err := c.SpaceMembers(carol, s["id"].(string), []string{"space-role-admin"}, true, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, admins.Total)
	assert.Equal(t, "mem-bob", admins.Items[0]["member"], "reversed")

	again, err := c.CreateSpace(bot, community.SpaceInput{Name: ptr("Product ideas")})
	require.NoError(t, err)
	assert.Equal(t, "product-ideas-2", again["slug"], "a slug no space has")
}

func TestCreateSpaceRefuses(t *testing.T) {
	c, _, _ := newTest(t)
	_, err := c.CreateSpace(alice, community.SpaceInput{Name: ptr("Taken"), Slug: ptr("taken")})
	require.NoError(t, err)
	for _, tc := range []struct {
		name  string
		actor community.Actor
		in    community.SpaceInput
		code  string
		msg   string
	}{
		{"a member", carol, community.SpaceInput{Name: ptr("Mine")}, community.CodeForbidden, "only an admin"},
		{"a moderator", bob, community.SpaceInput{Name: ptr("Mine")}, community.CodeForbidden, "only an admin"},
		{"no name", alice, community.SpaceInput{}, community.CodeInvalid, "input.name"},
		{"a blank name", alice, community.SpaceInput{Name: ptr("  ")}, community.CodeInvalid, "input.name"},
		{"a long name", alice, community.SpaceInput{Name: ptr(strings.Repeat("n", community.MaxNameLen+1))}, community.CodeInvalid, "input.name"},
		{"a bad slug", alice, community.SpaceInput{Name: ptr("x"), Slug: ptr("Not A Slug")}, community.CodeInvalid, "input.slug"},
		{"a taken slug", alice, community.SpaceInput{Name: ptr("x"), Slug: ptr("taken")}, community.CodeInvalid, "choose another"},
		{"a bad type", alice, community.SpaceInput{Name: ptr("x"), Type: ptr("Forum")}, community.CodeInvalid, "input.type"},
		{"a stranger", alice, community.SpaceInput{Name: ptr("x"), MemberIDs: []string{"mem-nobody"}}, community.CodeNotFound, "input.memberIds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateSpace(tc.actor, tc.in)
			require.Error(t, err)
			assert.Equal(t, tc.code, code(err))
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestUpdateSpace(t *testing.T) {
	c, rec, clock := newTest(t)
	s, err := c.CreateSpace(alice, community.SpaceInput{Name: ptr("Old"), AdminIDs: []string{"mem-carol"}})
	require.NoError(t, err)
	id := s["id"].(string)
	rec.reset()
	clock.advance(time.Second)

	_, err = c.UpdateSpace(erin, id, community.SpaceInput{Name: ptr("Erin's")})
	assert.Equal(t, community.CodeForbidden, code(err), "not an admin of it")
	s, err = c.UpdateSpace(carol, id, community.SpaceInput{Name: ptr("New"), Slug: ptr("new"), Private: ptr(true)})
	require.NoError(t, err, "a space admin may")
	assert.Equal(t, "New", s["name"])
	assert.Equal(t, "new", s["slug"])
	assert.Equal(t, true, s["private"])
	assert.NotEqual(t, s["createdAt"], s["updatedAt"])
	require.Equal(t, []string{"space.updated"}, rec.names())
	assert.Equal(t, "Old", rec.last().OldObject["name"])

	got, err := c.Space(erin, "", "new")
	require.NoError(t, err, "found by its new slug")
	assert.Equal(t, id, got["id"])
	_, err = c.Space(erin, "", "old")
	assert.True(t, community.IsUnknown(err), "the old slug is free: %v", err)
}

func TestDeleteSpace(t *testing.T) {
	c, rec, _ := newTest(t)
	s, err := c.CreateSpace(alice, community.SpaceInput{Name: ptr("Doomed"), MemberIDs: []string{"mem-carol"}})
	require.NoError(t, err)
	id := s["id"].(string)
	post := mustPost(t, c, carol, id, "In it")
	rec.reset()

	assert.Equal(t, community.CodeForbidden, code(c.DeleteSpace(carol, id)))
	require.NoError(t, c.DeleteSpace(bot, id))
	assert.Equal(t, []string{"space.deleted"}, rec.names())
	for name, err := range map[string]error{
		"space":      func() error { _, err := c.Space(carol, id, ""); return err }(),
		"by slug":    func() error { _, err := c.Space(carol, "", "doomed"); return err }(),
		"its post":   func() error { _, err := c.Post(carol, post); return err }(),
		"join":       c.JoinSpace(carol, id),
		"post in it": func() error { _, err := c.CreatePost(carol, id, titled("x", true)); return err }(),
	} {
		assert.Equal(t, community.CodeNotFound, code(err), "%s: %v", name, err)
	}
	page, err := c.Spaces(carol, community.SpaceQuery{}, nil)
	require.NoError(t, err, "the network had spaces")
	assert.Empty(t, page.Items)
	page, err = c.Posts(carol, community.PostQuery{}, nil)
	require.NoError(t, err)
	assert.Empty(t, page.Items)
}

func TestSpacesListsAndFilters(t *testing.T) {
	c, _, clock := newTest(t)
	_, err := c.Spaces(carol, community.SpaceQuery{}, nil)
	assert.True(t, community.IsUnknown(err), "no space yet: %v", err)

	mk := func(in community.SpaceInput) string {
		clock.advance(time.Second)
		s, err := c.CreateSpace(alice, in)
		require.NoError(t, err)
		return s["id"].(string)
	}
	general := mk(community.SpaceInput{Name: ptr("General")})
	news := mk(community.SpaceInput{Name: ptr("News"), Type: ptr("Broadcast")})
	hidden := mk(community.SpaceInput{Name: ptr("Staff room"), Hidden: ptr(true)})
	require.NoError(t, c.JoinSpace(carol, news))
	require.NoError(t, c.JoinSpace(carol, general))
	clock.advance(time.Second)
	_, err = c.UpdateSpace(alice, general, community.SpaceInput{Description: ptr("d")})
	require.NoError(t, err)

	for _, tc := range []struct {
		name  string
		actor community.Actor
		q     community.SpaceQuery
		want  []string
	}{
		{"all a member sees", carol, community.SpaceQuery{}, []string{general, news}},
		{"all an admin sees", alice, community.SpaceQuery{}, []string{general, news, hidden}},
		{"reversed", carol, community.SpaceQuery{Reverse: true}, []string{news, general}},
		{"by name", carol, community.SpaceQuery{Query: "NEW"}, []string{news}},
		{"by type", carol, community.SpaceQuery{Types: []string{"Broadcast"}}, []string{news}},
		{"of a member", erin, community.SpaceQuery{MemberID: "mem-carol"}, []string{general, news}},
		{"by update", alice, community.SpaceQuery{OrderBy: "UPDATED_AT"}, []string{news, hidden, general}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := c.Spaces(tc.actor, tc.q, nil)
			require.NoError(t, err)
			assert.Equal(t, tc.want, ids(page))
		})
	}
}

func TestJoinAndLeaveSpace(t *testing.T) {
	c, rec, _ := newTest(t)
	s, err := c.CreateSpace(alice, community.SpaceInput{Name: ptr("Open")})
	require.NoError(t, err)
	id := s["id"].(string)
	rec.reset()

	require.NoError(t, c.JoinSpace(carol, id))
	require.NoError(t, c.JoinSpace(carol, id), "again: no change")
	require.NoError(t, c.JoinSpace(erin, id))
	got, err := c.Space(carol, id, "")
	require.NoError(t, err)
	assert.Equal(t, 3, got["membersCount"])
	assert.Equal(t, []string{"space_membership.created", "space_membership.created"}, rec.names())
	assert.Equal(t, map[string]any{"networkId": "net-acme", "spaceId": id, "memberId": "mem-erin"}, rec.last().Target)

	require.NoError(t, c.LeaveSpace(carol, id))
	require.NoError(t, c.LeaveSpace(carol, id), "again: no change")
	got, err = c.Space(carol, id, "")
	require.NoError(t, err)
	assert.Equal(t, 2, got["membersCount"])
	page, err := c.SpaceMembers(carol, id, nil, false, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, page.Total)
	assert.Equal(t, "space_membership.deleted", rec.last().Name)
	mine, err := c.Spaces(carol, community.SpaceQuery{MemberID: "mem-carol"}, nil)
	require.NoError(t, err)
	assert.Empty(t, mine.Items)

	assert.True(t, community.IsUnknown(c.JoinSpace(carol, "space-made-up")))
}

func TestPrivateSpace(t *testing.T) {
	c, _, _ := newTest(t)
	s, err := c.CreateSpace(alice, community.SpaceInput{Name: ptr("Private"), Private: ptr(true)})
	require.NoError(t, err)
	id := s["id"].(string)
	inside := mustPost(t, c, alice, id, "Members only")

	assert.Equal(t, community.CodeForbidden, code(c.JoinSpace(carol, id)), "a plain member may not join")
	_, err = c.CreatePost(carol, id, titled("x", true))
	assert.Equal(t, community.CodeForbidden, code(err), "nor post in it")
	_, err = c.Post(carol, inside)
	assert.Equal(t, community.CodeForbidden, code(err), "nor read its posts")
	page, err := c.Posts(carol, community.PostQuery{}, nil)
	require.NoError(t, err)
	assert.Empty(t, page.Items, "nor list them")

	assert.NoError(t, c.JoinSpace(bob, id), "a moderator may join")
	_, err = c.Post(bob, inside)
	assert.NoError(t, err)

	_, err = c.UpdateSpace(alice, id, community.SpaceInput{MemberIDs: []string{"ignored"}})
	require.NoError(t, err)
	invited, err := c.CreateSpace(alice, community.SpaceInput{Name: ptr("Invited"), Private: ptr(true), MemberIDs: []string{"mem-carol"}})
	require.NoError(t, err)
	_, err = c.CreatePost(carol, invited["id"].(string), titled("I was invited", true))
	assert.NoError(t, err, "a member of a private space posts in it")
}

func TestSpacePostsCount(t *testing.T) {
	c, _, _ := newTest(t)
	s, err := c.CreateSpace(alice, community.SpaceInput{Name: ptr("Counted")})
	require.NoError(t, err)
	id := s["id"].(string)
	p1 := mustPost(t, c, carol, id, "one")
	mustPost(t, c, carol, id, "two")
	draft, err := c.CreatePost(carol, id, titled("draft", false))
	require.NoError(t, err)
	_, err = c.CreateReply(carol, p1, titled("a reply", true))
	require.NoError(t, err)
	count := func() any { s, err := c.Space(carol, id, ""); require.NoError(t, err); return s["postsCount"] }
	assert.Equal(t, 2, count(), "published top-level posts")
	_, err = c.UpdatePost(carol, draft["id"].(string), community.PostInput{})
	require.NoError(t, err)
	assert.Equal(t, 3, count(), "a published draft")
	require.NoError(t, c.DeletePost(carol, p1))
	assert.Equal(t, 2, count())
}

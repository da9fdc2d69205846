package community_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/community"
)

func TestCreatePostIsTheCallersWithTheirFields(t *testing.T) {
	c, rec, _ := newTest(t)
	p, err := c.CreatePost(carol, "space-general", titled("Carol's question", true))
	require.NoError(t, err)

	assert.Equal(t, "Carol's question", p["title"])
	assert.Equal(t, "<p>Carol's question</p>", p["shortContent"])
	assert.Equal(t, "mem-carol", p["ownerId"])
	assert.Equal(t, map[string]any{"member": "mem-carol", "space": "space-general"}, p["owner"])
	assert.Equal(t, map[string]any{"member": "mem-carol", "space": "space-general"}, p["createdBy"])
	assert.Equal(t, "PUBLISHED", p["status"])
	assert.Equal(t, "space-general", p["space"])
	assert.Equal(t, "net-acme", p["networkId"])
	assert.Equal(t, "2026-01-01T12:00:00.000Z", p["createdAt"])
	assert.Equal(t, "2026-01-01T12:00:00.000Z", p["publishedAt"])
	assert.Equal(t, 0, p["repliesCount"])
	assert.Equal(t, []any{
		map[string]any{"key": "title", "type": "text", "value": `"Carol's question"`},
		map[string]any{"key": "content", "type": "html", "value": `"<p>Carol's question</p>"`},
	}, p["mappingFields"])
	assert.Equal(t, []any{
		map[string]any{"key": "title", "value": `"Carol's question"`},
		map[string]any{"key": "content", "value": `"<p>Carol's question</p>"`},
	}, p["fields"])

	got, err := c.Post(erin, p["id"].(string))
	require.NoError(t, err)
	assert.Equal(t, p, got)

	require.Equal(t, []string{"post.published"}, rec.names())
	e := rec.last()
	assert.Equal(t, "net-acme", e.NetworkID)
	assert.Equal(t, p["id"], e.Object["id"])
	assert.Equal(t, "Carol's question", e.Object["title"])
	assert.Equal(t, map[string]any{"networkId": "net-acme", "spaceId": "space-general", "postId": p["id"], "postTypeId": "pt-discussion", "memberId": "mem-carol"}, e.Target)
	assert.Equal(t, map[string]any{"id": "mem-carol", "roleId": "role-member", "roleType": "member"}, e.Actor)
}

func TestCreatePostStatusFollowsPublish(t *testing.T) {
	for _, tc := range []struct {
		name    string
		publish *bool
		status  string
		events  []string
	}{
		{"publish true", ptr(true), "PUBLISHED", []string{"post.published"}},
		{"publish false", ptr(false), "DRAFTED", []string{}},
		{"publish left out", nil, "DRAFTED", []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, rec, _ := newTest(t)
			in := titled("Draft?", false)
			in.Publish = tc.publish
			p, err := c.CreatePost(carol, "space-general", in)
			require.NoError(t, err)
			assert.Equal(t, tc.status, p["status"])
			assert.Equal(t, tc.events, rec.names())
			if tc.status == "DRAFTED" {
				assert.Nil(t, p["publishedAt"])
			}
		})
	}
}

func TestCreatePostOwnerID(t *testing.T) {
	for _, tc := range []struct {
		name  string
		actor community.Actor
		owner string
		code  string
		want  string
	}{
		{"a member for themselves", carol, "mem-carol", "", "mem-carol"},
		{"a member for another", carol, "mem-erin", community.CodeForbidden, ""},
		{"a moderator for another", bob, "mem-erin", community.CodeForbidden, ""},
		{"an admin for another", alice, "mem-erin", "", "mem-erin"},
		{"the bot for another", bot, "mem-carol", "", "mem-carol"},
		{"the bot for a stranger", bot, "mem-nobody", community.CodeNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, rec, _ := newTest(t)
			in := titled("For someone", true)
			in.OwnerID = tc.owner
			p, err := c.CreatePost(tc.actor, "space-general", in)
			if tc.code != "" {
				assert.Equal(t, tc.code, code(err), "%v", err)
				assert.Empty(t, rec.names(), "a refused post emits nothing")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, p["ownerId"])
			assert.Equal(t, tc.actor.MemberID, p["createdById"], "createdBy is who called")
		})
	}
}

func TestCreatePostRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		space  string
		fields []community.MappingField
		noType bool
		want   string
	}{
		{"value not JSON", "s", []community.MappingField{{Key: "title", Type: "text", Value: "Hello"}}, false, `value is not JSON`},
		{"title not a string", "s", []community.MappingField{{Key: "title", Type: "text", Value: "42"}}, false, `not a JSON-encoded string`},
		{"empty key", "s", []community.MappingField{{Key: "", Type: "text", Value: `"x"`}}, false, `key is empty`},
		{"repeated key", "s", []community.MappingField{{Key: "title", Type: "text", Value: `"a"`}, {Key: "title", Type: "text", Value: `"b"`}}, false, `repeats`},
		{"unknown type", "s", []community.MappingField{{Key: "title", Type: "markdown", Value: `"x"`}}, false, `type "markdown"`},
		{"no post type", "s", nil, true, "postTypeId is empty"},
		{"no space", "", nil, false, "spaceId is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newTest(t)
			in := community.PostInput{PostTypeID: "pt", MappingFields: tc.fields, Publish: ptr(true)}
			if tc.noType {
				in.PostTypeID = ""
			}
			_, err := c.CreatePost(carol, tc.space, in)
			require.Error(t, err)
			assert.Equal(t, community.CodeInvalid, code(err))
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestCreatePostMapsTheContentToShortContent(t *testing.T) {
	c, _, _ := newTest(t)
	long := make([]rune, community.ShortContentLen+10)
	for i := range long {
		long[i] = 'é'
	}
	p, err := c.CreatePost(carol, "s", community.PostInput{PostTypeID: "pt", MappingFields: []community.MappingField{{Key: "content", Type: "html", Value: community.Quote(string(long))}}})
	require.NoError(t, err)
	assert.Equal(t, string(long[:community.ShortContentLen]), p["shortContent"])
	assert.Equal(t, true, p["hasMoreContent"])
	assert.Nil(t, p["title"], "no title field, no title")
}

func TestUpdatePostPermissions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		actor community.Actor
		code  string
	}{
		{"the owner", carol, ""},
		{"another member", erin, community.CodeForbidden},
		{"a moderator", bob, community.CodeForbidden},
		{"an admin", alice, ""},
		{"the bot", bot, ""},
		{"a blocked member", dave, community.CodeForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, rec, clock := newTest(t)
			id := mustPost(t, c, carol, "s", "Before")
			rec.reset()
			clock.advance(time.Second)
			p, err := c.UpdatePost(tc.actor, id, titled("After", true))
			if tc.code != "" {
				assert.Equal(t, tc.code, code(err), "%v", err)
				got, _ := c.Post(carol, id)
				assert.Equal(t, "Before", got["title"], "a refused update changes nothing")
				assert.Empty(t, rec.names())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "After", p["title"])
			assert.Equal(t, "mem-carol", p["ownerId"], "an update keeps the owner")
			assert.NotEqual(t, p["createdAt"], p["updatedAt"])
			require.Equal(t, []string{"post.updated"}, rec.names())
			assert.Equal(t, "Before", rec.last().OldObject["title"])
			assert.Equal(t, "After", rec.last().Object["title"])
		})
	}
}

func TestUpdatePostPublishesADraft(t *testing.T) {
	c, rec, _ := newTest(t)
	p, err := c.CreatePost(carol, "s", titled("Draft", false))
	require.NoError(t, err)
	id := p["id"].(string)

	p, err = c.UpdatePost(carol, id, community.PostInput{}) // publish defaults to true
	require.NoError(t, err)
	assert.Equal(t, "PUBLISHED", p["status"])
	assert.Equal(t, "Draft", p["title"], "nil mappingFields keep the fields")
	assert.Equal(t, []string{"post.published"}, rec.names())

	p, err = c.UpdatePost(carol, id, community.PostInput{Publish: ptr(false)})
	require.NoError(t, err)
	assert.Equal(t, "DRAFTED", p["status"])
	assert.Equal(t, []string{"post.published", "post.updated"}, rec.names())
}

func TestDeletePostPermissions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		actor community.Actor
		code  string
	}{
		{"the owner", carol, ""},
		{"another member", erin, community.CodeForbidden},
		{"a moderator", bob, ""},
		{"an admin", alice, ""},
		{"the bot", bot, ""},
		{"a blocked member", dave, community.CodeForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, rec, _ := newTest(t)
			id := mustPost(t, c, carol, "s", "Doomed")
			rec.reset()
			err := c.DeletePost(tc.actor, id)
			if tc.code != "" {
				assert.Equal(t, tc.code, code(err), "%v", err)
				_, err := c.Post(carol, id)
				assert.NoError(t, err, "a refused delete keeps the post")
				return
			}
			require.NoError(t, err)
			require.Equal(t, []string{"post.deleted"}, rec.names())
			assert.Equal(t, id, rec.last().Object["id"])

			_, err = c.Post(carol, id)
			assert.Equal(t, community.CodeNotFound, code(err))
			assert.False(t, community.IsUnknown(err), "a deleted post is not an unknown one")
			assert.Equal(t, community.CodeNotFound, code(c.DeletePost(alice, id)))
			_, err = c.UpdatePost(carol, id, titled("x", true))
			assert.Equal(t, community.CodeNotFound, code(err))
		})
	}
}

func TestUnknownPostsAreUnknown(t *testing.T) {
	c, _, _ := newTest(t)
	_, err := c.Post(carol, "made-up")
	assert.True(t, community.IsUnknown(err), "before any post: %v", err)
	mustPost(t, c, carol, "s", "One")
	for _, err := range []error{
		func() error { _, err := c.Post(carol, "made-up"); return err }(),
		func() error { _, err := c.CreateReply(carol, "made-up", titled("r", true)); return err }(),
		func() error { _, err := c.UpdatePost(carol, "made-up", titled("r", true)); return err }(),
		c.DeletePost(carol, "made-up"),
		c.AddReaction(carol, "made-up", "+1"),
		func() error { _, err := c.Post(other, "made-up"); return err }(),
	} {
		assert.Equal(t, community.CodeNotFound, code(err))
		assert.True(t, community.IsUnknown(err), "%v", err)
	}
}

func TestPostOfAnotherNetworkIsUnknown(t *testing.T) {
	c, _, _ := newTest(t)
	id := mustPost(t, c, carol, "s", "Acme only")
	_, err := c.Post(other, id)
	assert.True(t, community.IsUnknown(err), "%v", err)
}

func TestRepliesFollowTheState(t *testing.T) {
	c, rec, _ := newTest(t)
	id := mustPost(t, c, carol, "space-general", "Question")
	r1, err := c.CreateReply(erin, id, titled("Answer", true))
	require.NoError(t, err)
	r2, err := c.CreateReply(carol, r1["id"].(string), titled("Thanks", true))
	require.NoError(t, err)

	assert.Equal(t, "space-general", r1["spaceId"], "a reply is in its post's space")
	assert.Equal(t, id, r1["repliedToId"])
	assert.Equal(t, []any{r1["id"], id}, r2["repliedToIds"])
	assert.Equal(t, "mem-erin", r1["ownerId"])

	p, err := c.Post(carol, id)
	require.NoError(t, err)
	assert.Equal(t, 1, p["repliesCount"])
	assert.Equal(t, 2, p["totalRepliesCount"])
	assert.Equal(t, []string{"post.published", "post.published", "post.published"}, rec.names())

	page, err := c.Replies(carol, id, community.PostQuery{}, nil)
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, r1["id"], page.Items[0]["id"])

	require.NoError(t, c.DeletePost(erin, r1["id"].(string)))
	p, err = c.Post(carol, id)
	require.NoError(t, err)
	assert.Equal(t, 0, p["repliesCount"])
	assert.Equal(t, 0, p["totalRepliesCount"], "a deleted reply takes its replies with it")
	_, err = c.Post(carol, r2["id"].(string))
	assert.Equal(t, community.CodeNotFound, code(err))
}

func TestDraftsAreTheirOwners(t *testing.T) {
	c, _, _ := newTest(t)
	p, err := c.CreatePost(carol, "s", titled("Secret draft", false))
	require.NoError(t, err)
	id := p["id"].(string)
	for _, tc := range []struct {
		actor community.Actor
		code  string
	}{{carol, ""}, {erin, community.CodeForbidden}, {bob, ""}, {alice, ""}} {
		_, err := c.Post(tc.actor, id)
		assert.Equal(t, tc.code, code(err), "%s: %v", tc.actor.MemberID, err)
	}
	_, err = c.CreateReply(carol, id, titled("r", true))
	assert.Equal(t, community.CodeForbidden, code(err), "no reply to a draft")
}

func TestBlockedMemberCanDoNothing(t *testing.T) {
	c, _, _ := newTest(t)
	id := mustPost(t, c, carol, "s", "Public")
	space, err := c.CreateSpace(alice, community.SpaceInput{Name: ptr("Open")})
	require.NoError(t, err)
	for name, err := range map[string]error{
		"createPost":     func() error { _, err := c.CreatePost(dave, "s", titled("x", true)); return err }(),
		"createReply":    func() error { _, err := c.CreateReply(dave, id, titled("x", true)); return err }(),
		"post":           func() error { _, err := c.Post(dave, id); return err }(),
		"posts":          func() error { _, err := c.Posts(dave, community.PostQuery{}, nil); return err }(),
		"addReaction":    c.AddReaction(dave, id, "+1"),
		"joinSpace":      c.JoinSpace(dave, space["id"].(string)),
		"space":          func() error { _, err := c.Space(dave, space["id"].(string), ""); return err }(),
		"updateMember":   func() error { _, err := c.UpdateMember(dave, "", community.MemberInput{Name: ptr("D")}); return err }(),
		"appSettings":    func() error { _, err := c.AppSettings(dave, "app"); return err }(),
		"no member":      func() error { _, err := c.Post(community.Actor{NetworkID: "net-acme"}, id); return err }(),
		"updateSettings": func() error { _, err := c.UpdateAppSettings(dave, "app", "{}"); return err }(),
	} {
		assert.Equal(t, community.CodeForbidden, code(err), "%s: %v", name, err)
	}
}

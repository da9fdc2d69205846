package community_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/community"
)

// TestConcurrentMembers has 8 members post, reply, react, join and
// leave at once; every post each created reads back, and the counts agree
// with what was done. Run it with -race.
func TestConcurrentMembers(t *testing.T) {
	c, rec, _ := newTest(t)
	space, err := c.CreateSpace(alice, community.SpaceInput{Name: ptr("Busy")})
	require.NoError(t, err)
	sid := space["id"].(string)
	const rounds = 200
	var wg sync.WaitGroup
	created := make([][]string, 8)
	for w := range 8 {
		a := community.Actor{NetworkID: "net-acme", MemberID: fmt.Sprintf("mem-w%d", w), Role: "member", Status: "VERIFIED"}
		wg.Go(func() {
			for i := range rounds {
				p, err := c.CreatePost(a, sid, titled(fmt.Sprintf("%s %d", a.MemberID, i), true))
				if !assert.NoError(t, err) {
					return
				}
				id := p["id"].(string)
				created[w] = append(created[w], id)
				assert.NoError(t, c.AddReaction(a, id, "+1"))
				_, err = c.CreateReply(a, id, titled("re", true))
				assert.NoError(t, err)
				assert.NoError(t, c.JoinSpace(a, sid))
				_, err = c.Posts(a, community.PostQuery{SpaceIDs: []string{sid}}, func(total int) (int, int, error) { return 0, min(total, 10), nil })
				assert.NoError(t, err)
				if i%2 == 1 {
					assert.NoError(t, c.LeaveSpace(a, sid))
				}
			}
		})
	}
	wg.Wait()

	for w, list := range created {
		require.Len(t, list, rounds)
		for _, id := range list {
			p, err := c.Post(carol, id)
			require.NoError(t, err, "worker %d's post %s", w, id)
			assert.Equal(t, 1, p["reactionsCount"])
			assert.Equal(t, 1, p["repliesCount"])
		}
	}
	page, err := c.Posts(carol, community.PostQuery{SpaceIDs: []string{sid}}, nil)
	require.NoError(t, err)
	assert.Equal(t, 8*rounds, page.Total)
	s, err := c.Space(carol, sid, "")
	require.NoError(t, err)
	assert.Equal(t, 1, s["membersCount"], "every worker left last; the creator stays")
	assert.Equal(t, 8*rounds, s["postsCount"])
	members, err := c.SpaceMembers(carol, sid, nil, false, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, members.Total)

	published := 0
	for _, n := range rec.names() {
		if n == "post.published" {
			published++
		}
	}
	assert.Equal(t, 2*8*rounds, published, "one event per post and reply")
}

func TestTheStateIsBounded(t *testing.T) {
	c, rec, _ := newTest(t)
	id := mustPost(t, c, carol, "s", "x")
	rec.reset()
	c.Objects().Store(community.MaxObjects)
	_, err := c.CreatePost(carol, "s", titled("one more", true))
	assert.Equal(t, community.CodeServer, code(err))
	assert.Contains(t, err.Error(), "reset it")
	assert.Equal(t, community.CodeServer, code(c.AddReaction(carol, id, "+1")))
	_, err = c.CreateSpace(alice, community.SpaceInput{Name: ptr("one more")})
	assert.Equal(t, community.CodeServer, code(err))
	assert.Empty(t, rec.names(), "nothing refused is emitted")

	c.Objects().Store(0)
	c.Bytes().Store(community.MaxBytes - 10)
	_, err = c.CreatePost(carol, "s", titled(strings.Repeat("x", 100), true))
	assert.Equal(t, community.CodeServer, code(err), "bytes are bounded too")
	assert.EqualValues(t, community.MaxBytes-10, c.Bytes().Load(), "a refusal gives back what it reserved")
	assert.EqualValues(t, 0, c.Objects().Load())
}

func TestDeletionGivesBackItsBytes(t *testing.T) {
	c, _, _ := newTest(t)
	id := mustPost(t, c, carol, "s", strings.Repeat("x", 1000))
	require.NoError(t, c.AddReaction(erin, id, "+1"))
	before := c.Bytes().Load()
	require.Greater(t, before, int64(2000))
	require.NoError(t, c.DeletePost(carol, id))
	assert.EqualValues(t, 0, c.Bytes().Load())
	assert.EqualValues(t, 1, c.Objects().Load(), "the tombstone stays")
}

func TestTimesComeFromTheClock(t *testing.T) {
	c, _, clock := newTest(t)
	clock.advance(48 * time.Hour)
	p, err := c.CreatePost(carol, "s", titled("later", true))
	require.NoError(t, err)
	assert.Equal(t, "2026-01-03T12:00:00.000Z", p["createdAt"])
}

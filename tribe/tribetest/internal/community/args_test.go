package community_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/community"
)

func TestInputsOfArguments(t *testing.T) {
	post := community.PostInputOf(map[string]any{
		"postTypeId": "pt", "ownerId": "mem-erin", "publish": true,
		"mappingFields": []any{map[string]any{"key": "title", "type": "text", "value": `"T"`}},
	})
	assert.Equal(t, community.PostInput{PostTypeID: "pt", OwnerID: "mem-erin", Publish: ptr(true), MappingFields: []community.MappingField{{Key: "title", Type: "text", Value: `"T"`}}}, post)
	assert.Nil(t, community.PostInputOf(map[string]any{"publish": nil}).Publish, "null is left out")
	assert.Nil(t, community.PostInputOf(nil).MappingFields)

	space := community.SpaceInputOf(map[string]any{"name": "N", "private": false, "memberIds": []any{"a", "b"}, "adminIds": "c", "type": "Group"})
	assert.Equal(t, community.SpaceInput{Name: ptr("N"), Private: ptr(false), MemberIDs: []string{"a", "b"}, AdminIDs: []string{"c"}, Type: ptr("Group")}, space)

	member := community.MemberInputOf(map[string]any{"displayName": "D", "attributes": map[string]any{"locale": "fr"}, "fields": []any{map[string]any{"key": "k", "value": `"v"`}}})
	assert.Equal(t, community.MemberInput{Name: ptr("D"), Locale: ptr("fr"), Fields: []community.MappingField{{Key: "k", Value: `"v"`}}}, member)
	assert.Equal(t, ptr("N"), community.MemberInputOf(map[string]any{"name": "N", "displayName": "D"}).Name, "name wins")

	assert.Equal(t, community.PostQuery{SpaceIDs: []string{"s"}, OrderBy: "createdAt", Reverse: true}, community.PostQueryOf(map[string]any{"spaceIds": []any{"s"}, "orderBy": "createdAt", "reverse": true, "limit": int64(5)}))
	assert.Equal(t, community.SpaceQuery{Query: "q", MemberID: "m", Types: []string{"Group"}}, community.SpaceQueryOf(map[string]any{"query": "q", "memberId": "m", "type": []any{"Group"}}))
}

package community

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestInputsOfArguments(t *testing.T) {
	post := PostInputOf(map[string]any{
		"postTypeId": "pt", "ownerId": "mem-erin", "publish": true,
		"mappingFields": []any{map[string]any{"key": "title", "type": "text", "value": `"T"`}},
	})
	assert.Equal(t, PostInput{PostTypeID: "pt", OwnerID: "mem-erin", Publish: ptr(true), MappingFields: []MappingField{{Key: "title", Type: "text", Value: `"T"`}}}, post)
	assert.Nil(t, PostInputOf(map[string]any{"publish": nil}).Publish, "null is left out")
	assert.Nil(t, PostInputOf(nil).MappingFields)

	space := SpaceInputOf(map[string]any{"name": "N", "private": false, "memberIds": []any{"a", "b"}, "adminIds": "c", "type": "Group"})
	assert.Equal(t, SpaceInput{Name: ptr("N"), Private: ptr(false), MemberIDs: []string{"a", "b"}, AdminIDs: []string{"c"}, Type: ptr("Group")}, space)

	member := MemberInputOf(map[string]any{"displayName": "D", "attributes": map[string]any{"locale": "fr"}, "fields": []any{map[string]any{"key": "k", "value": `"v"`}}})
	assert.Equal(t, MemberInput{Name: ptr("D"), Locale: ptr("fr"), Fields: []MappingField{{Key: "k", Value: `"v"`}}}, member)
	assert.Equal(t, ptr("N"), MemberInputOf(map[string]any{"name": "N", "displayName": "D"}).Name, "name wins")

	assert.Equal(t, PostQuery{SpaceIDs: []string{"s"}, OrderBy: "createdAt", Reverse: true}, PostQueryOf(map[string]any{"spaceIds": []any{"s"}, "orderBy": "createdAt", "reverse": true, "limit": int64(5)}))
	assert.Equal(t, SpaceQuery{Query: "q", MemberID: "m", Types: []string{"Group"}}, SpaceQueryOf(map[string]any{"query": "q", "memberId": "m", "type": []any{"Group"}}))
}

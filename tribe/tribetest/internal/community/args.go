package community

// The arguments of the GraphQL fields the community answers, as package
// tribetest's executor hands them over (coerced to the schema: strings,
// booleans, lists as []any, input objects as map[string]any), read into
// the community's inputs. Absent and null fields are nil.

// PostInputOf reads a CreatePostInput or UpdatePostInput.
func PostInputOf(in map[string]any) PostInput {
	out := PostInput{PostTypeID: str(in, "postTypeId"), OwnerID: str(in, "ownerId"), Publish: boolPtr(in, "publish")}
	if list, ok := in["mappingFields"].([]any); ok {
		out.MappingFields = make([]MappingField, 0, len(list))
		for _, x := range list {
			f, _ := x.(map[string]any)
			out.MappingFields = append(out.MappingFields, MappingField{Key: str(f, "key"), Type: str(f, "type"), Value: str(f, "value")})
		}
	}
	return out
}

// SpaceInputOf reads a CreateSpaceInput or UpdateSpaceInput.
func SpaceInputOf(in map[string]any) SpaceInput {
	return SpaceInput{
		Name: strPtr(in, "name"), Slug: strPtr(in, "slug"), Description: strPtr(in, "description"),
		Private: boolPtr(in, "private"), Hidden: boolPtr(in, "hidden"), InviteOnly: boolPtr(in, "inviteOnly"),
		Type: strPtr(in, "type"), MemberIDs: strs(in, "memberIds"), AdminIDs: strs(in, "adminIds"),
	}
}

// MemberInputOf reads an UpdateMemberInput; its displayName stands for
// name when name is absent.
func MemberInputOf(in map[string]any) MemberInput {
	out := MemberInput{
		Name: strPtr(in, "name"), Username: strPtr(in, "username"), Tagline: strPtr(in, "tagline"),
		Locale: strPtr(in, "locale"), Email: strPtr(in, "email"), ProfilePictureID: strPtr(in, "profilePictureId"),
		BannerID: strPtr(in, "bannerId"), RoleID: strPtr(in, "roleId"),
	}
	if out.Name == nil {
		out.Name = strPtr(in, "displayName")
	}
	if attrs, ok := in["attributes"].(map[string]any); ok && out.Locale == nil {
		out.Locale = strPtr(attrs, "locale")
	}
	if list, ok := in["fields"].([]any); ok {
		out.Fields = make([]MappingField, 0, len(list))
		for _, x := range list {
			f, _ := x.(map[string]any)
			out.Fields = append(out.Fields, MappingField{Key: str(f, "key"), Value: str(f, "value")})
		}
	}
	return out
}

// PostQueryOf reads the arguments of posts or replies.
func PostQueryOf(args map[string]any) PostQuery {
	return PostQuery{SpaceIDs: strs(args, "spaceIds"), PostTypeIDs: strs(args, "postTypeIds"), OrderBy: str(args, "orderBy"), Reverse: boolOf(args, "reverse")}
}

// SpaceQueryOf reads the arguments of spaces.
func SpaceQueryOf(args map[string]any) SpaceQuery {
	return SpaceQuery{Query: str(args, "query"), MemberID: str(args, "memberId"), Types: strs(args, "type"), OrderBy: str(args, "orderBy"), Reverse: boolOf(args, "reverse")}
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

func strPtr(m map[string]any, k string) *string {
	if s, ok := m[k].(string); ok {
		return &s
	}
	return nil
}

func boolPtr(m map[string]any, k string) *bool {
	if b, ok := m[k].(bool); ok {
		return &b
	}
	return nil
}

func boolOf(m map[string]any, k string) bool {
	b, _ := m[k].(bool)
	return b
}

// strs is a list of strings; a single string stands for a list of one,
// as GraphQL's input coercion has it.
func strs(m map[string]any, k string) []string {
	switch v := m[k].(type) {
	case string:
		return []string{v}
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

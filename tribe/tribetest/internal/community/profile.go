package community

import (
	"encoding/json"
	"maps"
)

// MemberInput is the input of updateMember (UpdateMemberInput): nil
// fields are left as they are. Passwords and settings are not kept.
type MemberInput struct {
	Name             *string
	Username         *string
	Tagline          *string
	Locale           *string
	Email            *string
	ProfilePictureID *string
	BannerID         *string
	// RoleID changes the member's role: admins only.
	RoleID *string
	// Fields are custom fields ({key, value}, a JSON-encoded value); a
	// list replaces the member's.
	Fields []MappingField
}

// profile is what updateMember changed of a member: Member fields, as
// the schema names them.
type profile struct {
	patch map[string]any // shared once stored; replaced on each change
	size  int
}

// maxProfileLen bounds a profile field.
const maxProfileLen = 1000

// UpdateMember changes the profile of member id (a itself when id is
// empty) as a: a member may change their own profile, an admin (or the
// bot) anyone's, and only an admin a role. It returns the fields changed
// so far, with id and updatedAt (package tribetest answers the others
// from its fixtures), and emits member.updated, with the member before
// the change as oldObject.
func (c *Community) UpdateMember(a Actor, id string, in MemberInput) (map[string]any, error) {
	if id == "" {
		id = a.MemberID
	}
	var out map[string]any
	err := c.write(a, func(n *network) error {
		if id != a.MemberID && !a.admin() {
			return forbidden("member %q may update only their own profile; admins may update anyone's", clip(a.MemberID))
		}
		if in.RoleID != nil && !a.admin() {
			return forbidden("only an admin may change a member's role (input.roleId)")
		}
		info := MemberInfo{ID: id}
		if c.member != nil {
			var ok bool
			if info, ok = c.member(a.NetworkID, id); !ok {
				return &Error{Code: CodeNotFound, Message: "member " + clipQ(id) + " not found"}
			}
		}
		pr := n.profiles[id]
		var patch map[string]any
		if pr != nil {
			patch = maps.Clone(pr.patch)
		} else {
			pr = &profile{}
			patch = map[string]any{}
		}
		old := memberObject(n.id, info, pr.patch)
		size := 0
		for _, f := range []struct {
			field string
			v     *string
		}{
			{"name", in.Name}, {"username", in.Username}, {"tagline", in.Tagline}, {"locale", in.Locale},
			{"email", in.Email}, {"profilePictureId", in.ProfilePictureID}, {"bannerId", in.BannerID}, {"roleId", in.RoleID},
		} {
			if f.v == nil {
				continue
			}
			if len(*f.v) > maxProfileLen {
				return invalid("input.%s is longer than %d bytes; shorten it", f.field, maxProfileLen)
			}
			if (f.field == "username" || f.field == "roleId") && *f.v == "" {
				return invalid("input.%s is empty; give one, or leave it out to keep it", f.field)
			}
			patch[f.field] = *f.v
			if f.field == "name" {
				patch["displayName"] = *f.v
			}
		}
		if in.Fields != nil {
			custom := make([]any, len(in.Fields))
			for i, f := range in.Fields {
				if f.Key == "" || len(f.Key) > maxKeyLen || len(f.Value) > maxProfileLen || !json.Valid([]byte(f.Value)) {
					return invalid("input.fields[%d]: a key of 1 to %d bytes and a JSON-encoded value of at most %d bytes, such as \"\\\"Berlin\\\"\"", i, maxKeyLen, maxProfileLen)
				}
				custom[i] = map[string]any{"key": f.Key, "value": f.Value}
			}
			patch["fields"] = custom
		}
		for k, v := range patch {
			if s, ok := v.(string); ok {
				size += len(k) + len(s)
			}
		}
		objects := 0
		if pr.patch == nil {
			objects = 1
		}
		if err := c.reserve("profiles", objects, max(0, size-pr.size)); err != nil {
			return err
		}
		c.release(0, max(0, pr.size-size))
		patch["id"] = id
		patch["updatedAt"] = stamp(c.now())
		pr.patch, pr.size = patch, size
		n.profiles[id] = pr
		c.hasProfiles.Store(true)
		c.event(n, "member.updated", a, memberObject(n.id, info, patch), old, map[string]any{"networkId": n.id, "memberId": id})
		out = patch
		return nil
	})
	return out, err
}

// Profile is what updateMember changed of member id of network
// networkID (Member fields, with id and updatedAt), or nil.
func (c *Community) Profile(networkID, id string) map[string]any {
	if !c.hasProfiles.Load() {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := c.lookupNet(networkID)
	if n == nil {
		return nil
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	if pr := n.profiles[id]; pr != nil {
		return pr.patch
	}
	return nil
}

// memberObject is a member as a webhook event's object: info with the
// changes of patch.
func memberObject(networkID string, info MemberInfo, patch map[string]any) map[string]any {
	o := map[string]any{
		"id": info.ID, "networkId": networkID, "name": info.Name, "username": info.Username,
		"email": info.Email, "roleId": info.RoleID, "status": info.Status,
	}
	for _, k := range []string{"name", "username", "email", "roleId", "tagline", "locale", "profilePictureId", "updatedAt"} {
		if v, ok := patch[k]; ok {
			o[k] = v
		}
	}
	return o
}

package tribe

import (
	"fmt"
	"strings"
)

// PermissionContext is the context a limitedToken is minted for
// (https://developers.bettermode.com/docs/guide/graphql/authentication/app).
type PermissionContext string

// The permission contexts of Tribe's schema.
const (
	ContextNetwork PermissionContext = "NETWORK" // the usual one; the default
	ContextMember  PermissionContext = "MEMBER"
	ContextPost    PermissionContext = "POST"
	ContextSpace   PermissionContext = "SPACE"
)

// ParsePermissionContext reads a context name, in any case.
func ParsePermissionContext(s string) (PermissionContext, error) {
	switch c := PermissionContext(strings.ToUpper(strings.TrimSpace(s))); c {
	case ContextNetwork, ContextMember, ContextPost, ContextSpace:
		return c, nil
	}
	return "", invalidf("unknown permission context %q; use one of NETWORK, MEMBER, POST, SPACE", s)
}

// Identity says whom a token is minted for: the app's bot account in a
// community (MemberID empty) or a member it impersonates. It is comparable,
// so it can key a map.
type Identity struct {
	// NetworkID is the community's id. Required.
	NetworkID string
	// MemberID is the member to impersonate; empty for the bot account.
	MemberID string
	// Context is the permission context; empty means [ContextNetwork].
	Context PermissionContext
	// EntityID is the entity the context refers to; empty means NetworkID,
	// which is right for [ContextNetwork]. Other contexts need it.
	EntityID string
}

// Bot returns the identity of the app's bot account in a community.
func Bot(networkID string) Identity { return Identity{NetworkID: networkID} }

// Impersonate returns the identity of a member of a community.
func Impersonate(networkID, memberID string) Identity {
	return Identity{NetworkID: networkID, MemberID: memberID}
}

// IsBot reports whether the identity is the app's bot account.
func (id Identity) IsBot() bool { return id.MemberID == "" }

// String describes the identity, e.g. "bot@CAx1mZ7I7a" or
// "member Dm12KzW34@CAx1mZ7I7a (SPACE sp1)".
func (id Identity) String() string {
	who := "bot"
	if id.MemberID != "" {
		who = "member " + id.MemberID
	}
	s := who + "@" + id.NetworkID
	if id.Context != "" && id.Context != ContextNetwork || id.EntityID != "" && id.EntityID != id.NetworkID {
		s += fmt.Sprintf(" (%s %s)", id.Context, id.EntityID)
	}
	return s
}

// Normalize checks the identity and returns it with its defaults filled in:
// Context [ContextNetwork] when empty, and EntityID the network's id for
// that context. Two identities that name the same token normalize to the
// same value, so a normalized Identity can key a map. Bad input is refused
// with [ErrInvalidInput].
func (id Identity) Normalize() (Identity, error) {
	if strings.TrimSpace(id.NetworkID) == "" {
		return id, invalidf("the network id is empty; give the community's id (Tribe shows it in the community's settings)")
	}
	for _, f := range []struct{ name, v string }{{"network id", id.NetworkID}, {"member id", id.MemberID}, {"entity id", id.EntityID}} {
		if f.v != strings.TrimSpace(f.v) || hasControl(f.v) {
			return id, invalidf("the %s %q has spaces or control characters around or in it; give the bare id", f.name, f.v)
		}
	}
	if id.Context == "" {
		id.Context = ContextNetwork
	}
	c, err := ParsePermissionContext(string(id.Context))
	if err != nil {
		return id, err
	}
	id.Context = c
	if id.EntityID == "" {
		if c != ContextNetwork {
			return id, invalidf("context %s needs an entity id (the %s's id); only NETWORK defaults it to the network id", c, strings.ToLower(string(c)))
		}
		id.EntityID = id.NetworkID
	}
	return id, nil
}

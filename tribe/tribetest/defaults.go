package tribetest

import "time"

// The ids and credentials of [DefaultFixtures], which [NewServer] uses
// unless given [WithFixtures].
const (
	// DefaultAppID is the default app's id (the appId claim of its tokens).
	DefaultAppID = "app-test"
	// DefaultClientID is the default app's client id.
	DefaultClientID = "test-client-id"
	// DefaultClientSecret is the default app's client secret.
	DefaultClientSecret = "test-client-secret"

	// DefaultNetworkID is the community the default app is installed on.
	DefaultNetworkID = "net-acme"
	// OtherNetworkID is a community the default app is NOT installed on:
	// limitedToken for it answers Forbidden.
	OtherNetworkID = "net-other"

	// AdminMemberID is alice, admin of DefaultNetworkID.
	AdminMemberID = "mem-alice"
	// ModeratorMemberID is bob, moderator of DefaultNetworkID.
	ModeratorMemberID = "mem-bob"
	// PlainMemberID is carol, a plain member of DefaultNetworkID.
	PlainMemberID = "mem-carol"
	// BlockedMemberID is dave, a BLOCKED member of DefaultNetworkID.
	BlockedMemberID = "mem-dave"
	// OtherMemberID is erin, admin of OtherNetworkID.
	OtherMemberID = "mem-erin"

	// DefaultPassword is every default member's password.
	DefaultPassword = "tribetest-password"
)

// fixtureEpoch is the creation time of default fixtures and the default
// creation time of fixtures that give none.
func fixtureEpoch() time.Time { return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC) }

// DefaultFixtures returns a fresh copy of the fixtures [NewServer] starts
// with: one app (DefaultClientID / DefaultClientSecret) installed on
// DefaultNetworkID, whose members are an admin, a moderator, a plain member
// and a blocked member, all with DefaultPassword; and OtherNetworkID, with
// one admin, where the app is not installed. Callers may modify the copy.
func DefaultFixtures() *Fixtures {
	epoch := fixtureEpoch()
	member := func(id, username, name, role, status string) Member {
		return Member{
			ID:         id,
			Username:   username,
			Name:       name,
			Email:      username + "@example.com",
			ExternalID: "ext-" + username,
			Password:   DefaultPassword,
			RoleID:     role,
			Status:     status,
			CreatedAt:  epoch,
			UpdatedAt:  epoch,
			VerifiedAt: epoch,
		}
	}
	return &Fixtures{
		Apps: []App{{
			ID:           DefaultAppID,
			Name:         "Test App",
			ClientID:     DefaultClientID,
			ClientSecret: DefaultClientSecret,
			InstalledOn:  []string{DefaultNetworkID},
		}},
		Networks: []Network{
			{
				ID:          DefaultNetworkID,
				Name:        "Acme Community",
				Domain:      "acme.example.com",
				Description: "The default tribetest community.",
				Members: []Member{
					member(AdminMemberID, "alice", "Alice Admin", "role-admin", "VERIFIED"),
					member(ModeratorMemberID, "bob", "Bob Moderator", "role-moderator", "VERIFIED"),
					member(PlainMemberID, "carol", "Carol Member", "role-member", "VERIFIED"),
					member(BlockedMemberID, "dave", "Dave Blocked", "role-member", "BLOCKED"),
				},
			},
			{
				ID:     OtherNetworkID,
				Name:   "Other Community",
				Domain: "other.example.com",
				Members: []Member{
					member(OtherMemberID, "erin", "Erin Other", "role-admin", "VERIFIED"),
				},
			},
		},
	}
}

// defaultRoles are the roles of a network whose fixture gives none.
func defaultRoles() []Role {
	return []Role{
		{ID: "role-admin", Name: "Admin", Type: "admin", Scopes: []string{"*"}},
		{ID: "role-moderator", Name: "Moderator", Type: "moderator", Scopes: []string{"manage:posts", "manage:members"}},
		{ID: "role-member", Name: "Member", Type: "member", Scopes: []string{"read", "write"}},
		{ID: "role-guest", Name: "Guest", Type: "guest", Scopes: []string{"read"}},
	}
}

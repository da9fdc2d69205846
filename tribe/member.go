package tribe

import "time"

// Member is a community member (the schema @tribeplatform/gql-client publishes). Fields the server
// sent as null hold their zero value.
type Member struct {
	ID         string
	Name       string
	Email      string
	Username   string
	ExternalID string // the member's id in the app's own product, if linked
	NetworkID  string
	RoleID     string
	Role       *Role // nil if the server sent none
	Status     string
	Locale     string
	Teammate   bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
	LastSeenAt time.Time
	VerifiedAt time.Time
	Tagline    string
	URL        string
}

// Network is a community (the schema @tribeplatform/gql-client publishes).
type Network struct {
	ID           string
	Name         string
	Domain       string
	OwnerID      string
	Locale       string
	Description  string
	MembersCount int
	CreatedAt    time.Time
	Status       string // archived, published or unpublished
	Visibility   string // private or public
	Roles        []Role
}

// Role is a member role of a community.
type Role struct {
	ID          string
	Name        string
	Type        string // admin, guest, member or moderator
	Scopes      []string
	Visible     bool
	Description string
}

func newMember(f *memberFields) *Member {
	m := &Member{
		ID: f.Id, Name: f.Name, Email: f.Email, Username: f.Username,
		ExternalID: f.ExternalId, NetworkID: f.NetworkId, RoleID: f.RoleId,
		Status: f.Status, Locale: f.Locale, Teammate: f.Teammate,
		CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt, LastSeenAt: f.LastSeenAt,
		VerifiedAt: f.VerifiedAt, Tagline: f.Tagline, URL: f.Url,
	}
	if f.Role != nil {
		r := newRole(&f.Role.roleFields)
		m.Role = &r
	}
	return m
}

func newNetwork(n *networkNetwork) *Network {
	out := &Network{
		ID: n.Id, Name: n.Name, Domain: n.Domain, OwnerID: n.OwnerId,
		Locale: n.Locale, Description: n.Description, MembersCount: n.MembersCount,
		CreatedAt: n.CreatedAt, Status: n.Status, Visibility: n.Visibility,
	}
	for _, r := range n.Roles {
		if r != nil {
			out.Roles = append(out.Roles, newRole(&r.roleFields))
		}
	}
	return out
}

func newRole(f *roleFields) Role {
	return Role{ID: f.Id, Name: f.Name, Type: f.Type, Scopes: f.Scopes, Visible: f.Visible, Description: f.Description}
}

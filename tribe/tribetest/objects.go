package tribetest

import (
	"time"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/automock"
	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// object is a GraphQL object value of the server: its type name, and its
// own answer for a field (resolve.go), which is nil for null, a string
// (also for enums, IDs), int, bool, time.Time (DateTime), []any, another
// object, or mockIt{} to leave the field to the store and the mock.
type object interface {
	graphql.Object
	field(name string, args map[string]any) (any, error)
}

// The GraphQL object types of the schema, over immutable fixture values.

type memberObj struct {
	m  *Member
	nr *netRec
}

func (memberObj) TypeName() string { return "Member" }

func (o memberObj) ident() (string, uint64) { return o.m.ID, automock.EntitySeed("Member", o.m.ID) }

func (memberObj) fixedFields() {}

func (o memberObj) field(name string, _ map[string]any) (any, error) {
	m := o.m
	switch name {
	case "id":
		return &m.ID, nil
	case "name", "displayName": // displayName: the published schema's older name
		return optRef(&m.Name), nil
	case "email":
		return optRef(&m.Email), nil
	case "username":
		return &m.Username, nil
	case "externalId":
		return optRef(&m.ExternalID), nil
	case "networkId":
		return &m.NetworkID, nil
	case "roleId":
		return &m.RoleID, nil
	case "role":
		if r := o.nr.roleByID[m.RoleID]; r != nil {
			return roleObj{r}, nil
		}
		return nil, nil
	case "status":
		return &m.Status, nil
	case "locale":
		return &m.Locale, nil
	case "teammate":
		return m.Teammate, nil
	case "createdAt":
		return &m.CreatedAt, nil
	case "updatedAt":
		return &m.UpdatedAt, nil
	case "lastSeenAt":
		return optTime(m.LastSeenAt), nil
	case "verifiedAt":
		return optTime(m.VerifiedAt), nil
	case "tagline":
		return optRef(&m.Tagline), nil
	case "url":
		return optRef(&m.URL), nil
	}
	return mockIt{}, nil
}

// networkObj is a snapshot of a network taken under the server's lock.
type networkObj struct {
	n            Network
	nr           *netRec
	membersCount int
	s            *Server // for members
}

func (networkObj) TypeName() string { return "Network" }

func (o networkObj) ident() (string, uint64) { return o.n.ID, automock.EntitySeed("Network", o.n.ID) }

func (networkObj) fixedFields() {}

func (o networkObj) field(name string, args map[string]any) (any, error) {
	n := o.n
	switch name {
	case "id":
		return n.ID, nil
	case "name":
		return n.Name, nil
	case "domain":
		return n.Domain, nil
	case "ownerId":
		return n.OwnerID, nil
	case "locale":
		return n.Locale, nil
	case "description":
		return graphql.OptString(n.Description), nil
	case "membersCount":
		return o.membersCount, nil
	case "createdAt":
		return n.CreatedAt, nil
	case "status":
		return n.Status, nil
	case "visibility":
		return n.Visibility, nil
	case "members":
		if o.s != nil {
			return o.s.membersPage(o.nr, args)
		}
	case "roles":
		roles := make([]any, len(o.nr.net.Roles))
		for i := range o.nr.net.Roles {
			roles[i] = roleObj{&o.nr.net.Roles[i]}
		}
		return roles, nil
	}
	return mockIt{}, nil
}

type roleObj struct{ r *Role }

func (roleObj) TypeName() string { return "Role" }

func (o roleObj) ident() (string, uint64) { return o.r.ID, automock.EntitySeed("Role", o.r.ID) }

func (roleObj) fixedFields() {}

func (o roleObj) field(name string, _ map[string]any) (any, error) {
	r := o.r
	switch name {
	case "id":
		return r.ID, nil
	case "name":
		return r.Name, nil
	case "type":
		return graphql.OptString(r.Type), nil
	case "scopes":
		scopes := make([]any, len(r.Scopes))
		for i, s := range r.Scopes {
			scopes[i] = s
		}
		return scopes, nil
	case "visible":
		return !r.Hidden, nil
	case "description":
		return graphql.OptString(r.Description), nil
	}
	return mockIt{}, nil
}

type appTokenObj struct {
	accessToken string
	gatewayURL  string // "" for null
}

func (appTokenObj) TypeName() string { return "AppToken" }

func (o appTokenObj) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "accessToken":
		return o.accessToken, nil
	case "gatewayUrl":
		return graphql.OptString(o.gatewayURL), nil
	}
	return mockIt{}, nil
}

type paginatedObj struct {
	edges, nodes []any
	pageInfo     pageInfoObj
	totalCount   int
}

func (paginatedObj) TypeName() string { return "PaginatedMember" }

func (o paginatedObj) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "edges":
		return o.edges, nil
	case "nodes":
		return o.nodes, nil
	case "pageInfo":
		return o.pageInfo, nil
	case "totalCount":
		return o.totalCount, nil
	}
	return mockIt{}, nil
}

type pageInfoObj struct {
	endCursor   string // "" for null
	hasNextPage bool
}

func (pageInfoObj) TypeName() string { return "PageInfo" }

func (o pageInfoObj) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "endCursor":
		return graphql.OptString(o.endCursor), nil
	case "hasNextPage":
		return o.hasNextPage, nil
	}
	return mockIt{}, nil
}

// optRef is s, or null when *s is empty: a pointer into an immutable
// value, which the executor writes without copying it into an interface.
func optRef(s *string) any {
	if *s == "" {
		return nil
	}
	return s
}

// asString is a string field's value as an object answers it.
func asString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case *string:
		return *x, true
	case *automock.Str:
		return x.String(), true
	case *cursorValue:
		return x.String(), true
	}
	return "", false
}

// optTime is t, or null when zero.
func optTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

package community

// Actor is who asks: a member of a network, as the caller of a GraphQL
// request. Tribe's permissions follow from its role and status.
type Actor struct {
	NetworkID string
	MemberID  string
	// RoleID is the member's role id, Role its type: admin, moderator,
	// member, guest ("" for a custom role, which has a plain member's
	// rights).
	RoleID string
	Role   string
	// Status is the member's status; a BLOCKED, Suspended, DELETED or
	// REMOVED member can do nothing.
	Status string
	// Bot is true for an app's bot member, which acts as an admin.
	Bot bool
}

// admin reports whether a may do anything in its network.
func (a Actor) admin() bool { return a.Bot || a.Role == "admin" }

// moderator reports whether a may delete anyone's posts.
func (a Actor) moderator() bool { return a.admin() || a.Role == "moderator" }

// check refuses an actor who can do nothing: no member, or one who is
// blocked, suspended or gone.
func (a Actor) check() error {
	if a.NetworkID == "" || a.MemberID == "" {
		return forbidden("the request acts as no member; call with a member's access token")
	}
	switch a.Status {
	case "BLOCKED", "Suspended", "DELETED", "REMOVED":
		return forbidden("member %q is %s", clip(a.MemberID), a.Status)
	}
	return nil
}

// eventActor is a as an event's actor.
func (a Actor) eventActor() map[string]any {
	return map[string]any{"id": a.MemberID, "roleId": a.RoleID, "roleType": a.Role}
}

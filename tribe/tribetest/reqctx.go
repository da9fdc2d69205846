package tribetest

import (
	"context"
)

// reqCtx is what the resolution of one GraphQL request shares: the
// graphql.Resolver the server gives the engine for it (see resolve.go).
type reqCtx struct {
	s    *Server
	ctx  context.Context
	auth *authState

	membersRead bool
	memberList  []*Member
	memberObjs  []object // memberObj of memberList[i], made once
	arena       []mockObj

	// firstChunk and firstConn are the room of the request's first chunk
	// of objects and of its first connection, allocated with it.
	firstChunk [smallPage]mockObj
	firstConn  connObj
	connMade   bool
}

// newObj is a pointer to a copy of o, from a chunk of the request's: one
// allocation for many objects.
func (rc *reqCtx) newObj(o mockObj) *mockObj {
	if len(rc.arena) == cap(rc.arena) {
		rc.reserve(min(2*cap(rc.arena)+8, 64))
	}
	rc.arena = append(rc.arena, o)
	return &rc.arena[len(rc.arena)-1]
}

// reserve makes room in the request's chunk for n more objects, with a
// new chunk of n when there is not room.
func (rc *reqCtx) reserve(n int) {
	switch {
	case cap(rc.arena)-len(rc.arena) >= n:
	case rc.arena == nil && n <= len(rc.firstChunk):
		rc.arena = rc.firstChunk[:0:n]
	default:
		rc.arena = make([]mockObj, 0, n)
	}
}

// newConn is a connection object for the request, the room made with it
// for the first.
func (rc *reqCtx) newConn() *connObj {
	if !rc.connMade {
		rc.connMade = true
		return &rc.firstConn
	}
	return new(connObj)
}

// memberAt is the object of members()[i], made once per request.
func (rc *reqCtx) memberAt(i int) object {
	if rc.memberObjs == nil {
		rc.memberObjs = make([]object, len(rc.memberList))
	}
	if rc.memberObjs[i] == nil {
		rc.memberObjs[i] = memberObj{m: rc.memberList[i], nr: rc.net()}
	}
	return rc.memberObjs[i]
}

// net is the caller's network, or nil.
func (rc *reqCtx) net() *netRec {
	if rc.auth == nil {
		return nil
	}
	return rc.auth.net
}

// members are the listed members of the caller's network, read once.
func (rc *reqCtx) members() []*Member {
	if !rc.membersRead {
		rc.membersRead = true
		if nr := rc.net(); nr != nil {
			rc.s.mu.Lock()
			rc.memberList = nr.members[:len(nr.members):len(nr.members)]
			rc.s.mu.Unlock()
		}
	}
	return rc.memberList
}

// fixtureMember is the member id of the caller's network, or nil.
func (rc *reqCtx) fixtureMember(id string) *Member {
	nr := rc.net()
	if nr == nil {
		return nil
	}
	rc.s.mu.Lock()
	defer rc.s.mu.Unlock()
	return rc.s.st.memberIn(nr, id)
}

// network is the caller's network as an object.
func (rc *reqCtx) network() networkObj {
	q := rootObject{s: rc.s, auth: rc.auth}
	return q.network().(networkObj)
}

// caller describes the request's credentials for a Resolver.
func (rc *reqCtx) caller() Caller {
	var c Caller
	a := rc.auth
	if a == nil {
		return c
	}
	if a.app != nil {
		c.AppID = a.app.app.ID
	}
	if a.member != nil {
		c.AppID = a.appID
		c.MemberID, c.RoleID = a.member.ID, a.member.RoleID
		c.NetworkID = a.net.net.ID
		if r := a.net.roleByID[a.member.RoleID]; r != nil {
			c.Role = r.Type
		}
	}
	return c
}

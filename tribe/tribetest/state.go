package tribetest

import (
	"crypto"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// state is the fixtures of one server, indexed. It is guarded by the
// server's mutex. Member and role values are never modified once stored:
// a change stores a new value, so resolvers may keep pointers they read
// under the lock.
type state struct {
	apps        []*appRec
	appByClient map[string]*appRec
	networks    []*netRec
	netByID     map[string]*netRec
	members     map[string]*Member // every member, bots included, by id
}

type appRec struct {
	app       App
	installed map[string]bool
	bots      map[string]*Member // by network id
}

type netRec struct {
	net        Network // Members nil; Roles normalised
	roleByID   map[string]*Role
	adminRole  *Role
	memberRole *Role
	members    []*Member // listed members (no bots), in order
	byUsername map[string]*Member
	byEmail    map[string]*Member
	byExternal map[string]*Member
	jwt        *passthroughKey // nil without passthrough
	created    int             // members created from passthrough tokens
}

// maxIDLen bounds ids, client ids and app names, which the server copies
// into other values (a bot's id, username and name, a member's default
// URL, through a network's default domain), so that fixtures cannot make
// it copy a long string once per member or installation.
const maxIDLen = 200

// maxDomainLen is the longest domain name (RFC 1035 section 2.3.4).
const maxDomainLen = 253

// maxBotAttempts bounds the search for a free bot id and username.
const maxBotAttempts = 1000

// checkLen refuses v, the value of field, when longer than max bytes.
func checkLen(where, field, v string, max int) error {
	if len(v) > max {
		return fmt.Errorf("%s: %s longer than %d bytes; shorten it", where, field, max)
	}
	return nil
}

// The values of the schema's enums that fixtures use.
func roleTypes() []string { return []string{"admin", "guest", "member", "moderator"} }
func memberStatuses() []string {
	return []string{"BLOCKED", "DELETED", "REMOVED", "Suspended", "UNVERIFIED", "VERIFIED"}
}
func networkStatuses() []string   { return []string{"archived", "published", "unpublished"} }
func networkVisibility() []string { return []string{"private", "public"} }

// newState validates and normalises f (which it does not modify).
func newState(f *Fixtures) (*state, error) {
	if f == nil {
		return nil, errors.New("tribetest: nil fixtures; pass DefaultFixtures() or fixtures of your own")
	}
	f = f.Clone()
	if err := checkObjects(f.Objects); err != nil {
		return nil, err
	}
	st := &state{
		appByClient: map[string]*appRec{},
		netByID:     map[string]*netRec{},
		members:     map[string]*Member{},
	}
	for i := range f.Networks {
		n := f.Networks[i]
		members := n.Members
		n.Members = nil
		nr, err := newNetRec(n)
		if err != nil {
			return nil, err
		}
		if st.netByID[nr.net.ID] != nil {
			return nil, fmt.Errorf("tribetest: network %q: duplicate id; give each network an id of its own", clip(nr.net.ID))
		}
		st.netByID[nr.net.ID] = nr
		st.networks = append(st.networks, nr)
		for _, m := range members {
			if _, err := st.addMember(nr, m); err != nil {
				return nil, err
			}
		}
		if nr.net.OwnerID == "" {
			for _, m := range nr.members {
				if nr.roleByID[m.RoleID].Type == "admin" {
					nr.net.OwnerID = m.ID
					break
				}
			}
		} else if m := st.members[nr.net.OwnerID]; m == nil || m.NetworkID != nr.net.ID {
			return nil, fmt.Errorf("tribetest: network %q: owner %q is not one of its members; set ownerId to the id of one of its members, or leave it empty for its first admin", clip(nr.net.ID), clip(nr.net.OwnerID))
		}
	}
	for _, a := range f.Apps {
		where := fmt.Sprintf("tribetest: app %q", clip(a.ClientID))
		for _, c := range []struct{ field, v string }{{"clientId", a.ClientID}, {"id", a.ID}, {"name", a.Name}} {
			if err := checkLen(where, c.field, c.v, maxIDLen); err != nil {
				return nil, err
			}
		}
		if a.ClientID == "" || a.ClientSecret == "" {
			return nil, fmt.Errorf("tribetest: app %q: clientId and clientSecret are required; set both", clip(a.ClientID))
		}
		if strings.Contains(a.ClientID, ":") {
			return nil, fmt.Errorf("tribetest: app %q: a client id cannot contain a colon (RFC 7617); remove it", clip(a.ClientID))
		}
		if st.appByClient[a.ClientID] != nil {
			return nil, fmt.Errorf("tribetest: app %q: duplicate client id; give each app a clientId of its own", clip(a.ClientID))
		}
		if a.ID == "" {
			a.ID = a.ClientID
		}
		if a.Name == "" {
			a.Name = a.ID
		}
		ar := &appRec{app: a, installed: map[string]bool{}, bots: map[string]*Member{}}
		ar.app.InstalledOn = nil
		for _, id := range a.InstalledOn {
			if err := st.install(ar, id); err != nil {
				return nil, err
			}
		}
		st.appByClient[a.ClientID] = ar
		st.apps = append(st.apps, ar)
	}
	return st, nil
}

func newNetRec(n Network) (*netRec, error) {
	if n.ID == "" {
		return nil, errors.New("tribetest: a network needs an id; set its id")
	}
	where := fmt.Sprintf("tribetest: network %q", clip(n.ID))
	if err := checkLen(where, "id", n.ID, maxIDLen); err != nil {
		return nil, err
	}
	if n.Name == "" {
		n.Name = n.ID
	}
	if n.Domain == "" {
		n.Domain = n.ID + ".example.com"
	}
	if err := checkLen(where, "domain", n.Domain, maxDomainLen); err != nil {
		return nil, err
	}
	if n.Locale == "" {
		n.Locale = "en-US"
	}
	if n.Status == "" {
		n.Status = "published"
	}
	if n.Visibility == "" {
		n.Visibility = "public"
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = fixtureEpoch()
	}
	if !slices.Contains(networkStatuses(), n.Status) {
		return nil, fmt.Errorf("%s: status %q is not one of %v; use one of them, or leave it empty for published", where, clip(n.Status), networkStatuses())
	}
	if !slices.Contains(networkVisibility(), n.Visibility) {
		return nil, fmt.Errorf("%s: visibility %q is not one of %v; use one of them, or leave it empty for public", where, clip(n.Visibility), networkVisibility())
	}
	if len(n.Roles) == 0 {
		n.Roles = defaultRoles()
	}
	nr := &netRec{
		roleByID:   map[string]*Role{},
		byUsername: map[string]*Member{},
		byEmail:    map[string]*Member{},
		byExternal: map[string]*Member{},
	}
	for i := range n.Roles {
		r := &n.Roles[i]
		if r.ID == "" {
			return nil, fmt.Errorf("%s: a role needs an id; set its id", where)
		}
		if err := checkLen(where, "role id", r.ID, maxIDLen); err != nil {
			return nil, err
		}
		if nr.roleByID[r.ID] != nil {
			return nil, fmt.Errorf("%s: role %q: duplicate id; give each role of a network an id of its own", where, clip(r.ID))
		}
		if r.Type != "" && !slices.Contains(roleTypes(), r.Type) {
			return nil, fmt.Errorf("%s: role %q: type %q is not one of %v; use one of them, or leave it empty", where, clip(r.ID), clip(r.Type), roleTypes())
		}
		if r.Name == "" {
			r.Name = r.ID
			if r.Type != "" {
				r.Name = strings.ToUpper(r.Type[:1]) + r.Type[1:]
			}
		}
		if r.Scopes == nil {
			r.Scopes = []string{}
		}
		nr.roleByID[r.ID] = r
		if r.Type == "admin" && nr.adminRole == nil {
			nr.adminRole = r
		}
		if r.Type == "member" && nr.memberRole == nil {
			nr.memberRole = r
		}
	}
	nr.net = n
	if n.JWT != nil {
		key, err := newPassthroughKey(*n.JWT)
		if err != nil {
			return nil, fmt.Errorf("%s: jwt: %w", where, err)
		}
		nr.jwt = key
		if id := n.JWT.DefaultRoleID; id != "" {
			r := nr.role(id)
			if r == nil {
				return nil, fmt.Errorf("%s: jwt: defaultRoleId %q is not one of its roles; use the id or type of one of its roles, or leave it empty", where, clip(id))
			}
			key.cfg.DefaultRoleID = r.ID
		}
	}
	return nr, nil
}

// role finds a role by id or, failing that, by type.
func (nr *netRec) role(idOrType string) *Role {
	if r := nr.roleByID[idOrType]; r != nil {
		return r
	}
	for i := range nr.net.Roles {
		if nr.net.Roles[i].Type == idOrType {
			return &nr.net.Roles[i]
		}
	}
	return nil
}

// addMember validates m, fills in defaults and stores it in nr.
func (st *state) addMember(nr *netRec, m Member) (*Member, error) {
	if m.ID == "" {
		return nil, fmt.Errorf("tribetest: network %q: a member needs an id; set its id", clip(nr.net.ID))
	}
	where := fmt.Sprintf("tribetest: member %q", clip(m.ID))
	if !m.Bot { // a bot's id is the server's, made of an app's and a network's
		if err := checkLen(where, "id", m.ID, maxIDLen); err != nil {
			return nil, err
		}
	}
	if m.NetworkID != "" && m.NetworkID != nr.net.ID {
		return nil, fmt.Errorf("%s: networkId %q differs from its network %q; leave networkId empty, or list the member under its own network", where, clip(m.NetworkID), clip(nr.net.ID))
	}
	m.NetworkID = nr.net.ID
	if st.members[m.ID] != nil {
		return nil, fmt.Errorf("%s: duplicate id; give each member, in every network, an id of its own", where)
	}
	if m.Username == "" {
		m.Username = m.ID
	}
	if m.Status == "" {
		m.Status = "VERIFIED"
	}
	if !slices.Contains(memberStatuses(), m.Status) {
		return nil, fmt.Errorf("%s: status %q is not one of %v; use one of them, or leave it empty for VERIFIED", where, clip(m.Status), memberStatuses())
	}
	if m.Locale == "" {
		m.Locale = "en-US"
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = fixtureEpoch()
	}
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = m.CreatedAt
	}
	if m.URL == "" {
		m.URL = "https://" + nr.net.Domain + "/member/" + m.ID
	}
	switch {
	case m.RoleID == "" && nr.memberRole != nil:
		m.RoleID = nr.memberRole.ID
	case m.RoleID == "":
		return nil, fmt.Errorf("%s: no roleId, and network %q has no role of type member; set roleId, or give the network a role of type member", where, clip(nr.net.ID))
	default:
		r := nr.role(m.RoleID)
		if r == nil {
			return nil, fmt.Errorf("%s: role %q is not a role of network %q; set roleId to the id or type of one of its roles", where, clip(m.RoleID), clip(nr.net.ID))
		}
		m.RoleID = r.ID
	}
	username := strings.ToLower(m.Username)
	email := strings.ToLower(m.Email)
	if nr.byUsername[username] != nil {
		return nil, fmt.Errorf("%s: username %q is taken in network %q; give each member of a network a username of its own (case does not count)", where, clip(m.Username), clip(nr.net.ID))
	}
	if email != "" && nr.byEmail[email] != nil {
		return nil, fmt.Errorf("%s: email %q is taken in network %q; give each member of a network an email of its own (case does not count)", where, clip(m.Email), clip(nr.net.ID))
	}
	if m.ExternalID != "" && nr.byExternal[m.ExternalID] != nil {
		return nil, fmt.Errorf("%s: external id %q is taken in network %q; give each member of a network an externalId of its own", where, clip(m.ExternalID), clip(nr.net.ID))
	}
	p := &m
	st.members[m.ID] = p
	nr.byUsername[username] = p
	if email != "" {
		nr.byEmail[email] = p
	}
	if m.ExternalID != "" {
		nr.byExternal[m.ExternalID] = p
	}
	if !m.Bot {
		nr.members = append(nr.members, p)
	}
	return p, nil
}

// install installs app ar on network id, creating its bot member there.
func (st *state) install(ar *appRec, id string) error {
	nr := st.netByID[id]
	if nr == nil {
		return fmt.Errorf("tribetest: app %q: installed on unknown network %q; install it only on networks of the fixtures", clip(ar.app.ClientID), clip(id))
	}
	if ar.installed[id] {
		return nil
	}
	if nr.adminRole == nil {
		return fmt.Errorf("tribetest: app %q: network %q has no admin role for the app's bot; give the network a role of type admin", clip(ar.app.ClientID), clip(id))
	}
	if ar.bots[id] == nil {
		bot := Member{
			ID:       "bot-" + ar.app.ID + "-" + id,
			Name:     ar.app.Name + " Bot",
			Username: "bot-" + ar.app.ID,
			RoleID:   nr.adminRole.ID,
			Bot:      true,
		}
		for i := 2; st.members[bot.ID] != nil || nr.byUsername[strings.ToLower(bot.Username)] != nil; i++ {
			if i > maxBotAttempts {
				return fmt.Errorf("tribetest: app %q: no free id for its bot on network %q: bot-%s-%s and %d more are taken; give the app another id, or free those member ids", clip(ar.app.ClientID), clip(id), clip(ar.app.ID), clip(id), maxBotAttempts)
			}
			bot.ID = fmt.Sprintf("bot-%s-%s-%d", ar.app.ID, id, i)
			bot.Username = fmt.Sprintf("bot-%s-%d", ar.app.ID, i)
		}
		p, err := st.addMember(nr, bot)
		if err != nil {
			return err
		}
		ar.bots[id] = p
	}
	ar.installed[id] = true
	ar.app.InstalledOn = append(ar.app.InstalledOn, id)
	return nil
}

// uninstall removes the app from network id; its bot stays, as a member
// whose tokens still verify but that limitedToken no longer mints.
func (st *state) uninstall(ar *appRec, id string) {
	if !ar.installed[id] {
		return
	}
	delete(ar.installed, id)
	ar.app.InstalledOn = slices.DeleteFunc(ar.app.InstalledOn, func(s string) bool { return s == id })
}

// memberIn finds member id in network nr.
func (st *state) memberIn(nr *netRec, id string) *Member {
	m := st.members[id]
	if m == nil || m.NetworkID != nr.net.ID {
		return nil
	}
	return m
}

// network returns a copy of nr's network with its listed members.
func (nr *netRec) snapshot() Network {
	n := cloneNetwork(nr.net)
	n.Members = make([]Member, len(nr.members))
	for i, m := range nr.members {
		n.Members[i] = *m
	}
	return n
}

// passthroughKey is a network's parsed JWT passthrough configuration.
type passthroughKey struct {
	cfg     JWTConfig
	secret  []byte           // HS256
	public  crypto.PublicKey // PEM
	jwksURL string
}

package tribetest

import "fmt"

// The server's fixtures as tests see them. Every method returns copies and
// is safe for concurrent use.

// App is the server's default app: the first of its fixtures' apps (with
// [DefaultFixtures], client id DefaultClientID). It is the zero App if
// the fixtures have none.
// Safe for concurrent use.
func (s *Server) App() App {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.st.apps) == 0 {
		return App{}
	}
	return cloneApp(s.st.apps[0].app)
}

// Apps returns every app, in fixture order. Safe for concurrent use, like
// every method of [Server].
func (s *Server) Apps() []App {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]App, len(s.st.apps))
	for i, ar := range s.st.apps {
		out[i] = cloneApp(ar.app)
	}
	return out
}

func cloneApp(a App) App {
	a.InstalledOn = append([]string(nil), a.InstalledOn...)
	return a
}

// Network is the server's default network: the first network the default
// app is installed on, else the first network (with [DefaultFixtures],
// DefaultNetworkID). Its Members are the listed members, bots excluded.
// Safe for concurrent use.
func (s *Server) Network() Network {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.st.apps) > 0 && len(s.st.apps[0].app.InstalledOn) > 0 {
		return s.st.netByID[s.st.apps[0].app.InstalledOn[0]].snapshot()
	}
	if len(s.st.networks) == 0 {
		return Network{}
	}
	return s.st.networks[0].snapshot()
}

// Networks returns every network, in fixture order, with their members.
// Safe for concurrent use.
func (s *Server) Networks() []Network {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Network, len(s.st.networks))
	for i, nr := range s.st.networks {
		out[i] = nr.snapshot()
	}
	return out
}

// NetworkByID returns network id, and whether there is one.
// Safe for concurrent use.
func (s *Server) NetworkByID(id string) (Network, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	nr := s.st.netByID[id]
	if nr == nil {
		return Network{}, false
	}
	return nr.snapshot(), true
}

// Members returns the members of every network, bots excluded, network by
// network in fixture order, including those created by JWT passthrough or
// [Server.AddMember].
// Safe for concurrent use.
func (s *Server) Members() []Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Member
	for _, nr := range s.st.networks {
		for _, m := range nr.members {
			out = append(out, *m)
		}
	}
	return out
}

// Member returns member id (of any network, bots included), and whether
// there is one.
// Safe for concurrent use.
func (s *Server) Member(id string) (Member, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.st.members[id]
	if m == nil {
		return Member{}, false
	}
	return *m, true
}

// Bot returns the bot member of app clientID in network networkID, the
// member a limitedToken without impersonateMemberId acts as, and whether
// the app has one there (it does once installed there).
// Safe for concurrent use.
func (s *Server) Bot(clientID, networkID string) (Member, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar := s.st.appByClient[clientID]
	if ar == nil || ar.bots[networkID] == nil {
		return Member{}, false
	}
	return *ar.bots[networkID], true
}

// AddMember adds m to network m.NetworkID, with the defaults and checks of
// fixtures, and returns it as stored.
// Safe for concurrent use.
func (s *Server) AddMember(m Member) (Member, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	nr := s.st.netByID[m.NetworkID]
	if nr == nil {
		return Member{}, fmt.Errorf("tribetest: AddMember: unknown network %q; set NetworkID to the id of one of the server's networks", clip(m.NetworkID))
	}
	m.Bot = false
	p, err := s.st.addMember(nr, m)
	if err != nil {
		return Member{}, err
	}
	return *p, nil
}

// Install installs app clientID on network networkID (creating its bot
// there), so limitedToken for that network succeeds.
// Safe for concurrent use.
func (s *Server) Install(clientID, networkID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar := s.st.appByClient[clientID]
	if ar == nil {
		return fmt.Errorf("tribetest: Install: unknown client id %q; give the clientId of one of the server's apps", clip(clientID))
	}
	was := ar.installed[networkID]
	if err := s.st.install(ar, networkID); err != nil {
		return err
	}
	if !was { // APP_INSTALLED to the app's webhookUrl
		s.deliverInstall(ar, networkID, s.installation(ar, networkID, "", true))
	}
	return nil
}

// Uninstall removes app clientID from network networkID, so limitedToken
// for it answers Forbidden. Tokens already minted keep working until they
// expire or are revoked.
// Safe for concurrent use.
func (s *Server) Uninstall(clientID, networkID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ar := s.st.appByClient[clientID]
	if ar == nil {
		return fmt.Errorf("tribetest: Uninstall: unknown client id %q; give the clientId of one of the server's apps", clip(clientID))
	}
	if ar.installed[networkID] { // APP_UNINSTALLED to the app's webhookUrl
		s.deliverInstall(ar, networkID, s.installation(ar, networkID, "", false))
	}
	s.st.uninstall(ar, networkID)
	return nil
}

package cmdutil

import "strings"

// Missing collects the settings a run lacks, so that one message names
// them all rather than one per run.
type Missing struct{ settings, whats []string }

// Add records a missing setting, described as the user gives it (e.g.
// "TRIBE_CLIENT_ID (or --client-id)"), and what it is ("client id").
func (m *Missing) Add(setting, what string) {
	m.settings = append(m.settings, setting)
	m.whats = append(m.whats, what)
}

// Err is the usage error naming every missing setting, or nil if none is:
// "missing: TRIBE_CLIENT_ID (or --client-id), --network (or
// TRIBE_NETWORK_ID); no client id or community was given", and advice if
// not empty.
func (m *Missing) Err(advice string) error {
	if len(m.settings) == 0 {
		return nil
	}
	whats := m.whats[0]
	if n := len(m.whats); n > 1 {
		whats = strings.Join(m.whats[:n-1], ", ") + " or " + m.whats[n-1]
	}
	msg := "missing: " + strings.Join(m.settings, ", ") + "; no " + whats + " was given"
	if advice != "" {
		msg += "; " + advice
	}
	return Usagef("%s", msg)
}

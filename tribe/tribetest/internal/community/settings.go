package community

import (
	"encoding/json"
	"maps"
)

// maxSettingsLen bounds an app's network settings.
const maxSettingsLen = 64 << 10

// UpdateAppSettings stores settings, a JSON object, as app appID's
// settings on a's network (updateAppNetworkSettings), as a: an admin or
// the bot. It returns them.
func (c *Community) UpdateAppSettings(a Actor, appID, settings string) (string, error) {
	err := c.write(a, func(n *network) error {
		if !a.admin() {
			return forbidden("only an admin or the app's bot may change an app's settings, and member %q is not one", clip(a.MemberID))
		}
		if appID == "" {
			return invalid("appId is empty; give the app's id")
		}
		if len(settings) > maxSettingsLen {
			return invalid("settings is longer than %d bytes; store less", maxSettingsLen)
		}
		var obj map[string]any
		if json.Unmarshal([]byte(settings), &obj) != nil || obj == nil {
			return invalid("settings is not a JSON object; send the settings JSON-encoded, such as \"{\\\"greeting\\\":\\\"Hello\\\"}\"")
		}
		old, had := n.settings[appID]
		objects := 1
		if had {
			objects = 0
		}
		if err := c.reserve("settings", objects, max(0, len(settings)-len(old))); err != nil {
			return err
		}
		c.release(0, max(0, len(old)-len(settings)))
		next := maps.Clone(n.settings) // events share the map they were given
		next[appID] = settings
		n.settings = next
		return nil
	})
	if err != nil {
		return "", err
	}
	return settings, nil
}

// AppSettings is app appID's settings on a's network
// (getAppNetworkSettings), "{}" when none were stored, as a: an admin or
// the bot.
func (c *Community) AppSettings(a Actor, appID string) (string, error) {
	if !a.admin() {
		if err := a.check(); err != nil {
			return "", err
		}
		return "", forbidden("only an admin or the app's bot may read an app's settings, and member %q is not one", clip(a.MemberID))
	}
	out := ""
	err := c.read(a, func(n *network) error {
		out = c.settingsOf(n, appID)
		return nil
	})
	return out, err
}

// Settings is app appID's settings on network networkID, "{}" when none
// were stored: what a request to the app carries as currentSettings.
func (c *Community) Settings(networkID, appID string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := c.lookupNet(networkID)
	if n == nil {
		return "{}"
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	return c.settingsOf(n, appID)
}

func (c *Community) settingsOf(n *network, appID string) string {
	if n != nil {
		if s, ok := n.settings[appID]; ok {
			return s
		}
	}
	return "{}"
}

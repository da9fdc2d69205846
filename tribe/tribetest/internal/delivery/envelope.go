package delivery

import (
	"bytes"
	"encoding/json"
)

// Envelope is a request to an app as Tribe lays it out, the same for
// every type (https://developers.bettermode.com/docs/guide/webhooks/getting-started):
// {networkId, context, entityId, currentSettings, type, data, entities}.
type Envelope struct {
	NetworkID string
	// Context is the permission context (NETWORK when empty) and
	// EntityID its entity (the network when empty).
	Context  string
	EntityID string
	// AppID and Settings are the app's settings on the network (a JSON
	// object, as updateAppNetworkSettings stores them): currentSettings
	// holds them, and is empty when Settings is.
	AppID    string
	Settings string
	Type     string
	Data     any
	// Network and Actor are entities.network and entities.actor, when
	// set.
	Network map[string]any
	Actor   map[string]any
}

// Body is e's JSON, written as JavaScript's JSON.stringify writes it (no
// escaping of <, > and &), ready to sign.
func (e Envelope) Body() ([]byte, error) {
	type settings struct {
		ID        string          `json:"id"`
		AppID     string          `json:"appId"`
		NetworkID string          `json:"networkId"`
		Context   string          `json:"context"`
		EntityID  string          `json:"entityId"`
		Settings  json.RawMessage `json:"settings"`
	}
	type envelope struct {
		NetworkID       string         `json:"networkId"`
		Context         string         `json:"context"`
		EntityID        string         `json:"entityId"`
		CurrentSettings []settings     `json:"currentSettings"`
		Type            string         `json:"type"`
		Data            any            `json:"data"`
		Entities        map[string]any `json:"entities,omitempty"`
	}
	out := envelope{NetworkID: e.NetworkID, Context: e.Context, EntityID: e.EntityID, CurrentSettings: []settings{}, Type: e.Type, Data: e.Data}
	if out.Context == "" {
		out.Context = "NETWORK"
	}
	if out.EntityID == "" {
		out.EntityID = e.NetworkID
	}
	if e.Settings != "" && json.Valid([]byte(e.Settings)) {
		out.CurrentSettings = append(out.CurrentSettings, settings{
			ID: e.AppID + ":" + e.NetworkID, AppID: e.AppID, NetworkID: e.NetworkID,
			Context: "NETWORK", EntityID: e.NetworkID, Settings: json.RawMessage(e.Settings),
		})
	}
	if e.Network != nil || e.Actor != nil {
		out.Entities = map[string]any{}
		if e.Network != nil {
			out.Entities["network"] = e.Network
		}
		if e.Actor != nil {
			out.Entities["actor"] = e.Actor
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

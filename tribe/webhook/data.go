package webhook

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// Event is a SUBSCRIPTION request's data: something happened in the
// community (https://developers.bettermode.com/docs/guide/webhooks/events-list).
// Object (and OldObject, for an update) is the member, space, post... as
// Tribe sends it, raw; Raw is the whole event.
type Event struct {
	// ID is unique to the event; a retried delivery repeats it.
	ID string `json:"id"`
	// Time is when it happened (zero if Tribe sent none that parses).
	Time time.Time `json:"-"`
	// Name is noun.verb in lower case, such as member.created or
	// post.published.
	Name             string          `json:"name"`
	Noun             string          `json:"noun,omitempty"`
	Verb             string          `json:"verb,omitempty"`
	VerbAction       string          `json:"verbAction,omitempty"`
	ShortDescription string          `json:"shortDescription,omitempty"`
	Actor            *Actor          `json:"actor,omitempty"`
	Object           json.RawMessage `json:"object,omitempty"`
	OldObject        json.RawMessage `json:"oldObject,omitempty"`
	Target           *Target         `json:"target,omitempty"`
	Raw              json.RawMessage `json:"-"`
}

// Actor is who did what an [Event] tells.
type Actor struct {
	ID            string `json:"id"`
	RoleID        string `json:"roleId,omitempty"`
	RoleType      string `json:"roleType,omitempty"`
	SpaceRoleID   string `json:"spaceRoleId,omitempty"`
	SpaceRoleType string `json:"spaceRoleType,omitempty"`
}

// Target names the objects an [Event] is about.
type Target struct {
	OrganizationID string `json:"organizationId,omitempty"`
	NetworkID      string `json:"networkId,omitempty"`
	SpaceID        string `json:"spaceId,omitempty"`
	PostID         string `json:"postId,omitempty"`
	MemberID       string `json:"memberId,omitempty"`
	PostTypeID     string `json:"postTypeId,omitempty"`
	ReplyID        string `json:"replyId,omitempty"`
	ReactionID     string `json:"reactionId,omitempty"`
	TagID          string `json:"tagId,omitempty"`
}

// UnmarshalJSON decodes an event, its time leniently (see [Event].Time),
// keeping its raw JSON.
func (e *Event) UnmarshalJSON(b []byte) error {
	type plain Event
	var s struct {
		*plain
		Time lenientTime `json:"time"`
	}
	s.plain = (*plain)(e)
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	e.Time = time.Time(s.Time)
	e.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// Installation is an APP_INSTALLED or APP_UNINSTALLED request's data: the
// app's installation on a community (or one of its entities). An install
// and its uninstall share the installation's ID.
type Installation struct {
	ID                   string          `json:"id"`
	NetworkID            string          `json:"networkId"`
	NetworkInfo          json.RawMessage `json:"networkInfo,omitempty"`
	AppID                string          `json:"appId"`
	AppVersion           string          `json:"appVersion,omitempty"`
	Status               string          `json:"status,omitempty"`
	Context              string          `json:"context,omitempty"`
	EntityID             string          `json:"entityId,omitempty"`
	Permissions          []string        `json:"permissions,omitempty"`
	InstalledByID        string          `json:"installedById,omitempty"`
	UninstalledByID      string          `json:"uninstalledById,omitempty"`
	UninstallationReason string          `json:"uninstallationReason,omitempty"`
	CreatedAt            time.Time       `json:"-"`
	UpdatedAt            time.Time       `json:"-"`
	InstalledAt          time.Time       `json:"-"`
	Raw                  json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes an installation, its times leniently, keeping its
// raw JSON.
func (in *Installation) UnmarshalJSON(b []byte) error {
	type plain Installation
	var s struct {
		*plain
		CreatedAt   lenientTime `json:"createdAt"`
		UpdatedAt   lenientTime `json:"updatedAt"`
		InstalledAt lenientTime `json:"installedAt"`
	}
	s.plain = (*plain)(in)
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	in.CreatedAt, in.UpdatedAt, in.InstalledAt = time.Time(s.CreatedAt), time.Time(s.UpdatedAt), time.Time(s.InstalledAt)
	in.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// InteractionInput is an INTERACTION request's data: a member opened one of
// the app's dynamic blocks or shortcuts, or submitted its form
// (https://developers.bettermode.com/docs/guide/apps/interactivity/interactions).
// The first load of a block has no CallbackID; a form submit carries the
// CallbackID the app gave and the Inputs filled in.
type InteractionInput struct {
	ActorID         string          `json:"actorId"`
	AppID           string          `json:"appId"`
	InteractionID   string          `json:"interactionId"`
	Preview         bool            `json:"preview,omitempty"`
	DynamicBlockKey string          `json:"dynamicBlockKey,omitempty"`
	ShortcutKey     string          `json:"shortcutKey,omitempty"`
	CallbackID      string          `json:"callbackId,omitempty"`
	Inputs          json.RawMessage `json:"inputs,omitempty"`
	Raw             json.RawMessage `json:"-"`
}

// ShortcutsStatesInput is a SHORTCUTS_STATES request's data: Tribe asks
// which state each of the app's stateful shortcuts is in, for each entity
// (https://developers.bettermode.com/docs/guide/apps/interactivity/shortcuts).
// Answer with [ShortcutStates].
type ShortcutsStatesInput struct {
	Member   *Entity           `json:"member,omitempty"`
	Role     *Entity           `json:"role,omitempty"`
	Entities []ShortcutsEntity `json:"entities"`
	Raw      json.RawMessage   `json:"-"`
}

// ShortcutsEntity is an entity whose shortcuts' states Tribe asks for.
type ShortcutsEntity struct {
	Context   string   `json:"context"`
	Entity    *Entity  `json:"entity"`
	Shortcuts []string `json:"shortcuts"`
}

// SearchInput is a FEDERATED_SEARCH request's data: what a member searched
// for. Answer with [SearchResults].
type SearchInput struct {
	Query string          `json:"query"`
	Raw   json.RawMessage `json:"-"`
}

// SettingsUpdate is a legacy UPDATE_SETTINGS request's data: the settings
// to save. Answer with [Store] to have Tribe keep them.
type SettingsUpdate struct {
	Settings json.RawMessage `json:"settings,omitempty"`
	Raw      json.RawMessage `json:"-"`
}

// Challenge returns a TEST request's challenge, which the answer echoes.
func (r *Request) Challenge() (string, error) {
	var d struct {
		Challenge string `json:"challenge"`
	}
	if err := decodeData(r.Data, &d); err != nil {
		return "", err
	}
	if d.Challenge == "" {
		return "", malformed("the TEST request has no data.challenge")
	}
	return d.Challenge, nil
}

// Event decodes a SUBSCRIPTION request's data.
func (r *Request) Event() (*Event, error) {
	var e Event
	if err := decodeData(r.Data, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// Installation decodes an APP_INSTALLED or APP_UNINSTALLED request's data.
func (r *Request) Installation() (*Installation, error) {
	var in Installation
	if err := decodeData(r.Data, &in); err != nil {
		return nil, err
	}
	return &in, nil
}

// Interaction decodes an INTERACTION request's data.
func (r *Request) Interaction() (*InteractionInput, error) {
	var in InteractionInput
	if err := decodeData(r.Data, &in); err != nil {
		return nil, err
	}
	in.Raw = rawData(r.Data)
	return &in, nil
}

// ShortcutsStates decodes a SHORTCUTS_STATES request's data.
func (r *Request) ShortcutsStates() (*ShortcutsStatesInput, error) {
	var in ShortcutsStatesInput
	if err := decodeData(r.Data, &in); err != nil {
		return nil, err
	}
	in.Raw = rawData(r.Data)
	return &in, nil
}

// Search decodes a FEDERATED_SEARCH request's data.
func (r *Request) Search() (*SearchInput, error) {
	var in SearchInput
	if err := decodeData(r.Data, &in); err != nil {
		return nil, err
	}
	in.Raw = rawData(r.Data)
	return &in, nil
}

// SettingsUpdate decodes an UPDATE_SETTINGS request's data.
func (r *Request) SettingsUpdate() (*SettingsUpdate, error) {
	var in SettingsUpdate
	if err := decodeData(r.Data, &in); err != nil {
		return nil, err
	}
	in.Raw = rawData(r.Data)
	return &in, nil
}

// rawData is data unless it is null.
func rawData(data json.RawMessage) json.RawMessage {
	if len(data) == 0 || isNull(data) {
		return nil
	}
	return data
}

// lenientTime decodes a time sent as an RFC 3339 string or a number of
// milliseconds (or, below 10^11, seconds) since the epoch; anything else is
// the zero time, not an error: a time in an odd form must not make a
// request undeliverable.
type lenientTime time.Time

func (t *lenientTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if json.Unmarshal(b, &s) == nil {
			if v, err := time.Parse(time.RFC3339Nano, s); err == nil {
				*t = lenientTime(v)
			}
		}
		return nil
	}
	if n, err := strconv.ParseFloat(string(b), 64); err == nil && n > 0 && n < 1e15 {
		ms := int64(n)
		if n < 1e11 {
			ms = int64(n * 1000)
		}
		*t = lenientTime(time.UnixMilli(ms))
	}
	return nil
}

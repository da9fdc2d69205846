package webhook

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
)

// Sample describes a realistic request of one type, in the shapes of
// Bettermode's docs, for tests and tools that play Tribe's part: the
// tribe-token webhook send command, a mock's deliveries. Every field is
// optional; see [Sample.Body].
type Sample struct {
	// Type is the request's type: "" is SUBSCRIPTION when Event is set,
	// else TEST. A type [Types] does not list needs Data.
	Type string
	// Event is a SUBSCRIPTION's event name, one of [SampleEvents]
	// (another needs Data).
	Event string
	// NetworkID is the community (default "net-acme"), ActorID the member
	// who acts (default "mem-alice") and AppID the app (default "app-1").
	NetworkID string
	ActorID   string
	AppID     string
	// ID is the event's, installation's or interaction's id: "" draws a
	// fresh random one, so that each sample is a new delivery.
	ID string
	// Challenge is a TEST's challenge: "" draws a random one.
	Challenge string
	// Data, if set, is the request's data in place of the sample's.
	Data json.RawMessage
	// Time is when the event happened (zero: now).
	Time time.Time
}

// SampleEvents lists the event names [Sample] has a sample of: the events
// Bettermode documents (https://developers.bettermode.com/docs/guide/webhooks/events-list).
func SampleEvents() []string {
	return []string{
		"member.created", "member.verified", "member.updated", "member.deleted",
		"member_invitation.created", "member_invitation.accepted", "member_invitation.rejected",
		"space.created", "space.updated", "space.deleted",
		"space_membership.created", "space_membership.deleted",
		"space_join_request.created", "space_join_request.accepted", "space_join_request.rejected",
		"post.created", "post.published", "post.updated", "post.deleted", "post.blocked", "post.unblocked",
		"post.unpublished", "post.pinned",
		"moderation.created", "moderation.accepted", "moderation.rejected",
	}
}

// sampleEnvelope is a request as Tribe lays it out.
type sampleEnvelope struct {
	NetworkID       string         `json:"networkId"`
	Context         string         `json:"context"`
	EntityID        string         `json:"entityId"`
	CurrentSettings []any          `json:"currentSettings"`
	Type            string         `json:"type"`
	Data            any            `json:"data"`
	Entities        map[string]any `json:"entities,omitempty"`
}

// Body returns the sample's JSON body, ready to sign with [Sign]. An
// unknown type or event without Data, or Data that is not a JSON object,
// is refused with [ErrInvalidInput].
func (s Sample) Body() ([]byte, error) {
	typ := s.Type
	if typ == "" {
		typ = TypeTest
		if s.Event != "" {
			typ = TypeSubscription
		}
	}
	if err := checkType(typ); err != nil {
		return nil, invalidf("Sample.Type: %s", strings.TrimPrefix(err.Error(), "webhook: "))
	}
	if s.Event != "" && typ != TypeSubscription {
		return nil, invalidf("Sample.Event is set for a %s request; events are SUBSCRIPTION requests: leave Type empty or SUBSCRIPTION", typ)
	}
	s.defaults()
	var data any
	if len(s.Data) > 0 {
		if !isObject(s.Data) || !json.Valid(s.Data) {
			return nil, invalidf("Sample.Data is not a JSON object; give the request's data as one, such as {\"challenge\":\"c-1\"}")
		}
		data = s.Data
	} else {
		var err error
		if data, err = s.data(typ); err != nil {
			return nil, err
		}
	}
	env := sampleEnvelope{
		NetworkID:       s.NetworkID,
		Context:         "NETWORK",
		EntityID:        s.NetworkID,
		CurrentSettings: []any{},
		Type:            typ,
		Data:            data,
	}
	if typ != TypeTest {
		env.Entities = map[string]any{
			"network": map[string]any{"id": s.NetworkID, "name": "Acme Community", "domain": "community.acme.example"},
			"actor":   s.member(),
		}
	}
	return json.Marshal(env)
}

func (s *Sample) defaults() {
	if s.NetworkID == "" {
		s.NetworkID = "net-acme"
	}
	if s.ActorID == "" {
		s.ActorID = "mem-alice"
	}
	if s.AppID == "" {
		s.AppID = "app-1"
	}
	if s.Time.IsZero() {
		s.Time = time.Now()
	}
	if s.ID == "" {
		s.ID = randomID()
	}
	if s.Challenge == "" {
		s.Challenge = randomID()
	}
}

// data is the sample's data for typ.
func (s Sample) data(typ string) (any, error) {
	at := s.Time.UTC().Format("2006-01-02T15:04:05.000Z")
	switch typ {
	case TypeTest:
		return map[string]any{"challenge": s.Challenge}, nil
	case TypeSubscription:
		return s.event(at)
	case TypeAppInstalled, TypeAppUninstalled:
		in := map[string]any{
			"id": s.ID, "networkId": s.NetworkID, "appId": s.AppID, "appVersion": "1.0.0",
			"networkInfo": map[string]any{"id": s.NetworkID, "name": "Acme Community", "domain": "community.acme.example"},
			"status":      "ENABLED", "context": "NETWORK", "entityId": s.NetworkID,
			"permissions": []string{}, "installedById": s.ActorID,
			"createdAt": at, "updatedAt": at, "installedAt": at,
		}
		if typ == TypeAppUninstalled {
			in["status"] = "DELETED"
			in["uninstalledById"] = s.ActorID
			in["uninstallationReason"] = "no longer needed"
		}
		return in, nil
	case TypeInteraction:
		return map[string]any{
			"actorId": s.ActorID, "appId": s.AppID, "interactionId": s.ID, "preview": false,
			"dynamicBlockKey": "settings", "shortcutKey": nil, "callbackId": nil, "inputs": nil,
		}, nil
	case TypeShortcutsStates:
		return map[string]any{
			"member": s.member(),
			"role":   map[string]any{"id": "role-admin", "name": "Admin", "type": "admin"},
			"entities": []any{map[string]any{
				"context":   "POST",
				"entity":    map[string]any{"id": "post-1", "title": "Welcome to Acme", "spaceId": "space-general"},
				"shortcuts": []string{"favorite"},
			}},
		}, nil
	case TypeFederatedSearch:
		return map[string]any{"query": "welcome"}, nil
	case TypeGetSettings:
		return map[string]any{}, nil
	case TypeUpdateSettings:
		return map[string]any{"settings": map[string]any{"greeting": "Hello, Acme"}}, nil
	}
	return nil, invalidf("no sample of type %s; give Sample.Data, or one of %s", typ, strings.Join(Types(), ", "))
}

// event is a SUBSCRIPTION's data: the event named s.Event.
func (s Sample) event(at string) (any, error) {
	known := false
	for _, n := range SampleEvents() {
		known = known || n == s.Event
	}
	if !known {
		if s.Event == "" {
			return nil, invalidf("Sample.Event is empty for a SUBSCRIPTION; give an event name, one of %s", strings.Join(SampleEvents(), ", "))
		}
		return nil, invalidf("no sample of the event %q; give Sample.Data, or one of %s", clip(s.Event), strings.Join(SampleEvents(), ", "))
	}
	noun, verb, _ := strings.Cut(s.Event, ".")
	object, target := s.object(noun, at)
	ev := map[string]any{
		"id":         s.ID,
		"time":       at,
		"name":       s.Event,
		"noun":       strings.ToUpper(noun),
		"verb":       strings.ToUpper(verb),
		"verbAction": strings.ToUpper(verb),
		"actor": map[string]any{
			"id": s.ActorID, "roleId": "role-admin", "roleType": "admin",
		},
		"shortDescription": strings.ToUpper(verb[:1]) + verb[1:] + " " + strings.ReplaceAll(noun, "_", " "),
		"object":           object,
		"target":           target,
	}
	if verb == "updated" {
		old := map[string]any{}
		for k, v := range object {
			old[k] = v
		}
		old["name"] = "(before the update)"
		ev["oldObject"] = old
	}
	return ev, nil
}

// object is the object and target of an event on noun.
func (s Sample) object(noun, at string) (map[string]any, map[string]any) {
	target := map[string]any{"organizationId": "org-acme", "networkId": s.NetworkID}
	switch noun {
	case "member":
		target["memberId"] = "mem-new"
		return map[string]any{"id": "mem-new", "networkId": s.NetworkID, "name": "Nora New", "username": "nora",
			"email": "nora@example.com", "status": "VERIFIED", "roleId": "role-member", "createdAt": at, "updatedAt": at}, target
	case "member_invitation":
		return map[string]any{"id": "inv-1", "networkId": s.NetworkID, "inviteeEmail": "nora@example.com",
			"inviterId": s.ActorID, "status": "PENDING", "createdAt": at}, target
	case "space":
		target["spaceId"] = "space-general"
		return map[string]any{"id": "space-general", "networkId": s.NetworkID, "name": "General", "slug": "general",
			"private": false, "createdById": s.ActorID, "createdAt": at, "updatedAt": at}, target
	case "space_membership":
		target["spaceId"], target["memberId"] = "space-general", "mem-new"
		return map[string]any{"spaceId": "space-general", "memberId": "mem-new", "roleId": "role-space-member",
			"createdAt": at}, target
	case "space_join_request":
		target["spaceId"], target["memberId"] = "space-general", "mem-new"
		return map[string]any{"id": "sjr-1", "spaceId": "space-general", "requesterId": "mem-new",
			"status": "PENDING", "createdAt": at}, target
	case "moderation":
		target["postId"], target["spaceId"] = "post-1", "space-general"
		return map[string]any{"id": "mod-1", "entityId": "post-1", "entityType": "POST", "spaceId": "space-general",
			"status": "REVIEW", "createdAt": at}, target
	}
	target["postId"], target["spaceId"], target["postTypeId"] = "post-1", "space-general", "pt-discussion"
	return map[string]any{"id": "post-1", "networkId": s.NetworkID, "spaceId": "space-general",
		"postTypeId": "pt-discussion", "title": "Welcome to Acme", "isReply": false, "status": "PUBLISHED",
		"ownerId": s.ActorID, "createdAt": at, "publishedAt": at, "updatedAt": at}, target
}

// member is the acting member, as an entity.
func (s Sample) member() map[string]any {
	return map[string]any{"id": s.ActorID, "name": "Alice Admin", "username": "alice"}
}

// randomID is a fresh random id.
func randomID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// clip bounds a value echoed in a message.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}

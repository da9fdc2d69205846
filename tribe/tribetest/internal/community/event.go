package community

import (
	"strings"
	"time"
)

// Event is something that happened in a network, as Tribe tells an app
// in a SUBSCRIPTION request (https://developers.bettermode.com/docs/guide/webhooks/events-list):
// post.published, post.updated, post.deleted, space.created,
// space.updated, space.deleted, space_membership.created,
// space_membership.deleted, member.updated. Its maps are shared and
// must not be modified.
type Event struct {
	// ID is unique to the event, across servers: a delivery retried
	// repeats it.
	ID        string
	Name      string
	NetworkID string
	Time      time.Time
	// Actor is {id, roleId, roleType} of the member who acted.
	Actor map[string]any
	// Object is the object after the change (before, for a deletion),
	// OldObject the object before an update.
	Object    map[string]any
	OldObject map[string]any
	// Target names what the event is about: networkId, spaceId, postId,
	// memberId.
	Target map[string]any
	// Settings are the apps' settings on the network when it happened
	// (app id to a JSON object), for the currentSettings of a request
	// to an app: Options.Emit may not call the community back.
	Settings map[string]string
}

// Data is e as a SUBSCRIPTION request's data: {id, time, name, noun,
// verb, verbAction, shortDescription, actor, object, oldObject?, target}.
func (e Event) Data() map[string]any {
	noun, verb, _ := strings.Cut(e.Name, ".")
	d := map[string]any{
		"id":               e.ID,
		"time":             stamp(e.Time),
		"name":             e.Name,
		"noun":             strings.ToUpper(noun),
		"verb":             strings.ToUpper(verb),
		"verbAction":       strings.ToUpper(verb),
		"shortDescription": describe(noun, verb),
		"actor":            e.Actor,
		"object":           e.Object,
		"target":           e.Target,
	}
	if e.OldObject != nil {
		d["oldObject"] = e.OldObject
	}
	return d
}

// describe is an event's short description, such as "Post published".
func describe(noun, verb string) string {
	s := strings.ReplaceAll(noun, "_", " ") + " " + verb
	return strings.ToUpper(s[:1]) + s[1:]
}

// event hands a new event to Options.Emit; n's lock is held, so events
// leave in commit order.
func (c *Community) event(n *network, name string, a Actor, object, old, target map[string]any) {
	if c.emit == nil {
		return
	}
	c.emit(Event{
		ID:        c.newEventID(),
		Name:      name,
		NetworkID: n.id,
		Time:      c.now(),
		Actor:     a.eventActor(),
		Object:    object,
		OldObject: old,
		Target:    target,
		Settings:  n.settings,
	})
}

// Package community is the state the mock Tribe server keeps of the
// objects apps touch, and Tribe's rules over it: posts and replies
// (mappingFields with JSON-encoded values, title and shortContent, owner,
// PUBLISHED or DRAFTED, repliesCount), reactions (reactionsCount,
// reactions), spaces (create, update, delete, join, leave, membersCount,
// spaceMembers; a private space refuses a plain member), members' profile
// changes and apps' network settings.
//
// Permissions are Tribe's, answered with its codes
// (https://developers.bettermode.com/docs/guide/graphql/errors): 102 when
// an actor may not (a member updates or deletes only their own posts,
// moderators and admins delete anyone's, a blocked member does nothing,
// the app's bot acts as an admin), 110 for an object that was deleted,
// 106 for bad input. An id the community never held is 110 with
// [Error].Unknown set, which package tribetest answers mocked, as it did
// before it kept state.
//
// Objects are JSON-like maps with the field names of Tribe's published
// schema, as package tribetest's Store holds them: a Post's owner is
// {member, space}, its space the space's id. Each change produces the
// [Event] Tribe would send an app
// (https://developers.bettermode.com/docs/guide/webhooks/events-list),
// handed over in commit order per network.
//
// The state starts from a [Seed] (the fixtures' objects), and
// [Community.Reset] puts it back. Lookups are maps; each network has a
// lock of its own; the whole state is bounded.
package community

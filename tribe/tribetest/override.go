package tribetest

import (
	"context"
	"fmt"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
)

// Resolver answers one field in place of the server: see [Server.Resolve].
// It returns a JSON-like value as a [Store] holds (maps, lists, strings,
// numbers, booleans; an object as a map, or its id), which fields it
// lacks are completed from the store and mocked; or an error, answered as
// a GraphQL error on the field ([FieldError] sets its code).
type Resolver func(ctx ResolveContext, args map[string]any) (any, error)

// ResolveContext is what a [Resolver] knows of the field it answers and of
// who asks. It is a context.Context: the request's, canceled when the
// client goes away or the server closes.
type ResolveContext struct {
	context.Context
	// Type and Field name the field being resolved (the concrete type of
	// the object, e.g. "Mutation" and "createPost").
	Type, Field string
	// ParentID is the id of the object whose field it is, "" when it has
	// none (the Query and Mutation types).
	ParentID string
	// Caller is who the request acts as.
	Caller Caller
	// Store is the server's store.
	Store *Store
}

// Caller is who a GraphQL request acts as: the app, network, member and
// role of its Bearer token; empty strings when there is none (a request
// with Basic credentials has AppID only).
type Caller struct {
	AppID     string
	NetworkID string
	MemberID  string
	// RoleID is the member's role id, Role its type (admin, moderator,
	// member, guest; "" for a custom role).
	RoleID string
	Role   string
}

// FieldError is an error a [Resolver] returns to answer a GraphQL error
// with Tribe's code Code (such as "110", not found) and message Message.
// Other errors answer code 10 with their text.
type FieldError struct {
	Code    string
	Message string
}

func (e *FieldError) Error() string { return "tribetest: " + e.Message + " (code " + e.Code + ")" }

// resolverEntry is an override: a Resolver of Go code, or a static stub
// of the admin API.
type resolverEntry struct {
	fn   Resolver
	stub bool
}

// fieldKey names a field of a type.
type fieldKey struct{ typ, field string }

// overrides are the server's resolvers by type and field, replaced as a
// whole on each change so that requests read them without a lock.
type overrides struct {
	mu sync.Mutex
	m  map[fieldKey]resolverEntry
}

// Resolve makes fn answer field field of type typeName (an object type of
// the schema: "Query", "Mutation", "Post", …) from now on, in place of the
// fixtures, the store and mocking; a nil fn removes the override. A
// mutation made stateful in a few lines:
//
//	srv.Resolve("Mutation", "createPost", func(ctx tribetest.ResolveContext, args map[string]any) (any, error) {
//		id := fmt.Sprintf("post-%d", len(ctx.Store.IDs("Post"))+1)
//		input, _ := args["input"].(map[string]any)
//		post := map[string]any{"spaceId": args["spaceId"], "ownerId": ctx.Caller.MemberID, "postTypeId": input["postTypeId"]}
//		if err := ctx.Store.Set("Post", id, post); err != nil {
//			return nil, err
//		}
//		return map[string]any{"id": id}, nil // the stored post, the rest mocked
//	})
//
// Safe for concurrent use; fn may be called concurrently.
func (s *Server) Resolve(typeName, field string, fn Resolver) error {
	if err := s.checkField("Resolve", typeName, field); err != nil {
		return err
	}
	s.setOverride(fieldKey{typeName, field}, resolverEntry{fn: fn})
	return nil
}

// Stub makes field field of type typeName answer value (JSON-like, as a
// [Store] holds), as the admin API's POST /__admin/stubs does; a nil
// value answers null. [Server.Resolve] with a nil Resolver removes it.
func (s *Server) Stub(typeName, field string, value any) error {
	if err := s.checkField("Stub", typeName, field); err != nil {
		return err
	}
	v, _, err := copyJSON(value)
	if err != nil {
		return fmt.Errorf("tribetest: Stub(%q, %q): the value is not JSON: %v; give maps, lists, strings, numbers and booleans", clip(typeName), clip(field), err)
	}
	s.setOverride(fieldKey{typeName, field}, resolverEntry{stub: true, fn: func(ResolveContext, map[string]any) (any, error) { return v, nil }})
	return nil
}

func (s *Server) checkField(method, typeName, field string) error {
	def := s.schema.Types[typeName]
	if def == nil || def.Kind != ast.Object {
		return fmt.Errorf("tribetest: %s(%q, %q): the schema has no object type %q; name one of its object types, such as Query or Mutation", method, clip(typeName), clip(field), clip(typeName))
	}
	if def.Fields.ForName(field) == nil {
		return fmt.Errorf("tribetest: %s(%q, %q): type %s has no field %q; name one of its fields", method, clip(typeName), clip(field), typeName, clip(field))
	}
	return nil
}

func (s *Server) setOverride(key fieldKey, e resolverEntry) {
	s.over.mu.Lock()
	defer s.over.mu.Unlock()
	m := make(map[fieldKey]resolverEntry, len(s.over.m)+1)
	for k, v := range s.over.m {
		m[k] = v
	}
	if e.fn == nil {
		delete(m, key)
	} else {
		m[key] = e
	}
	s.over.m = m
	s.overMap.Store(&m)
}

// clearStubs removes the static stubs, keeping the Resolvers of Go code.
func (s *Server) clearStubs() {
	s.over.mu.Lock()
	defer s.over.mu.Unlock()
	m := map[fieldKey]resolverEntry{}
	for k, v := range s.over.m {
		if !v.stub {
			m[k] = v
		}
	}
	s.over.m = m
	s.overMap.Store(&m)
}

// resolverFor is the override of typeName.field, or nil.
func (s *Server) resolverFor(typeName, field string) Resolver {
	p := s.overMap.Load()
	if p == nil || len(*p) == 0 {
		return nil
	}
	return (*p)[fieldKey{typeName, field}].fn
}

// Store is the server's store of objects by type and id, seeded from the
// fixtures' objects: see [Store].
// Safe for concurrent use.
func (s *Server) Store() *Store { return s.store }

package cache

import (
	"container/list"
	"context"
	"net/url"
	"strings"
	"sync"

	"github.com/tribekit/tribekit/tribe"
	"golang.org/x/oauth2"
)

// Store keeps tokens beside a [Cache], by key, so that caches in other
// processes can find them. Keys are made by [StoreKey] and name the
// namespace (for an app: its endpoint and client id) and the identity.
// Implementations must be safe for concurrent use, must not log tokens, and
// may drop entries at will.
//
// A Store that serializes tokens must keep AccessToken and, for clients to
// find the community's gateway, [tribe.GatewayURL](tok): restore it with
// [tribe.WithGatewayURL]. Expiry may be dropped: the cache reads it again
// from the JWT. Tokens are credentials: keep them as you would a password.
type Store interface {
	// Get returns the token stored at key, or nil and no error if there is
	// none.
	Get(ctx context.Context, key string) (*oauth2.Token, error)
	// Put stores tok at key.
	Put(ctx context.Context, key string, tok *oauth2.Token) error
	// Delete removes the token at key, if any.
	Delete(ctx context.Context, key string) error
}

// StoreKey returns the key a [Cache] with the given namespace stores the
// token for id under. It holds no secret. id should be normalized
// ([tribe.Identity.Normalize]).
func StoreKey(namespace string, id tribe.Identity) string {
	parts := []string{storeKeyPrefix, namespace, url.PathEscape(id.NetworkID), url.PathEscape(string(id.Context)), url.PathEscape(id.EntityID), url.PathEscape(id.MemberID)}
	return strings.Join(parts, "|")
}

// storeKeyPrefix begins every [StoreKey].
const storeKeyPrefix = "tribekit/v1"

// MemoryStore is a [Store] in this process's memory, bounded: past its size
// the least recently used token is dropped. It is safe for concurrent use.
type MemoryStore struct {
	mu    sync.Mutex
	max   int
	order *list.List // front: most recently used; values are *memItem
	items map[string]*list.Element
}

type memItem struct {
	key string
	tok *oauth2.Token
}

// NewMemoryStore returns a store that holds at most size tokens (at least 1).
func NewMemoryStore(size int) *MemoryStore {
	return &MemoryStore{max: max(size, 1), order: list.New(), items: make(map[string]*list.Element)}
}

// Get implements [Store].
func (s *MemoryStore) Get(_ context.Context, key string) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.items[key]; ok {
		s.order.MoveToFront(el)
		return el.Value.(*memItem).tok, nil
	}
	return nil, nil
}

// Put implements [Store].
func (s *MemoryStore) Put(_ context.Context, key string, tok *oauth2.Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.items[key]; ok {
		el.Value.(*memItem).tok = tok
		s.order.MoveToFront(el)
		return nil
	}
	s.items[key] = s.order.PushFront(&memItem{key: key, tok: tok})
	for s.order.Len() > s.max {
		last := s.order.Back()
		s.order.Remove(last)
		delete(s.items, last.Value.(*memItem).key)
	}
	return nil
}

// Delete implements [Store].
func (s *MemoryStore) Delete(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.items[key]; ok {
		s.order.Remove(el)
		delete(s.items, key)
	}
	return nil
}

// Len returns how many tokens the store holds.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.order.Len()
}

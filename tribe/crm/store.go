package crm

import (
	"context"
	"sync"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/redact"
)

// TokenStore keeps the newest token of one CRM grant, so that a rotated
// refresh token survives the process. [Config.TokenSource] loads from it
// when its token has expired and saves every token it gets before handing
// it out; [LoopbackLogin] and [Config.QuickSetup] save the first one.
//
// Load returns an error wrapping [ErrNoToken] when nothing is stored yet.
// Save must store the whole token durably before returning nil, and must leave
// the previous token in place if it fails. Implementations must be safe for
// concurrent use.
type TokenStore interface {
	// Load returns the newest token saved, or an error wrapping
	// [ErrNoToken] if there is none.
	Load(ctx context.Context) (*oauth2.Token, error)
	// Save replaces the stored token with tok, durably, or leaves the old
	// one in place and returns an error.
	Save(ctx context.Context, tok *oauth2.Token) error
}

// Locker is implemented by a [TokenStore] that can be locked across
// processes, as [FileStore] is. [Config.TokenSource] takes the lock around
// loading, refreshing and saving, so that of several processes sharing the
// store only one spends the rotating refresh token and the others load the
// token it saved.
//
// Lock blocks until the lock is held or ctx ends, and returns the function
// that releases it. It must be safe for concurrent use, and calls in one
// process must exclude each other too.
type Locker interface {
	Lock(ctx context.Context) (unlock func() error, err error)
}

// MemoryStore is a [TokenStore] in memory, for tests and short-lived
// programs: what it holds is lost when the process ends. The zero value is an
// empty store. A MemoryStore is safe for concurrent use and must not be copied
// after first use.
type MemoryStore struct {
	mu    sync.Mutex
	tok   *oauth2.Token
	saves int
}

// Load returns a copy of the stored token, or an error wrapping [ErrNoToken].
func (m *MemoryStore) Load(ctx context.Context) (*oauth2.Token, error) {
	if m == nil {
		return nil, errNilMemoryStore()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tok == nil {
		return nil, ErrNoToken
	}
	cp := *m.tok
	return &cp, nil
}

// Save stores a copy of tok.
func (m *MemoryStore) Save(ctx context.Context, tok *oauth2.Token) error {
	if m == nil {
		return errNilMemoryStore()
	}
	if tok == nil {
		return errNilToken()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	cp := *tok
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tok = &cp
	m.saves++
	return nil
}

// Saves reports how many times Save succeeded, for tests.
func (m *MemoryStore) Saves() int {
	if m == nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.saves
}

// String describes the store without its token.
func (m *MemoryStore) String() string { return "crm.MemoryStore{" + redact.Marker + "}" }

// GoString is String, so %#v does not show the token either.
func (m *MemoryStore) GoString() string { return m.String() }

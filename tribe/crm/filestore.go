package crm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/tribekit/tribekit/internal/safefile"
)

// FileStore is a [TokenStore] that keeps the token as JSON (the
// golang.org/x/oauth2 Token fields) in the file at Path, readable and writable
// by its owner only (mode 0600).
//
// Save writes atomically: it writes a temporary file in the same directory,
// flushes it to disk (fsync), and renames it over Path, so a reader or a crash
// sees either the old token or the new one, never a mix, and a failed Save
// leaves the old file as it was. The new file is created with mode 0600 and
// never opened through a link, so a link swapped in meanwhile cannot receive
// the token. A FileStore is safe for concurrent use; of concurrent Saves the
// last rename wins. Its String shows only the path.
//
// Save and Lock refuse, before anything is written: a Path that is a
// symbolic link (give the real file's path instead), a directory on the way
// that every user may write in but is not sticky, a link on the way that
// another user made in a world-writable directory, and in a world-writable
// directory such as /tmp a token or lock file that belongs to another user.
//
// A FileStore is a [Locker]: [Config.TokenSource] holds its lock (an
// exclusive flock on the sidecar file Path+".lock", mode 0600) around
// loading, refreshing and saving, so that two processes sharing the file
// never both spend one rotating refresh token.
type FileStore struct {
	// Path is the token file. Its directory is created (mode 0700) if
	// missing.
	Path string
}

// maxTokenFile bounds what [FileStore.Load] reads: a token file is a few
// kilobytes; a larger file is refused as not one.
const maxTokenFile = 1 << 20

// Load reads the token. It returns an error wrapping [ErrNoToken] (and
// [fs.ErrNotExist]) if the file does not exist, and an error if it is larger
// than 1 MiB, which no token file is.
func (f FileStore) Load(ctx context.Context) (*oauth2.Token, error) {
	if f.Path == "" {
		return nil, errEmptyPath()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b, err := safefile.ReadBounded(f.Path, maxTokenFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %w", ErrNoToken, err)
	}
	if tooLarge := (*safefile.TooLargeError)(nil); errors.As(err, &tooLarge) {
		return nil, fmt.Errorf("crm: token file %s is larger than 1 MiB, too large for a token file: %w", f.Path, err)
	}
	if err != nil {
		return nil, fmt.Errorf("crm: reading token file: %w", err)
	}
	var tok oauth2.Token
	if err := json.Unmarshal(b, &tok); err != nil {
		// The decoder's message names a position or a type, never the
		// file's content.
		return nil, fmt.Errorf("crm: token file %s is not a token: %w", f.Path, err)
	}
	if tok.AccessToken == "" && tok.RefreshToken == "" {
		return nil, fmt.Errorf("%w: token file %s holds no token", ErrNoToken, f.Path)
	}
	return &tok, nil
}

// Save replaces the file's token with tok atomically (see [FileStore]).
func (f FileStore) Save(ctx context.Context, tok *oauth2.Token) error {
	if f.Path == "" {
		return errEmptyPath()
	}
	if tok == nil {
		return errNilToken()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := json.Marshal(tok)
	if err != nil {
		return fmt.Errorf("crm: encoding token: %w", err)
	}
	if err := safefile.WriteFile(f.Path, b, 0o600); err != nil {
		return fmt.Errorf("crm: saving token: %w", err)
	}
	return nil
}

// lockPoll is how often [FileStore.Lock] tries again for a held lock.
const lockPoll = 10 * time.Millisecond

// Lock takes the store's exclusive lock: a flock (see flock(2)) on the file
// Path+".lock" next to the token file, created with mode 0600 if missing,
// along with its directory (0700). It first checks that Save could write
// Path (see [FileStore]), so that a refresh is never spent on a token that
// could not be saved. It waits, trying again every 10 ms, while another
// process or another Lock call holds it, until ctx ends; then it returns
// ctx's error.
// The lock is released by calling unlock, or when the process exits. The
// lock file is left in place: removing it would let two processes lock
// different files. On systems without flock (Windows, Plan 9, Solaris…)
// Lock opens the file but locks nothing.
func (f FileStore) Lock(ctx context.Context) (unlock func() error, err error) {
	if f.Path == "" {
		return nil, errEmptyPath()
	}
	if err := safefile.CheckWritable(f.Path); err != nil {
		return nil, fmt.Errorf("crm: locking token file: the token could not be saved: %w", err)
	}
	lockPath := f.Path + ".lock"
	lf, err := safefile.OpenLock(lockPath)
	if err != nil {
		return nil, fmt.Errorf("crm: locking token file: %w", err)
	}
	for {
		busy, err := tryLock(lf)
		if err != nil {
			_ = lf.Close()
			return nil, fmt.Errorf("crm: locking token file %s: %w", lockPath, err)
		}
		if !busy {
			break
		}
		t := time.NewTimer(lockPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			_ = lf.Close()
			return nil, fmt.Errorf("crm: waiting for the lock on %s, held by another process: %w", lockPath, context.Cause(ctx))
		case <-t.C:
		}
	}
	var once sync.Once
	return func() error {
		err := errors.New("crm: token file lock already released")
		once.Do(func() {
			err = errors.Join(unlockFile(lf), lf.Close())
		})
		return err
	}, nil
}

// String describes the store by its path.
func (f FileStore) String() string { return fmt.Sprintf("crm.FileStore{Path: %q}", f.Path) }

// GoString is String.
func (f FileStore) GoString() string { return f.String() }

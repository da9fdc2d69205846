package redisstore

import (
	"errors"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/tribekit/tribekit/internal/redact"
)

// ErrAuth: Redis refused the client's password (WRONGPASS, or "invalid
// password" from a Redis before 6), or asked for one that was not given
// (NOAUTH). The store carries on without Redis, and a probe keeps trying
// until the password is right (Options.OnRecovered).
var ErrAuth = errors.New("redisstore: Redis refused the password")

// ErrForeignKey: the store found in Redis a value or a channel message that
// another process wrote with other keys (sealed under a key id the store
// does not hold, or unencrypted while the store has keys, or sealed while
// it has none). Those processes share Redis but not their tokens: neither
// reads the other's, so each mints anew, and overwrites the other's, until
// their keys match. See Options.OnForeignKey.
var ErrForeignKey = errors.New("redisstore: another process shares this Redis with other keys")

// degradedError is what Options.OnDegraded is told: why the store carries
// on without Redis, what to do about it when that is known ([ErrAuth],
// [ErrNoTLS], [ErrClearText]), and no password of the URL, even one a
// hostile Redis echoes back.
type degradedError struct {
	err     error
	secrets []string
}

func (e *degradedError) Error() string {
	return redact.String("redisstore: carrying on without Redis: "+strings.TrimPrefix(e.err.Error(), "redisstore: "), e.secrets...)
}

func (e *degradedError) Unwrap() error { return e.err }

// report returns the report of err, a failure of Redis, for
// Options.OnDegraded.
func (s *Store) report(err error) error {
	if reply, ok := authReply(err); ok {
		err = &authError{reply: reply, err: err}
	}
	return &degradedError{err: err, secrets: s.secrets}
}

// authReply returns Redis's reply to an authentication that failed: a
// WRONGPASS or NOAUTH reply (go-redis's IsAuthError), or the "invalid
// password" of a Redis before 6.
func authReply(err error) (string, bool) {
	var re redis.Error
	if !errors.As(err, &re) {
		return "", false
	}
	reply := re.Error()
	if !redis.IsAuthError(err) && !strings.Contains(reply, "invalid password") {
		return "", false
	}
	if len(reply) > 200 { // a Redis's own replies are short
		reply = strings.ToValidUTF8(reply[:200], "") + "…"
	}
	return reply, true
}

// authError is an [ErrAuth] with Redis's reply.
type authError struct {
	reply string
	err   error
}

func (e *authError) Error() string {
	if strings.HasPrefix(e.reply, "NOAUTH") {
		return "redisstore: Redis asks for a password, and none was given (" + e.reply + "); put it in the URL: redis://:PASSWORD@host:port, or redis://USER:PASSWORD@host:port for an ACL user"
	}
	return "redisstore: Redis refused the password (" + e.reply + "); check the user and password in the URL"
}

func (e *authError) Is(target error) bool { return target == ErrAuth }

func (e *authError) Unwrap() error { return e.err }

// foreign tells Options.OnForeignKey of v, a value or message (what) that
// the sealer found written with other keys (errForeignKey): the first time
// only.
func (s *Store) foreign(what string, v []byte) {
	if s.onForeign == nil || s.foreignSeen.Load() || !s.foreignSeen.CompareAndSwap(false, true) {
		return
	}
	s.onForeign(s.seal.foreignError(what, v))
}

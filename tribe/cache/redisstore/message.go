package redisstore

import (
	"strings"

	"github.com/redis/go-redis/v9"
)

// Kinds of [message].
const (
	msgReleased    byte = 'r'
	msgFailed      byte = 'f'
	msgInvalidated byte = 'i'
)

// message is one message of a store's channel. In clear, before it is
// sealed:
//
//	r|<fence>|<store key>          the lease of that fencing value was released (a token may be stored)
//	f|<fence>|<kind>|<store key>   its holder's mint failed with that error kind
//	i|<fingerprint>|<store key>    the token at key was invalidated ("" fingerprint: any)
//
// On the channel it is sealed as a stored value is (AES-256-GCM under the
// store's first key, the channel's name as additional data), so that
// someone who can read or write Redis but holds no key can neither read
// which identity it is about nor forge one; a fencing value binds a
// lease's messages to that lease, so that one replayed later is ignored.
// Without keys (Options.InsecureNoEncryption) messages are in clear text,
// and unauthenticated, like the tokens.
type message struct {
	kind        byte
	key         string
	fence       string // of r and f
	failure     string // of f
	fingerprint string // of i
}

// sealMessage encodes m for the channel.
func (s *Store) sealMessage(m message) (string, error) {
	var plain string
	switch m.kind {
	case msgReleased:
		plain = "r|" + m.fence + "|" + m.key
	case msgFailed:
		plain = "f|" + m.fence + "|" + m.failure + "|" + m.key
	default:
		plain = "i|" + m.fingerprint + "|" + m.key
	}
	v, err := s.seal.sealBytes(s.channel, []byte(plain))
	return string(v), err
}

// openMessage decodes a message of the channel; false for one that is too
// long, not sealed under one of the store's keys for its channel, or of a
// form it does not know. The first written with other keys is reported to
// Options.OnForeignKey.
func (s *Store) openMessage(payload string) (message, bool) {
	if len(payload) > maxMessage {
		return message{}, false
	}
	v := []byte(payload)
	plain, err := s.seal.openBytes([]byte(s.channel), v, true)
	if err != nil {
		if err == errForeignKey {
			s.foreign("channel message", v)
		}
		return message{}, false
	}
	return parseMessage(string(plain))
}

// parseMessage reads a message in clear; false for one it does not know.
func parseMessage(plain string) (message, bool) {
	kind, rest, ok := strings.Cut(plain, "|")
	if !ok || len(kind) != 1 {
		return message{}, false
	}
	m := message{kind: kind[0]}
	switch m.kind {
	case msgReleased:
		m.fence, m.key, ok = strings.Cut(rest, "|")
	case msgFailed:
		var more string
		if m.fence, more, ok = strings.Cut(rest, "|"); ok {
			m.failure, m.key, ok = strings.Cut(more, "|")
			ok = ok && m.failure != ""
		}
	case msgInvalidated:
		m.fingerprint, m.key, ok = strings.Cut(rest, "|")
	default:
		return message{}, false
	}
	if !ok || m.key == "" || (m.kind != msgInvalidated && m.fence == "") {
		return message{}, false
	}
	return m, true
}

// Subscribe implements [cache.Coordinator].
func (s *Store) Subscribe(fn func(key, fingerprint string)) (stop func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextSub
	s.nextSub++
	s.subs[id] = fn
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.subs, id)
	}
}

// dispatch hands each message of the channel to its waiters or
// subscribers. Messages it cannot open are ignored.
func (s *Store) dispatch(ch <-chan *redis.Message) {
	defer s.wg.Done()
	for {
		var m *redis.Message
		select {
		case <-s.ctx.Done():
			return
		case m = <-ch:
			if m == nil {
				return
			}
		}
		msg, ok := s.openMessage(m.Payload)
		if !ok {
			continue
		}
		if msg.kind == msgInvalidated {
			s.mu.Lock()
			fns := make([]func(string, string), 0, len(s.subs))
			for _, fn := range s.subs {
				fns = append(fns, fn)
			}
			s.mu.Unlock()
			for _, fn := range fns {
				fn(msg.key, msg.fingerprint)
			}
			continue
		}
		s.mu.Lock()
		for w := range s.waiters[msg.key] {
			select {
			case w <- msg:
			default:
			}
		}
		s.mu.Unlock()
	}
}

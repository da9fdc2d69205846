package redisstore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/oauth2"
)

// KeySize is the size of an encryption key: AES-256.
const KeySize = 32

// maxKeys bounds how many keys a store takes (the first encrypts, all
// decrypt: rotation needs two or three).
const maxKeys = 16

// Value formats: the first byte of a stored value.
const (
	formatPlain  byte = 'p' // then the token's JSON
	formatSealed byte = 's' // then key id (4), nonce (12), AES-GCM sealed JSON
)

// maxValue bounds a value the store decodes: a token is a few KiB.
const maxValue = 64 << 10

// ParseKeys parses encryption keys from text: standard base64 (what
// `head -c 32 /dev/urandom | base64` prints), each decoding to 32 bytes,
// separated by commas, spaces or newlines (one a line in a key file). The
// first key encrypts; all of them decrypt, so a new key goes first and the
// old one stays after it until every value has been rewritten. Errors name
// the key by its position, never its text.
func ParseKeys(text string) ([][]byte, error) {
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	if len(fields) == 0 {
		return nil, invalidf("no encryption key was given; give one or more 32-byte keys in standard base64, such as `head -c 32 /dev/urandom | base64` prints")
	}
	if len(fields) > maxKeys {
		return nil, invalidf("%d encryption keys were given; give at most %d (the new key first, then the old ones)", len(fields), maxKeys)
	}
	keys := make([][]byte, 0, len(fields))
	for i, f := range fields {
		k, err := base64.StdEncoding.DecodeString(f)
		if err != nil {
			return nil, invalidf("encryption key %d is not standard base64; give 32 random bytes in base64, such as `head -c 32 /dev/urandom | base64` prints", i+1)
		}
		if len(k) != KeySize {
			return nil, invalidf("encryption key %d is %d bytes long; give %d random bytes in base64, such as `head -c 32 /dev/urandom | base64` prints", i+1, len(k), KeySize)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// sealer encrypts and decrypts stored values; nil AEADs mean plaintext.
type sealer struct {
	ids   [][4]byte
	aeads []cipher.AEAD
}

// newSealer checks keys and prepares their ciphers.
func newSealer(keys [][]byte, plaintext bool) (*sealer, error) {
	switch {
	case len(keys) == 0 && !plaintext:
		return nil, invalidf("Options.Keys is empty; give one or more 32-byte keys (ParseKeys reads them from base64), or set Options.InsecureNoEncryption to keep tokens in Redis unencrypted")
	case len(keys) > 0 && plaintext:
		return nil, invalidf("Options.Keys and Options.InsecureNoEncryption are both set; give one or the other")
	case len(keys) > maxKeys:
		return nil, invalidf("Options.Keys has %d keys; give at most %d", len(keys), maxKeys)
	}
	s := &sealer{}
	for i, k := range keys {
		if len(k) != KeySize {
			return nil, invalidf("Options.Keys[%d] is %d bytes long; give %d random bytes", i, len(k), KeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("redisstore: key %d: %w", i, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("redisstore: key %d: %w", i, err)
		}
		sum := sha256.Sum256(append([]byte("tribekit redisstore key id\x00"), k...))
		s.ids = append(s.ids, [4]byte(sum[:4]))
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// seal encodes tok for the Redis key rkey, which the encryption binds it to.
func (s *sealer) seal(rkey string, tok *oauth2.Token) ([]byte, error) {
	plain, err := encodeRecord(tok)
	if err != nil {
		return nil, err
	}
	return s.sealBytes(rkey, plain)
}

// sealBytes encodes plain, encrypted and authenticated under the first key
// with aad as additional data (plain as it is, without keys).
func (s *sealer) sealBytes(aad string, plain []byte) ([]byte, error) {
	if len(s.aeads) == 0 {
		return append([]byte{formatPlain}, plain...), nil
	}
	aead := s.aeads[0]
	out := make([]byte, 1+4+aead.NonceSize(), 1+4+aead.NonceSize()+len(plain)+aead.Overhead())
	out[0] = formatSealed
	copy(out[1:5], s.ids[0][:])
	if _, err := rand.Read(out[5:]); err != nil {
		return nil, fmt.Errorf("redisstore: making a nonce: %w", err)
	}
	return aead.Seal(out, out[5:], plain, []byte(aad)), nil
}

// errUnreadable: a stored value that this store cannot read (corrupt, of
// the other format, sealed under a key it lacks, or bound to another key).
var errUnreadable = errors.New("redisstore: unreadable value")

// errForeignKey: a value, unreadable, that another process wrote with other
// keys: sealed under a key id this store does not hold, sealed while it has
// no key, or unencrypted while it has keys.
var errForeignKey = fmt.Errorf("%w: written with other keys", errUnreadable)

// open decodes a value stored at rkey.
func (s *sealer) open(rkey string, v []byte) (*oauth2.Token, error) {
	r, err := s.openRecord([]byte(rkey), v, false)
	if err != nil {
		return nil, err
	}
	return (*gateways)(nil).token(r), nil
}

// openRecord decodes the record of a value stored at the Redis key rkey;
// inPlace decrypts it in v's own storage, which it then overwrites.
func (s *sealer) openRecord(rkey, v []byte, inPlace bool) (record, error) {
	if len(v) > maxValue {
		return record{}, errUnreadable
	}
	plain, err := s.openBytes(rkey, v, inPlace)
	if err != nil {
		return record{}, err
	}
	r, err := decodeRecord(plain)
	if err != nil || r.Access == "" {
		return record{}, errUnreadable
	}
	return r, nil
}

// openBytes returns what sealBytes encoded with aad, or errUnreadable: a
// value sealed with another aad, altered, or of no format; errForeignKey
// (an errUnreadable) for a value of the other format (a plain one to a
// store with keys, or a sealed one to a store without) or sealed under a
// key id this store does not hold. inPlace decrypts in v's own storage; v
// is left as it was when the error is errForeignKey.
func (s *sealer) openBytes(aad, v []byte, inPlace bool) ([]byte, error) {
	switch {
	case len(v) == 0:
		return nil, errUnreadable
	case v[0] == formatPlain && len(s.aeads) == 0:
		return v[1:], nil
	case v[0] == formatPlain && len(v) > 1:
		return nil, errForeignKey
	case v[0] == formatSealed && len(v) >= 1+4 && len(s.aeads) == 0:
		return nil, errForeignKey
	case v[0] == formatSealed && len(v) >= 1+4:
		id := [4]byte(v[1:5])
		if !slices.Contains(s.ids, id) {
			return nil, errForeignKey
		}
		for i, aead := range s.aeads {
			if s.ids[i] != id || len(v) < 5+aead.NonceSize()+aead.Overhead() {
				continue
			}
			nonce, sealed := v[5:5+aead.NonceSize()], v[5+aead.NonceSize():]
			var dst []byte
			if inPlace {
				dst = sealed[:0]
			}
			p, err := aead.Open(dst, nonce, sealed, aad)
			if err == nil {
				return p, nil
			}
			if inPlace {
				break // the failed Open cleared v
			}
		}
	}
	return nil, errUnreadable
}

// foreignError is what Options.OnForeignKey is told of v, a value or
// message (what) that openBytes found written with other keys: the key id
// it was sealed under and those of this store, never a key.
func (s *sealer) foreignError(what string, v []byte) error {
	held := make([]string, len(s.ids))
	for i, id := range s.ids {
		held[i] = hex.EncodeToString(id[:])
	}
	switch {
	case v[0] == formatPlain:
		return fmt.Errorf("%w: a %s in Redis is unencrypted, and this store encrypts with key ids %s; the other process stores tokens without a key (Options.InsecureNoEncryption), so neither reads the other's tokens, and each mints anew, until both use the same keys",
			ErrForeignKey, what, strings.Join(held, ", "))
	case len(s.ids) == 0:
		return fmt.Errorf("%w: a %s in Redis is sealed under key id %x, and this store has no key (Options.InsecureNoEncryption), so neither reads the other's tokens, and each mints anew, until both use the same keys",
			ErrForeignKey, what, v[1:5])
	}
	return fmt.Errorf("%w: a %s in Redis is sealed under key id %x, which this store does not hold (its key ids: %s), so neither reads the other's tokens, and each mints anew, until the keys match",
		ErrForeignKey, what, v[1:5], strings.Join(held, ", "))
}

package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/tribekit/tribekit/internal/invalid"
)

// The headers Tribe signs a request with: the current family and the one
// older apps still receive
// (https://developers.bettermode.com/docs/guide/webhooks/verifying-webhooks).
const (
	HeaderSignature       = "X-Bettermode-Signature"
	HeaderTimestamp       = "X-Bettermode-Request-Timestamp"
	LegacyHeaderSignature = "X-Tribe-Signature"
	LegacyHeaderTimestamp = "X-Tribe-Request-Timestamp"
)

// Time window of a [Verifier].
const (
	// DefaultTolerance is how old a request may be: Bettermode's docs
	// advise ignoring events older than 15 minutes.
	DefaultTolerance = 15 * time.Minute
	// MaxFutureSkew is how far ahead of the verifier's clock a request's
	// timestamp may be, for clocks that differ a little.
	MaxFutureSkew = time.Minute
)

// Errors of [Verifier.Verify]. Each error it returns matches ErrUnverified
// and one of the others under errors.Is.
var (
	// ErrUnverified: the request is not shown to come from Tribe.
	ErrUnverified = errors.New("webhook: request not verified")
	// ErrMissingHeader: the signature or timestamp header is absent.
	ErrMissingHeader = errors.New("webhook: missing header")
	// ErrMalformedHeader: the signature is not 64 hex digits, or the
	// timestamp not 10 or 13 decimal digits.
	ErrMalformedHeader = errors.New("webhook: malformed header")
	// ErrSignatureMismatch: the signature matches none of the secrets.
	ErrSignatureMismatch = errors.New("webhook: signature mismatch")
	// ErrTooOld: the timestamp is older than the tolerance.
	ErrTooOld = errors.New("webhook: request too old")
	// ErrTooNew: the timestamp is more than [MaxFutureSkew] ahead.
	ErrTooNew = errors.New("webhook: request timestamp in the future")
)

// ErrInvalidInput matches the errors of bad arguments to this package's
// functions, such as an empty signing secret.
var ErrInvalidInput = errors.New("webhook: invalid input")

// invalidf returns an invalid-input error, "webhook: <what is wrong>; <how
// to fix it>", matching [ErrInvalidInput].
func invalidf(format string, args ...any) error {
	return invalid.Errorf("webhook", ErrInvalidInput, format, args...)
}

// unverified returns an error matching [ErrUnverified] and kind.
func unverified(kind error, format string, args ...any) error {
	return &verifyError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// verifyError is an error of [Verifier.Verify].
type verifyError struct {
	kind error
	msg  string
}

func (e *verifyError) Error() string { return "webhook: " + e.msg }

func (e *verifyError) Is(target error) bool { return target == ErrUnverified || target == e.kind }

// Verifier checks that requests come from Tribe: their signature under one
// of the app's signing secrets, and their time. Make one with
// [NewVerifier]; it is safe for concurrent use, and verifying allocates
// nothing. Its String method does not show the secrets.
type Verifier struct {
	keys      []*macKey
	tolerance time.Duration
}

// macKey is one secret with a pool of HMAC states keyed with it, so that a
// verification allocates nothing.
type macKey struct {
	secret []byte
	pool   sync.Pool // of *macState
}

// macState is an HMAC-SHA256 keyed with one secret, with room for the
// signed prefix (the timestamp and a colon) and the sum.
type macState struct {
	mac    hash.Hash
	prefix [maxTimestampLen + 1]byte
	sum    [sha256.Size]byte
}

// maxTimestampLen is the longest timestamp read: 13 digits (milliseconds).
const maxTimestampLen = 13

// NewVerifier returns a verifier of requests signed with any of secrets
// (the app's signing secret; during a rotation, the new one and the old
// one), at most tolerance old (0: [DefaultTolerance]). An empty secret or a
// negative tolerance is refused with [ErrInvalidInput].
func NewVerifier(tolerance time.Duration, secrets ...string) (*Verifier, error) {
	if tolerance < 0 {
		return nil, invalidf("the tolerance %s is negative; give 0 for the default (%s) or how old a request may be", tolerance, DefaultTolerance)
	}
	if tolerance == 0 {
		tolerance = DefaultTolerance
	}
	if len(secrets) == 0 {
		return nil, invalidf("no signing secret; give the app's signing secret (Credentials in the Bettermode developer portal, App.webhookSignSecret in GraphQL)")
	}
	v := &Verifier{tolerance: tolerance}
	for i, s := range secrets {
		if s == "" {
			return nil, invalidf("signing secret %d of %d is empty; give the app's signing secret", i+1, len(secrets))
		}
		k := &macKey{secret: []byte(s)}
		k.pool.New = func() any { return &macState{mac: hmac.New(sha256.New, k.secret)} }
		v.keys = append(v.keys, k)
	}
	return v, nil
}

// Tolerance is how old a request the verifier accepts.
func (v *Verifier) Tolerance() time.Duration { return v.tolerance }

// String describes the verifier without its secrets.
func (v *Verifier) String() string {
	if v == nil {
		return "webhook.Verifier(nil)"
	}
	return fmt.Sprintf("webhook.Verifier{secrets: %d, tolerance: %s}", len(v.keys), v.tolerance)
}

// GoString is String, so that %#v shows no secret either.
func (v *Verifier) GoString() string { return v.String() }

// Verify checks a request's signature and timestamp headers against its raw
// body, and returns the time the request was sent. The X-Bettermode-*
// headers are read, else the x-tribe-* ones. at is the time to check the
// request's age at, normally time.Now(); the zero time checks the signature
// alone, as for a request recorded earlier. Errors match [ErrUnverified].
func (v *Verifier) Verify(header http.Header, body []byte, at time.Time) (time.Time, error) {
	sigName, tsName := HeaderSignature, HeaderTimestamp
	sig, sigOK := header[sigName]
	if !sigOK {
		sigName, tsName = LegacyHeaderSignature, LegacyHeaderTimestamp
		sig, sigOK = header[sigName]
	}
	ts, tsOK := header[tsName]
	switch {
	case !sigOK && !tsOK:
		return time.Time{}, unverified(ErrMissingHeader, "no %s header (nor %s): the request is not signed", HeaderSignature, LegacyHeaderSignature)
	case !sigOK || len(sig) == 0:
		return time.Time{}, unverified(ErrMissingHeader, "no %s header beside %s", sigName, tsName)
	case !tsOK || len(ts) == 0:
		return time.Time{}, unverified(ErrMissingHeader, "no %s header beside %s", tsName, sigName)
	case len(sig) > 1:
		return time.Time{}, unverified(ErrMalformedHeader, "%d %s headers; a request has one", len(sig), sigName)
	case len(ts) > 1:
		return time.Time{}, unverified(ErrMalformedHeader, "%d %s headers; a request has one", len(ts), tsName)
	}
	return v.verify(sig[0], ts[0], sigName, tsName, body, at)
}

// VerifySignature is [Verifier.Verify] for a signature and timestamp given
// as values rather than headers, as a command line gives them.
func (v *Verifier) VerifySignature(signature, timestamp string, body []byte, at time.Time) (time.Time, error) {
	return v.verify(signature, timestamp, "signature", "timestamp", body, at)
}

func (v *Verifier) verify(sig, ts, sigName, tsName string, body []byte, at time.Time) (time.Time, error) {
	sent, err := ParseTimestamp(ts)
	if err != nil {
		return time.Time{}, unverified(ErrMalformedHeader, "%s: %v", tsName, err)
	}
	var want [sha256.Size]byte
	if err := decodeHex(want[:], sig); err != nil {
		return time.Time{}, unverified(ErrMalformedHeader, "%s: %v", sigName, err)
	}
	if !at.IsZero() {
		if age := at.Sub(sent); age > v.tolerance {
			return time.Time{}, unverified(ErrTooOld, "the request was signed %s ago, more than the %s allowed; a replay, or a clock far off", age.Round(time.Second), v.tolerance)
		}
		if ahead := sent.Sub(at); ahead > MaxFutureSkew {
			return time.Time{}, unverified(ErrTooNew, "the request's timestamp is %s ahead of this clock, more than the %s allowed; is a clock far off?", ahead.Round(time.Second), MaxFutureSkew)
		}
	}
	for _, k := range v.keys {
		if k.match(ts, body, want[:]) {
			return sent, nil
		}
	}
	return time.Time{}, unverified(ErrSignatureMismatch, "the %s matches no signing secret: a wrong secret, or a body or timestamp changed on the way", sigName)
}

// match reports whether want is the HMAC of ts, a colon and body under k.
func (k *macKey) match(ts string, body, want []byte) bool {
	st := k.pool.Get().(*macState)
	defer k.pool.Put(st)
	st.mac.Reset()
	n := copy(st.prefix[:], ts)
	st.prefix[n] = ':'
	st.mac.Write(st.prefix[:n+1])
	st.mac.Write(body)
	return hmac.Equal(st.mac.Sum(st.sum[:0]), want)
}

// ParseTimestamp reads a request timestamp: 13 decimal digits are
// milliseconds since the epoch (as the official app template reads them),
// 10 are seconds. The docs do not state the unit.
func ParseTimestamp(ts string) (time.Time, error) {
	if len(ts) != 13 && len(ts) != 10 {
		return time.Time{}, fmt.Errorf("%d characters, not 13 digits (milliseconds since the epoch) or 10 (seconds)", len(ts))
	}
	for i := 0; i < len(ts); i++ {
		if ts[i] < '0' || ts[i] > '9' {
			return time.Time{}, fmt.Errorf("character %d is not a decimal digit", i+1)
		}
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a number: %w", err)
	}
	if len(ts) == 13 {
		return time.UnixMilli(n), nil
	}
	return time.Unix(n, 0), nil
}

// decodeHex decodes a hex string of exactly len(dst) bytes into dst,
// either case, without allocating.
func decodeHex(dst []byte, s string) error {
	if len(s) != 2*len(dst) {
		return fmt.Errorf("%d characters, not the %d hex digits of an HMAC-SHA256", len(s), 2*len(dst))
	}
	for i := range dst {
		hi, ok1 := fromHex(s[2*i])
		lo, ok2 := fromHex(s[2*i+1])
		if !ok1 || !ok2 {
			return fmt.Errorf("not hex (character %d or %d)", 2*i+1, 2*i+2)
		}
		dst[i] = hi<<4 | lo
	}
	return nil
}

func fromHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Verify checks a request's headers and raw body against secrets at time
// at, with [DefaultTolerance]; see [Verifier.Verify]. A program that
// verifies many requests makes one [Verifier] instead.
func Verify(header http.Header, body []byte, at time.Time, secrets ...string) error {
	v, err := NewVerifier(0, secrets...)
	if err != nil {
		return err
	}
	_, err = v.Verify(header, body, at)
	return err
}

package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The test vector, computed independently of this package.
const (
	vectorSecret    = "whsec-test-0123456789abcdef"
	vectorTimestamp = "1767225600000"
	vectorBody      = `{"networkId":"net-acme","context":"NETWORK","currentSettings":[],"type":"TEST","data":{"challenge":"c-42"}}`
	vectorSignature = "b593f17273c30bbe1510010c05d8e92582b273a9fb5af67198b0e21998171921"
)

// vectorTime is the vector's timestamp: 2026-01-01T00:00:00Z.
var vectorTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestTestVector(t *testing.T) {
	v, err := NewVerifier(0, vectorSecret)
	require.NoError(t, err)
	h := http.Header{HeaderSignature: {vectorSignature}, HeaderTimestamp: {vectorTimestamp}}

	t.Run("signature only (the zero time)", func(t *testing.T) {
		sent, err := v.Verify(h, []byte(vectorBody), time.Time{})
		require.NoError(t, err)
		assert.True(t, sent.Equal(vectorTime), "%s", sent)
	})
	t.Run("at its own time", func(t *testing.T) {
		_, err := v.Verify(h, []byte(vectorBody), vectorTime)
		require.NoError(t, err)
	})
	t.Run("now, long after", func(t *testing.T) {
		_, err := v.Verify(h, []byte(vectorBody), vectorTime.Add(24*time.Hour))
		require.ErrorIs(t, err, ErrTooOld)
	})
	t.Run("Sign makes it", func(t *testing.T) {
		assert.Equal(t, vectorSignature, Sign(vectorSecret, vectorTime, []byte(vectorBody)))
		assert.Equal(t, vectorSignature, SignTimestamp(vectorSecret, vectorTimestamp, []byte(vectorBody)))
		assert.Equal(t, vectorTimestamp, Timestamp(vectorTime))
	})
	t.Run("the package-level Verify", func(t *testing.T) {
		require.NoError(t, Verify(h, []byte(vectorBody), vectorTime, "another-secret", vectorSecret))
		require.ErrorIs(t, Verify(h, []byte(vectorBody), vectorTime, "another-secret"), ErrSignatureMismatch)
	})
}

// TestVerify is every way a delivery can be wrong, and the ways it can be
// right, in the style of the Standard Webhooks test suites.
func TestVerify(t *testing.T) {
	const secret, oldSecret = "whsec-new-secret-1", "whsec-old-secret-0"
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"networkId":"net-acme","type":"SUBSCRIPTION","data":{"id":"ev-1"}}`)
	ms := Timestamp(now)
	secs := strconv.FormatInt(now.Unix(), 10)
	sig := SignTimestamp(secret, ms, body)

	tests := []struct {
		name    string
		header  http.Header
		body    []byte
		sigOnly bool // checked at the zero time: the signature alone
		secrets []string
		want    error // nil: verifies
	}{
		{name: "valid", header: hdr(sig, ms)},
		{name: "valid, signature only", header: hdr(sig, ms), sigOnly: true},
		{name: "timestamp in seconds", header: hdr(SignTimestamp(secret, secs, body), secs)},
		{name: "legacy x-tribe headers", header: http.Header{LegacyHeaderSignature: {sig}, LegacyHeaderTimestamp: {ms}}},
		{name: "uppercase hex", header: hdr(strings.ToUpper(sig), ms)},
		{name: "second secret during a rotation", header: hdr(SignTimestamp(oldSecret, ms, body), ms), secrets: []string{secret, oldSecret}},
		{name: "old secret after the rotation", header: hdr(SignTimestamp(oldSecret, ms, body), ms), want: ErrSignatureMismatch},
		{name: "wrong secret", header: hdr(SignTimestamp("whsec-someone-else", ms, body), ms), want: ErrSignatureMismatch},
		{name: "missing signature", header: http.Header{HeaderTimestamp: {ms}}, want: ErrMissingHeader},
		{name: "missing timestamp", header: http.Header{HeaderSignature: {sig}}, want: ErrMissingHeader},
		{name: "missing legacy timestamp", header: http.Header{LegacyHeaderSignature: {sig}}, want: ErrMissingHeader},
		{name: "no headers at all", header: http.Header{}, want: ErrMissingHeader},
		{name: "empty signature", header: hdr("", ms), want: ErrMalformedHeader},
		{name: "mixed families", header: http.Header{HeaderSignature: {sig}, LegacyHeaderTimestamp: {ms}}, want: ErrMissingHeader},
		{name: "two signatures", header: http.Header{HeaderSignature: {sig, sig}, HeaderTimestamp: {ms}}, want: ErrMalformedHeader},
		{name: "tampered body", header: hdr(sig, ms), body: []byte(`{"networkId":"net-acme","type":"SUBSCRIPTION","data":{"id":"ev-2"}}`), want: ErrSignatureMismatch},
		{name: "body with a space more", header: hdr(sig, ms), body: append(append([]byte{}, body...), ' '), want: ErrSignatureMismatch},
		{name: "tampered timestamp", header: hdr(sig, Timestamp(now.Add(time.Millisecond))), want: ErrSignatureMismatch},
		{name: "timestamp in seconds under a milliseconds signature", header: hdr(sig, secs), want: ErrSignatureMismatch},
		{name: "too old", header: hdr(SignTimestamp(secret, Timestamp(now.Add(-16*time.Minute)), body), Timestamp(now.Add(-16*time.Minute))), want: ErrTooOld},
		{name: "just inside the window", header: hdr(SignTimestamp(secret, Timestamp(now.Add(-15*time.Minute)), body), Timestamp(now.Add(-15*time.Minute)))},
		{name: "too new", header: hdr(SignTimestamp(secret, Timestamp(now.Add(2*time.Minute)), body), Timestamp(now.Add(2*time.Minute))), want: ErrTooNew},
		{name: "a little ahead", header: hdr(SignTimestamp(secret, Timestamp(now.Add(30*time.Second)), body), Timestamp(now.Add(30*time.Second)))},
		{name: "too old, signature only", header: hdr(SignTimestamp(secret, "1000000000000", body), "1000000000000"), sigOnly: true},
		{name: "non-hex signature", header: hdr(strings.Repeat("zz", 32), ms), want: ErrMalformedHeader},
		{name: "short signature", header: hdr(sig[:62], ms), want: ErrMalformedHeader},
		{name: "long signature", header: hdr(sig+"00", ms), want: ErrMalformedHeader},
		{name: "prefixed signature", header: hdr("sha256="+sig, ms), want: ErrMalformedHeader},
		{name: "timestamp not digits", header: hdr(sig, "17672256OO000"), want: ErrMalformedHeader},
		{name: "timestamp of 11 digits", header: hdr(sig, "17672256000"), want: ErrMalformedHeader},
		{name: "negative timestamp", header: hdr(sig, "-767225600000"), want: ErrMalformedHeader},
		{name: "timestamp with spaces", header: hdr(sig, " "+ms[1:]), want: ErrMalformedHeader},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			secrets := tc.secrets
			if secrets == nil {
				secrets = []string{secret}
			}
			v, err := NewVerifier(0, secrets...)
			require.NoError(t, err)
			b := tc.body
			if b == nil {
				b = body
			}
			at := now
			if tc.sigOnly {
				at = time.Time{}
			}
			_, err = v.Verify(tc.header, b, at)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.want)
			require.ErrorIs(t, err, ErrUnverified)
			assert.True(t, strings.HasPrefix(err.Error(), "webhook: "), err.Error())
			for _, s := range secrets {
				assert.NotContains(t, err.Error(), s)
			}
			assert.NotContains(t, err.Error(), string(b), "no error holds the body")
		})
	}
}

// hdr is a header of the current family.
func hdr(sig, ts string) http.Header {
	return http.Header{HeaderSignature: {sig}, HeaderTimestamp: {ts}}
}

func TestVerifySignatureValues(t *testing.T) {
	v, err := NewVerifier(time.Minute, vectorSecret)
	require.NoError(t, err)
	sent, err := v.VerifySignature(vectorSignature, vectorTimestamp, []byte(vectorBody), vectorTime.Add(30*time.Second))
	require.NoError(t, err)
	assert.True(t, sent.Equal(vectorTime))
	_, err = v.VerifySignature(vectorSignature, vectorTimestamp, []byte(vectorBody), vectorTime.Add(2*time.Minute))
	require.ErrorIs(t, err, ErrTooOld)
	assert.Contains(t, err.Error(), "1m0s allowed")
	_, err = v.VerifySignature("nothex", vectorTimestamp, []byte(vectorBody), time.Time{})
	require.ErrorIs(t, err, ErrMalformedHeader)
	assert.Contains(t, err.Error(), "signature: 6 characters, not the 64 hex digits")
}

func TestNewVerifierRefusesBadInput(t *testing.T) {
	tests := []struct {
		name      string
		tolerance time.Duration
		secrets   []string
		want      string
	}{
		{"no secret", 0, nil, "no signing secret"},
		{"empty secret", 0, []string{"s1", ""}, "signing secret 2 of 2 is empty"},
		{"negative tolerance", -time.Second, []string{"s1"}, "the tolerance -1s is negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := NewVerifier(tc.tolerance, tc.secrets...)
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.Nil(t, v)
			assert.Contains(t, err.Error(), tc.want)
			assert.True(t, strings.HasPrefix(err.Error(), "webhook: "), err.Error())
		})
	}
	v, err := NewVerifier(0, "s1")
	require.NoError(t, err)
	assert.Equal(t, DefaultTolerance, v.Tolerance())
}

func TestVerifierPrintsNoSecret(t *testing.T) {
	v, err := NewVerifier(0, vectorSecret, "whsec-old-secret-0")
	require.NoError(t, err)
	// The pool holds keyed HMAC states once used.
	_, _ = v.Verify(hdr(vectorSignature, vectorTimestamp), []byte(vectorBody), time.Time{})
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, x := range []any{v, *v, struct{ V *Verifier }{v}, &Handler{Verifier: v}} {
			out := fmt.Sprintf(format, x)
			assert.NotContains(t, out, vectorSecret, format)
			assert.NotContains(t, out, "whsec-old-secret-0", format)
		}
	}
	assert.Equal(t, "webhook.Verifier{secrets: 2, tolerance: 15m0s}", v.String())
}

func TestParseTimestamp(t *testing.T) {
	got, err := ParseTimestamp("1767225600000")
	require.NoError(t, err)
	assert.True(t, got.Equal(vectorTime))
	got, err = ParseTimestamp("1767225600")
	require.NoError(t, err)
	assert.True(t, got.Equal(vectorTime))
	for _, bad := range []string{"", "1", "17672256000000", "+767225600000", "1767225600.0", "١٧٦٧٢٢٥٦٠٠"} {
		_, err := ParseTimestamp(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestVerifyErrorsAreDistinct(t *testing.T) {
	kinds := []error{ErrMissingHeader, ErrMalformedHeader, ErrSignatureMismatch, ErrTooOld, ErrTooNew}
	for _, k := range kinds {
		err := unverified(k, "x")
		for _, other := range kinds {
			assert.Equal(t, k == other, errors.Is(err, other), "%v is %v", k, other)
		}
	}
}

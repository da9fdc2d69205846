package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

// Timestamp formats t as Tribe's request timestamp: milliseconds since the
// epoch, 13 decimal digits.
func Timestamp(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// Sign returns the signature Tribe sends with body at time at: the
// lowercase hex HMAC-SHA256, keyed with the signing secret, of
// [Timestamp](at), a colon and body
// (https://developers.bettermode.com/docs/guide/webhooks/verifying-webhooks).
// It is for tests and tools that play Tribe's part.
func Sign(secret string, at time.Time, body []byte) string {
	return SignTimestamp(secret, Timestamp(at), body)
}

// SignTimestamp is [Sign] for a timestamp already formatted.
func SignTimestamp(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{':'})
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// SignRequest sets the X-Bettermode-Signature and
// X-Bettermode-Request-Timestamp headers of r for body, signed at time at
// with secret. r's body must be body.
func SignRequest(r *http.Request, secret string, at time.Time, body []byte) {
	ts := Timestamp(at)
	r.Header.Set(HeaderTimestamp, ts)
	r.Header.Set(HeaderSignature, SignTimestamp(secret, ts, body))
}

// NewRequest returns a POST of body to url, as Tribe sends it: JSON,
// signed at time at with secret ([SignRequest]).
func NewRequest(ctx context.Context, url, secret string, at time.Time, body []byte) (*http.Request, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		// The error would quote the URL, which may hold credentials.
		return nil, invalidf("the URL does not parse; give an http or https URL, such as http://127.0.0.1:8080/webhook")
	}
	r.Header.Set("Content-Type", "application/json")
	SignRequest(r, secret, at, body)
	return r, nil
}

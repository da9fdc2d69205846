package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Verifying a request costs the HMAC of its body and no allocation: the
// baseline is the same check written by hand, as an app would without this
// package (hmac.New, the timestamp and body written, hex decoded, compared
// with hmac.Equal). Compare them with scripts/benchratio, which alternates
// baseline and subject processes:
//
//	scripts/benchratio -n 20 ./tribe/webhook BenchmarkVerify baseline=HMAC-by-hand Verifier.Verify

// benchBody is a 10 KB request body.
func benchBody() []byte {
	ev := `{"networkId":"net-acme","type":"SUBSCRIPTION","data":{"id":"ev-1","name":"post.published","object":{"text":"`
	return []byte(ev + strings.Repeat("x", 10<<10-len(ev)-4) + `"}}}`)
}

func BenchmarkVerify(b *testing.B) {
	body := benchBody()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ts := Timestamp(now)
	sig := SignTimestamp(testSecret, ts, body)
	header := http.Header{HeaderSignature: {sig}, HeaderTimestamp: {ts}}

	b.Run("baseline=HMAC-by-hand", func(b *testing.B) {
		key := []byte(testSecret)
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte(header.Get(HeaderTimestamp) + ":"))
			mac.Write(body)
			want, err := hex.DecodeString(header.Get(HeaderSignature))
			if err != nil || !hmac.Equal(mac.Sum(nil), want) {
				b.Fatal("no match")
			}
		}
	})
	b.Run("Verifier.Verify", func(b *testing.B) {
		v, err := NewVerifier(0, testSecret)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(header, body, now); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestVerifyAllocatesNothing: verifying, with the body read, allocates
// nothing, with one secret or during a rotation.
func TestVerifyAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop what it is given")
	}
	body := benchBody()
	ts := Timestamp(testNow)
	for _, secrets := range [][]string{{testSecret}, {"whsec-new-one", testSecret}} {
		v, err := NewVerifier(0, secrets...)
		if err != nil {
			t.Fatal(err)
		}
		header := http.Header{HeaderSignature: {SignTimestamp(testSecret, ts, body)}, HeaderTimestamp: {ts}}
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := v.Verify(header, body, testNow); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("Verify with %d secrets allocates %.1f times per run; want 0", len(secrets), allocs)
		}
	}
}

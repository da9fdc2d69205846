package tribetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// RateLimits are the limits the server holds each app to in each
// community, as Bettermode does
// (https://developers.bettermode.com/docs/guide/graphql/rate-limits): a
// number of requests and a query complexity per burst window, and per day.
// A zero field is no limit. Windows are fixed, aligned on multiples of
// their length since the Unix epoch, on the server's clock, so that
// [Server.Advance] moves them. A request over a limit is answered with code
// 104 (USER_REQUEST_REACHED) and a Retry-After header (seconds until the
// window ends); a request refused by the burst limit still counts against
// the daily quota. Plain data.
type RateLimits struct {
	Requests   int           `json:"requests,omitempty"`
	Complexity int           `json:"complexity,omitempty"`
	Window     time.Duration `json:"window,omitempty"` // 0: 10 seconds
	// DailyRequests and DailyComplexity are the daily quota.
	DailyRequests   int `json:"dailyRequests,omitempty"`
	DailyComplexity int `json:"dailyComplexity,omitempty"`
}

// defaultRateWindow is Tribe's burst window.
const defaultRateWindow = 10 * time.Second

// maxRateKeys bounds how many app-and-community pairs the server counts
// for; past it, the counts start over.
const maxRateKeys = 10_000

// WithRateLimits makes the server enforce l on the GraphQL requests of
// every app in every community (the appId and networkId of the request's
// Bearer token). Without it, or fixtures' "rateLimits", nothing is limited;
// every answer reports its complexity in extensions.complexity all the
// same.
func WithRateLimits(l RateLimits) Option {
	return func(c *config) error {
		if err := l.check(); err != nil {
			return err
		}
		c.rateLimits = &l
		return nil
	}
}

func (l RateLimits) check() error {
	if l.Requests < 0 || l.Complexity < 0 || l.Window < 0 || l.DailyRequests < 0 || l.DailyComplexity < 0 {
		return fmt.Errorf("tribetest: WithRateLimits: a limit is negative; give 0 for none, or a positive number")
	}
	return nil
}

// rateLimits returns the limits the server enforces: WithRateLimits', else
// the fixtures', else nil.
func (s *Server) rateLimits() *RateLimits {
	if s.cfg.rateLimits != nil {
		return s.cfg.rateLimits
	}
	if f := s.cfg.fixtures; f != nil && f.RateLimits != nil {
		return f.RateLimits
	}
	return nil
}

// rateWindows are the counts of one app in one community.
type rateWindows struct {
	burstIdx, dayIdx   int64
	burstReqs, burstCx int
	dayReqs, dayCx     int
}

// rateCounter counts requests and complexity per app and community.
type rateCounter struct {
	mu   sync.Mutex
	keys map[string]*rateWindows
}

// admit counts a request of complexity cx for key at now under l. It
// returns 0 when the request may run, else how long until the window
// that refused it ends.
func (rc *rateCounter) admit(key string, l RateLimits, cx int, now time.Time) time.Duration {
	if l.Window <= 0 {
		l.Window = defaultRateWindow
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.keys == nil || len(rc.keys) >= maxRateKeys {
		rc.keys = map[string]*rateWindows{}
	}
	w := rc.keys[key]
	if w == nil {
		w = &rateWindows{}
		rc.keys[key] = w
	}
	ms := now.UnixMilli()
	bi, di := ms/l.Window.Milliseconds(), ms/86_400_000
	if w.burstIdx != bi {
		w.burstIdx, w.burstReqs, w.burstCx = bi, 0, 0
	}
	if w.dayIdx != di {
		w.dayIdx, w.dayReqs, w.dayCx = di, 0, 0
	}
	burstEnd := time.UnixMilli((bi + 1) * l.Window.Milliseconds()).Sub(now)
	dayEnd := time.UnixMilli((di + 1) * 86_400_000).Sub(now)
	if (l.DailyRequests > 0 && w.dayReqs+1 > l.DailyRequests) || (l.DailyComplexity > 0 && w.dayCx+cx > l.DailyComplexity) {
		w.dayReqs++ // counted all the same
		return dayEnd
	}
	w.dayReqs++
	if (l.Requests > 0 && w.burstReqs+1 > l.Requests) || (l.Complexity > 0 && w.burstCx+cx > l.Complexity) {
		return burstEnd // dropped by the burst limit: still counted in the day
	}
	w.burstReqs++
	w.burstCx += cx
	w.dayCx += cx
	return 0
}

// reset forgets every count.
func (rc *rateCounter) reset() {
	rc.mu.Lock()
	rc.keys = nil
	rc.mu.Unlock()
}

// codeRateLimited is Tribe's code for a request over a rate limit.
const codeRateLimited = "104"

// rateLimitedBody is the answer to a request over a limit.
func rateLimitedBody(cx int, wait time.Duration) []byte {
	return []byte(`{"data":null,"errors":[{"message":"USER_REQUEST_REACHED: rate limit reached; retry after ` +
		strconv.Itoa(retryAfterSeconds(wait)) + `s","code":"104","extensions":{"code":"104"}}],"extensions":{"complexity":` +
		strconv.Itoa(cx) + `}}`)
}

// retryAfterSeconds rounds a wait up to whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// UnmarshalJSON reads limits whose window is a number of nanoseconds or
// a Go duration string such as "10s".
func (l *RateLimits) UnmarshalJSON(b []byte) error {
	var raw struct {
		Requests        int             `json:"requests"`
		Complexity      int             `json:"complexity"`
		Window          json.RawMessage `json:"window"`
		DailyRequests   int             `json:"dailyRequests"`
		DailyComplexity int             `json:"dailyComplexity"`
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&raw); err != nil {
		return fmt.Errorf("rateLimits: %w; give requests, complexity, window (\"10s\"), dailyRequests and dailyComplexity", err)
	}
	*l = RateLimits{Requests: raw.Requests, Complexity: raw.Complexity, DailyRequests: raw.DailyRequests, DailyComplexity: raw.DailyComplexity}
	if len(raw.Window) > 0 && string(raw.Window) != "null" {
		var s string
		if json.Unmarshal(raw.Window, &s) == nil {
			w, err := time.ParseDuration(s)
			if err != nil {
				return fmt.Errorf("rateLimits: window %q is not a duration; give one such as \"10s\"", clip(s))
			}
			l.Window = w
		} else if err := json.Unmarshal(raw.Window, &l.Window); err != nil {
			return fmt.Errorf("rateLimits: window is neither a duration string nor a number of nanoseconds; give one such as \"10s\"")
		}
	}
	return l.check()
}

package tribe

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tribekit/tribekit/internal/retry"
)

// Rate limits (https://developers.bettermode.com/docs/guide/graphql/rate-limits):
// Tribe counts the requests of each app in each community, and their query
// complexity, in a burst window of 10 seconds and in a daily quota. A
// request over a limit is refused with error code 104
// (USER_REQUEST_REACHED) or HTTP 429. Each answer reports its cost in
// extensions.complexity.

// ErrRateLimited: the API refused a request for a rate limit (code 104 or
// HTTP 429). A [Client] retries such a request within its [RetryPolicy];
// the error is returned when the retries are spent. errors.As with
// [*RateLimitError] tells when to retry, if the server said.
var ErrRateLimited = errors.New("tribe: rate limited")

// CodeRateLimited is Tribe's code for a request over a rate limit.
const CodeRateLimited = "104"

// RateLimitWindow is the length of Tribe's burst window. A rate-limited
// call whose answer says nothing of when to retry waits this long (or
// [RetryPolicy.RateLimitWait]) before it is sent again.
const RateLimitWindow = 10 * time.Second

// RateLimitError is a request the API refused for a rate limit. It matches
// [ErrRateLimited] and unwraps to the server's answer (a [*ResponseError]
// with code 104, or an [*HTTPError] with status 429).
type RateLimitError struct {
	Operation  string        // the operation sent
	RetryAfter time.Duration // when the server says to retry; 0 if it did not
	Err        error         // the server's answer
}

// Error says the request was rate limited, and when to retry if known.
func (e *RateLimitError) Error() string {
	s := "tribe: " + e.Operation + ": rate limited"
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(", retry after %s", e.RetryAfter)
	}
	if e.Err != nil {
		s += ": " + strings.TrimPrefix(e.Err.Error(), "tribe: ")
	}
	return s
}

// Is reports whether target is [ErrRateLimited].
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// Unwrap returns the server's answer.
func (e *RateLimitError) Unwrap() error { return e.Err }

// asRateLimit returns err as a *RateLimitError when it is a rate-limit
// refusal, with its Retry-After; otherwise err itself.
func asRateLimit(op string, err error, retryAfter time.Duration) error {
	if err == nil || !errors.Is(err, ErrRateLimited) {
		return err
	}
	if _, ok := errors.AsType[*RateLimitError](err); ok {
		return err
	}
	return &RateLimitError{Operation: op, RetryAfter: retryAfter, Err: err}
}

// ResponseInfo is what an answer says beside its data. Pass a pointer to
// one with [WithResponseInfo] in a call's context, and the [Client] fills
// it in when the answer arrives (for the last try, if the call was retried).
type ResponseInfo struct {
	// Complexity is the answer's extensions.complexity: the query's cost
	// against the rate limits. HasComplexity says whether it was there.
	Complexity    int
	HasComplexity bool
	// Extensions is the answer's top-level extensions object, if any,
	// decoded when it is at most 64 KiB (a larger one is nil here; its
	// Complexity is read all the same).
	Extensions map[string]any
}

type responseInfoKey struct{}

// WithResponseInfo returns ctx carrying info, for the calls made with it to
// fill in. info is written by the call before it returns; do not share one
// between concurrent calls.
func WithResponseInfo(ctx context.Context, info *ResponseInfo) context.Context {
	return context.WithValue(ctx, responseInfoKey{}, info)
}

// RateLimits are the limits a [Pacer] keeps one app's calls in one
// community under. A zero field is no limit.
type RateLimits struct {
	// Requests and Complexity are the most requests and the most query
	// complexity per Window, the burst window.
	Requests   int
	Complexity int
	// Window is the burst window (0: [RateLimitWindow]).
	Window time.Duration
	// DailyRequests and DailyComplexity are the daily quota.
	DailyRequests   int
	DailyComplexity int
}

// MaxCost is the most complexity one call is counted for: the burst
// window's Complexity, or with none, the daily quota's share of one burst
// window (DailyComplexity × Window / 24h, at least 1); 0 when no
// complexity is limited. It bounds what one answer can teach a [Pacer],
// whatever complexity it reports, so that an answer cannot stall the
// calls after it (or, through a [PaceStore], a fleet's) for the day.
func (l RateLimits) MaxCost() int {
	switch {
	case l.Complexity > 0:
		return l.Complexity
	case l.DailyComplexity > 0:
		window := l.Window
		if window <= 0 {
			window = RateLimitWindow
		}
		return max(1, int(int64(l.DailyComplexity)*int64(min(window, 24*time.Hour))/int64(24*time.Hour)))
	}
	return 0
}

// FreePlanLimits returns the limits Bettermode publishes for its Free
// plan: 100 requests and 10,000 complexity per 10 seconds, and 50,000
// requests and 5,000,000 complexity a day
// (https://developers.bettermode.com/docs/guide/graphql/rate-limits).
// Higher plans allow more: set yours.
func FreePlanLimits() RateLimits {
	return RateLimits{Requests: 100, Complexity: 10_000, Window: RateLimitWindow, DailyRequests: 50_000, DailyComplexity: 5_000_000}
}

// maxPacedCommunities bounds how many communities a Pacer keeps windows
// for; past it, the one idle longest is forgotten.
const maxPacedCommunities = 10_000

// Pacer keeps the calls of one app under its rate limits in each
// community, by delaying a call that would be refused instead of sending
// it. It counts the burst limits over a sliding window (no span of Window
// holds more than the limits, wherever the server's windows start) and the
// daily quota per UTC day. Share one Pacer between every [Client] of an app in a process
// ([App.Pacer], [ClientConfig.Pacer]); it keeps a window per community (the
// networkId of the token a call carries). A call's complexity is not known
// before the answer: the pacer counts each call's request at once, its
// complexity when the answer reports it, and expects the same operation to
// cost about what it cost lately: a rise is learnt at once, a fall by
// halves, answer after answer.
//
// What one answer can teach it is bounded: a reported complexity counts
// for at most [RateLimits.MaxCost]. A call whose estimate fills a whole
// window's complexity on its own is not held for that window's
// complexity: it goes when the window has no other call (the burst
// window) or at once (the day), and the server decides. So no answer,
// whatever it reports, makes a later call wait longer than the burst
// window for the complexity it estimates; only the day's request count
// and the complexity truly counted in it hold a call for the day. It is
// safe for concurrent use.
type Pacer struct {
	limits RateLimits
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	store  PaceStore // nil: this process's windows only
	ns     string    // the app's namespace in the store

	mu          sync.Mutex
	communities map[string]*pace
}

// pace is one community's counts.
type pace struct {
	// recent are the calls of the last burst window, oldest first: a
	// sliding window, which keeps any window of that length under the
	// limits, wherever the server's windows start.
	recent []call
	// day is the calendar day's counts (UTC, aligned on the epoch).
	day  window
	cost map[string]int // last known complexity per operation
	used time.Time
}

// call is a call counted in a burst window.
type call struct {
	at   time.Time
	op   string
	cost int
}

// window is a fixed window's counts.
type window struct {
	start      time.Time
	requests   int
	complexity int
}

// maxRecentCalls bounds a community's sliding window when the limits name
// no request count.
const maxRecentCalls = 100_000

// NewPacer returns a pacer for limits; the zero RateLimits paces nothing.
func NewPacer(limits RateLimits) *Pacer {
	if limits.Window <= 0 {
		limits.Window = RateLimitWindow
	}
	return &Pacer{limits: limits, now: time.Now, sleep: retry.Sleep, communities: map[string]*pace{}}
}

// PaceStore keeps a [Pacer]'s windows where every process of a fleet
// counts in them: package tribe/cache/redisstore has one on Redis. Windows
// are fixed, aligned on multiples of their length since the Unix epoch, so
// that processes agree on them. Implementations must be safe for concurrent
// use.
type PaceStore interface {
	// Reserve counts one request of estimated complexity in key's
	// windows at now when it fits limits, and returns 0; otherwise it
	// returns how long to wait before asking again, counting nothing.
	Reserve(ctx context.Context, key string, limits RateLimits, estimate int, now time.Time) (time.Duration, error)
	// Observe adds delta to the complexity counted in key's windows at
	// now (the difference between an answer's complexity and the
	// estimate counted for it).
	Observe(ctx context.Context, key string, limits RateLimits, delta int, now time.Time) error
}

// NewSharedPacer returns a pacer for limits that keeps its windows in
// store, shared by every process that uses the same store and namespace
// (give the app's: [App.Namespace]). When the store fails, the pacer paces
// on its own windows until it answers again.
func NewSharedPacer(limits RateLimits, store PaceStore, namespace string) *Pacer {
	p := NewPacer(limits)
	p.store, p.ns = store, namespace
	return p
}

// wait blocks until a call of op to community fits the limits, then counts
// it, or returns ctx's error.
func (p *Pacer) wait(ctx context.Context, community, op string) error {
	for {
		d := p.reserveShared(ctx, community, op)
		if d <= 0 {
			return nil
		}
		if err := p.sleep(ctx, d); err != nil {
			return fmt.Errorf("tribe: %s: waiting for the rate limit's window: %w", op, err)
		}
	}
}

// reserveShared is reserve through the store, when there is one and it
// answers; the local windows otherwise.
func (p *Pacer) reserveShared(ctx context.Context, community, op string) time.Duration {
	if p.store == nil {
		return p.reserve(community, op)
	}
	p.mu.Lock()
	est := 0
	if c := p.communities[community]; c != nil {
		est = c.cost[op]
	}
	p.mu.Unlock()
	d, err := p.store.Reserve(ctx, p.ns+"|"+community, p.limits, est, p.now())
	if err != nil {
		return p.reserve(community, op)
	}
	if d <= 0 {
		p.reserve(community, op) // keep the estimates and a local count
	}
	return d
}

// reserve counts a call of op to community when it fits now, and returns
// 0; otherwise it returns how long to wait before asking again.
func (p *Pacer) reserve(community, op string) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	c := p.communities[community]
	if c == nil {
		if len(p.communities) >= maxPacedCommunities {
			p.forgetOldest()
		}
		c = &pace{cost: map[string]int{}}
		p.communities[community] = c
	}
	c.used = now
	l := p.limits
	// The sliding burst window: drop what is older than Window.
	i := 0
	for i < len(c.recent) && !now.Before(c.recent[i].at.Add(l.Window)) {
		i++
	}
	c.recent = c.recent[i:]
	c.day.rollAligned(now, 24*time.Hour)
	est := c.cost[op] // at most l.MaxCost(): see observe
	if len(c.recent) > 0 {
		sum := 0
		for _, k := range c.recent {
			sum += k.cost
		}
		if (l.Requests > 0 && len(c.recent)+1 > l.Requests) || (l.Complexity > 0 && sum+est > l.Complexity) || len(c.recent) >= maxRecentCalls {
			return c.recent[0].at.Add(l.Window).Sub(now)
		}
	}
	if over(c.day, l.DailyRequests, l.DailyComplexity, est) {
		return c.day.start.Add(24 * time.Hour).Sub(now)
	}
	c.recent = append(c.recent, call{at: now, op: op, cost: est})
	c.day.requests++
	c.day.complexity += est
	return 0
}

// observe records the complexity a call of op to community reported (at
// most [RateLimits.MaxCost]), replacing the estimate counted when it was
// sent, and learns from it the operation's next estimate (see [learn]).
func (p *Pacer) observe(community, op string, complexity int) {
	if most := p.limits.MaxCost(); most > 0 {
		complexity = min(complexity, most)
	}
	complexity = max(complexity, 0)
	p.mu.Lock()
	c := p.communities[community]
	if c == nil {
		p.mu.Unlock()
		return
	}
	est := c.cost[op]
	c.cost[op] = learn(est, complexity)
	for i := len(c.recent) - 1; i >= 0; i-- {
		if c.recent[i].op == op && c.recent[i].cost == est {
			c.recent[i].cost = complexity
			break
		}
	}
	c.day.complexity += complexity - est
	p.mu.Unlock()
	if p.store != nil && complexity != est {
		// Best effort, outside the lock: a store that fails keeps the
		// estimate only.
		_ = p.store.Observe(context.Background(), p.ns+"|"+community, p.limits, complexity-est, p.now())
	}
}

// learn returns an operation's next estimate from its last one and the
// complexity an answer reported: a rise is taken at once (a call is not
// sent expecting less than it cost), a fall by half the difference, so
// that the estimate decays toward what the operation costs lately and
// one answer does not set it for good.
func learn(est, reported int) int {
	if reported >= est {
		return reported
	}
	return reported + (est-reported)/2
}

// forgetOldest drops the community idle longest. p.mu is held.
func (p *Pacer) forgetOldest() {
	var oldest string
	var at time.Time
	for k, c := range p.communities {
		if oldest == "" || c.used.Before(at) {
			oldest, at = k, c.used
		}
	}
	delete(p.communities, oldest)
}

// rollAligned starts a new window when now is past the current one, the
// windows being aligned on multiples of length since the Unix epoch.
func (w *window) rollAligned(now time.Time, length time.Duration) {
	start := now.Truncate(length)
	if !w.start.Equal(start) {
		*w = window{start: start}
	}
}

// over reports whether one more request of complexity est would pass the
// limits (0: none). A window with no request yet always takes one, and an
// estimate of the whole complexity limit or more, which could never fit,
// is not held for complexity: the call goes, and the server decides.
func over(w window, requests, complexity, est int) bool {
	if w.requests == 0 {
		return false
	}
	return (requests > 0 && w.requests+1 > requests) || (complexity > 0 && est < complexity && w.complexity+est > complexity)
}

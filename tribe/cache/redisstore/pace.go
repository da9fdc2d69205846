package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tribekit/tribekit/tribe"
)

// The Store is also a [tribe.PaceStore]: a [tribe.Pacer] made with
// tribe.NewSharedPacer(limits, store, app.Namespace()) keeps its rate-limit
// windows in Redis, so every process of a fleet paces against the same
// counts. Each window is a hash {r: requests, c: complexity} under
// Prefix:{hash of the community}:pace:<b|d>:<window index>, which expires
// after its window. What one call counts is bounded by
// [tribe.RateLimits.MaxCost], whatever the estimate or the answer says,
// so that one answer cannot hold the fleet's calls for the day.
var _ tribe.PaceStore = (*Store)(nil)

// reserveScript counts one request of complexity ARGV[6] in the burst
// window KEYS[1] and the daily window KEYS[2] when both have room, and
// returns 0; otherwise 1 for the burst window, 2 for the day. A window that
// has no request yet always takes one, and the day does not hold a request
// whose estimate alone is its whole complexity limit or more (it could
// never fit: it goes, and the server decides). Limits of 0 are none.
var reserveScript = redis.NewScript(`
local function over(key, reqs, cx, est, whole)
  local r = tonumber(redis.call('HGET', key, 'r') or '0')
  if r == 0 then return false end
  local c = tonumber(redis.call('HGET', key, 'c') or '0')
  return (reqs > 0 and r + 1 > reqs) or (cx > 0 and (whole or est < cx) and c + est > cx)
end
local est = tonumber(ARGV[6])
if over(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), est, true) then return 1 end
if over(KEYS[2], tonumber(ARGV[3]), tonumber(ARGV[4]), est, false) then return 2 end
for i, key in ipairs(KEYS) do
  redis.call('HINCRBY', key, 'r', 1)
  redis.call('HINCRBY', key, 'c', est)
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], 86400000 + 60000)
return 0
`)

// paceKeys returns the Redis keys of key's burst and daily windows at now,
// and when each ends.
func (s *Store) paceKeys(key string, window time.Duration, now time.Time) (burst, day string, burstEnd, dayEnd time.Time) {
	sum := sha256.Sum256([]byte(key))
	base := s.prefix + ":{" + hex.EncodeToString(sum[:12]) + "}:pace:"
	ms := now.UnixMilli()
	w := window.Milliseconds()
	bi, di := ms/w, ms/86_400_000
	return base + "b:" + strconv.FormatInt(bi, 10), base + "d:" + strconv.FormatInt(di, 10),
		time.UnixMilli((bi + 1) * w), time.UnixMilli((di + 1) * 86_400_000)
}

// Reserve implements [tribe.PaceStore].
func (s *Store) Reserve(ctx context.Context, key string, l tribe.RateLimits, estimate int, now time.Time) (time.Duration, error) {
	if l.Window <= 0 {
		l.Window = tribe.RateLimitWindow
	}
	estimate = boundCost(l, estimate)
	bk, dk, bEnd, dEnd := s.paceKeys(key, l.Window, now)
	var res int64
	err := s.do(ctx, func(ctx context.Context) (err error) {
		res, err = reserveScript.Run(ctx, s.client, []string{bk, dk},
			l.Requests, l.Complexity, l.DailyRequests, l.DailyComplexity, (2 * l.Window).Milliseconds(), estimate).Int64()
		return err
	})
	switch {
	case err != nil:
		return 0, err
	case res == 1:
		return bEnd.Sub(now), nil
	case res == 2:
		return dEnd.Sub(now), nil
	}
	return 0, nil
}

// Observe implements [tribe.PaceStore].
func (s *Store) Observe(ctx context.Context, key string, l tribe.RateLimits, delta int, now time.Time) error {
	if l.Window <= 0 {
		l.Window = tribe.RateLimitWindow
	}
	if most := l.MaxCost(); most > 0 {
		delta = max(-most, min(delta, most))
	}
	bk, dk, _, _ := s.paceKeys(key, l.Window, now)
	return s.do(ctx, func(ctx context.Context) error {
		_, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.HIncrBy(ctx, bk, "c", int64(delta))
			p.HIncrBy(ctx, dk, "c", int64(delta))
			return nil
		})
		return err
	})
}

// boundCost returns a call's estimated complexity within 0 and
// [tribe.RateLimits.MaxCost].
func boundCost(l tribe.RateLimits, estimate int) int {
	if most := l.MaxCost(); most > 0 {
		estimate = min(estimate, most)
	}
	return max(estimate, 0)
}

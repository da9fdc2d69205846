package redisstore

import (
	"context"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// huge is 2^63-1, the length go-redis v9.23.0 panics on (makeslice: len
// out of range).
const huge = "9223372036854775807"

func TestRespScannerAcceptsWhatRedisSends(t *testing.T) {
	// Every type of RESP2 and RESP3, nested, with payloads that look like
	// headers (they are skipped, not read), nulls and an attribute.
	stream := strings.Join([]string{
		"+OK\r\n", "-ERR no\r\n", ":42\r\n", "$5\r\nhello\r\n", "$-1\r\n", "*-1\r\n", "*0\r\n",
		"$13\r\n*" + huge[:10] + "\r\n\r\n", // a payload holding a huge header
		"*3\r\n$3\r\nset\r\n*2\r\n:1\r\n:2\r\n%1\r\n+k\r\n~2\r\n#t\r\n,1.5\r\n",
		"_\r\n", "(12345678901234567890\r\n", "=15\r\ntxt:Some string\r\n", "!10\r\nERR broken\r\n",
		"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n",
		">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$" + "3\r\nmsg\r\n",
		"*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n", // an attribute inside an array is no element
		strings.Repeat("*1\r\n", maxDepth) + ":1\r\n",
		"*" + "1048576\r\n" + strings.Repeat("_\r\n", maxElements),
	}, "")
	for _, chunk := range []int{1, 2, 3, 7, 64, len(stream)} {
		t.Run("chunks of "+strconv.Itoa(chunk), func(t *testing.T) {
			s := respScanner{addr: "test"}
			for p := stream; p != ""; {
				n := min(chunk, len(p))
				require.NoError(t, s.scan([]byte(p[:n])))
				p = p[n:]
			}
			assert.Equal(t, atType, s.state, "at the start of the next reply")
			assert.Zero(t, s.depth)
			assert.Zero(t, s.pending)
		})
	}
}

func TestRespScannerRefusesWhatGoRedisCannotTake(t *testing.T) {
	tests := []struct {
		name, stream, want string
	}{
		{"a bulk string of 2^63-1 bytes", "$" + huge + "\r\n", "bulk string length over the limit of 67108864"},
		{"a bulk string one byte over 64 MiB", "$67108865\r\n", "bulk string length over"},
		{"an array of 2^63-1 elements", "*" + huge + "\r\n", "array length over the limit of 1048576"},
		{"a map", "%" + huge + "\r\n", "map length over"},
		{"a set", "~" + huge + "\r\n", "set length over"},
		{"a push", ">" + huge + "\r\n", "push length over"},
		{"a verbatim string", "=" + huge + "\r\n", "verbatim string length over"},
		{"a blob error", "!" + huge + "\r\n", "blob error length over"},
		{"an attribute", "|" + huge + "\r\n", "attribute length over"},
		{"a huge length inside an array", "*2\r\n:1\r\n$" + huge + "\r\n", "bulk string length over"},
		{"a map whose keys and values are too many", "%600000\r\n", "more than 1048576 elements"},
		{"nested arrays claiming too many together", "*1048576\r\n*2\r\n", "more than 1048576 elements"},
		{"arrays nested too deeply", strings.Repeat("*1\r\n", maxDepth+1), "nested deeper than 32"},
		{"a negative length", "$-2\r\n", "malformed bulk string length"},
		{"a length that is no number", "*1x\r\n", "malformed array length"},
		{"an empty length", "$\r\n", "malformed bulk string length"},
		{"a streamed string", "$?\r\n;4\r\nHell\r\n;0\r\n", "malformed bulk string length"},
		{"a type that does not exist", "@1\r\n", "unknown type '@'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := respScanner{addr: "127.0.0.1:6379"}
			err := s.scan([]byte(tt.stream))
			require.ErrorIs(t, err, ErrProtocol)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "127.0.0.1:6379")
			assert.True(t, strings.HasPrefix(err.Error(), "redisstore: "), err.Error())
		})
	}
}

// hugeReplies answer a command with a length of 2^63-1, for each type
// that has one.
func hugeReplies() map[string]string {
	return map[string]string{
		"bulk": "$" + huge + "\r\n", "array": "*" + huge + "\r\n", "map": "%" + huge + "\r\n",
		"set": "~" + huge + "\r\n", "push": ">" + huge + "\r\n", "verbatim": "=" + huge + "\r\n",
		"blob error": "!" + huge + "\r\n", "attribute": "|" + huge + "\r\n",
	}
}

func TestHugeLengthFromRedisIsAnErrorNotAPanic(t *testing.T) {
	for name, reply := range hugeReplies() {
		t.Run("a command answered with a huge "+name, func(t *testing.T) {
			fake := startFakeRedis(t, nil, func(cmd []string) string {
				if strings.EqualFold(cmd[0], "GETRANGE") {
					return reply
				}
				return ""
			})
			var degraded atomic.Value
			s := openStore(t, "redis://"+fake.addr(), Options{OnDegraded: func(err error) { degraded.Store(err) }})
			_, err := s.Get(context.Background(), "k")
			require.ErrorIs(t, err, ErrProtocol)
			assert.Contains(t, err.Error(), "over the limit")
			assert.True(t, s.Degraded(), "the store carries on without this Redis")
		})
		t.Run("a subscription answered with a huge "+name, func(t *testing.T) {
			fake := startFakeRedis(t, nil, func(cmd []string) string {
				if strings.EqualFold(cmd[0], "SUBSCRIBE") {
					return reply
				}
				return ""
			})
			var degraded atomic.Value
			s := openStore(t, "redis://"+fake.addr(), Options{OnDegraded: func(err error) { degraded.Store(err) }})
			err, _ := degraded.Load().(error)
			require.ErrorIs(t, err, ErrProtocol, "the first subscription failed, and said why")
			assert.Contains(t, err.Error(), "over the limit")
			assert.True(t, s.Degraded())
			// go-redis's own goroutine subscribes again, and meets the same
			// reply: still no panic.
			require.Eventually(t, func() bool {
				n := 0
				for _, c := range fake.commands() {
					if c == "SUBSCRIBE" {
						n++
					}
				}
				return n >= 2
			}, 5*time.Second, 5*time.Millisecond)
		})
	}
}

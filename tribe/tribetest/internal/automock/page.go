package automock

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/tribekit/tribekit/tribe/tribetest/internal/graphql"
)

// PageError is why a page cannot be cut: a bad limit, offset or cursor.
type PageError string

func (e PageError) Error() string { return string(e) }

// Page cuts a page from a list of total items by the arguments of a
// connection field: after (start after that cursor), before (the page
// just before that cursor), offset and limit, in that order, as Tribe's
// members does; no limit means all that are left. The page is the
// positions [start, stop). cursorIndex is the position a cursor names, or
// -1 for a cursor it does not know.
func Page(args map[string]any, total int, cursorIndex func(string) int) (start, stop int, err error) {
	limit, ok1 := graphql.IntArg(args, "limit")
	offset, ok2 := graphql.IntArg(args, "offset")
	if !ok1 || !ok2 || limit < 0 || offset < 0 {
		return 0, 0, PageError("limit and offset must be non-negative 32-bit integers")
	}
	if args["limit"] == nil {
		limit = total
	}
	start, end := 0, total
	after := graphql.StringArg(args, "after")
	if after != "" {
		i := cursorIndex(after)
		if i < 0 {
			return 0, 0, PageError("invalid cursor in after")
		}
		start = i + 1
	}
	if before := graphql.StringArg(args, "before"); before != "" {
		i := cursorIndex(before)
		if i < 0 {
			return 0, 0, PageError("invalid cursor in before")
		}
		end = i
		if after == "" && end-limit-offset > start {
			start = end - limit - offset // the page just before the cursor
		}
	}
	start = min(start+offset, end)
	stop = max(start, min(start+limit, end))
	return start, stop, nil
}

// Cursor is the cursor of position i of a mocked connection.
func Cursor(i int) string { return string(AppendCursor(nil, i)) }

// AppendCursor appends Cursor(i), which needs no JSON escaping.
func AppendCursor(b []byte, i int) []byte {
	var raw [24]byte
	pos := strconv.AppendInt(append(raw[:0], "pos:"...), int64(i), 10)
	return base64.RawURLEncoding.AppendEncode(b, pos)
}

// CursorIndex is the position c names in a mocked connection of total
// items, or -1.
func CursorIndex(c string, total int) int {
	b, err := base64.RawURLEncoding.DecodeString(c)
	s, ok := strings.CutPrefix(string(b), "pos:")
	if err != nil || !ok {
		return -1
	}
	i, err := strconv.Atoi(s)
	if err != nil || i < 0 || i >= total {
		return -1
	}
	return i
}

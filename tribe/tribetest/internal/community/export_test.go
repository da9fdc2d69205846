package community

import "sync/atomic"

// Hooks for the black-box tests in package community_test: the limits a
// community holds its state and its inputs to, its counts of what it holds,
// and how a mapping field's value is written.

// The limits, for inputs just inside and just past them.
const (
	MaxObjects       = maxObjects
	MaxBytes         = maxBytes
	ShortContentLen  = shortContentLen
	MaxReactionLen   = maxReactionLen
	MaxPostReactions = maxPostReactions
	MaxNameLen       = maxNameLen
)

// Objects is the count of objects c holds, which the tests set to reach the
// bound without making 200,000 of them.
func (c *Community) Objects() *atomic.Int64 { return &c.objects }

// Bytes is the count of bytes of text c holds.
func (c *Community) Bytes() *atomic.Int64 { return &c.bytes }

// Quote is s as a mapping field's value: a JSON string, with no HTML escaped.
func Quote(s string) string { return quote(s) }

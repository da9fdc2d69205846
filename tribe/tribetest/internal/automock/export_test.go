package automock

import "time"

// Hooks for the black-box tests in package automock_test: the calendar a
// mocked DateTime is written with, which no exported call reaches on its own.

// YearSeconds is the number of seconds a mocked DateTime ranges over.
const YearSeconds = yearSeconds

// Epoch is the first instant a mocked DateTime can be.
func Epoch() time.Time { return epoch() }

// AppendYearTime appends the DateTime secs seconds after [Epoch].
func AppendYearTime(b []byte, secs uint64) []byte { return appendYearTime(b, secs) }

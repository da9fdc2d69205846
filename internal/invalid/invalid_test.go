package invalid

import (
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
)

var errSentinel = errors.New("x: invalid input")

func TestErrorf(t *testing.T) {
	err := Errorf("x", errSentinel, "the id %q is empty; set ID", "")
	assert.Equal(t, `x: the id "" is empty; set ID`, err.Error())
	assert.ErrorIs(t, err, errSentinel)
	assert.NotErrorIs(t, err, io.EOF)

	err = Errorf("x", errSentinel, "reading it: %w; try again", io.EOF)
	assert.ErrorIs(t, err, io.EOF)
	assert.ErrorIs(t, err, errSentinel)
	assert.Equal(t, "x: reading it: EOF; try again", err.Error())
}

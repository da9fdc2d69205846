package testenv

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestSecretForms(t *testing.T) {
	got := SecretForms("Ab/c+d")
	want := []string{"Ab/c+d", "Ab%2Fc%2Bd", "Ab%2fc%2bd", "QWIvYytk", "QWIvYytk", "QWIvYytk"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("SecretForms = %q, want %q", got, want)
	}
}

func TestEachError(t *testing.T) {
	err := fmt.Errorf("a: %w", errors.Join(io.EOF, fmt.Errorf("b: %w", io.ErrUnexpectedEOF)))
	var n int
	EachError(err, func(error) { n++ })
	if n != 5 { // a, the join, EOF, b, unexpected EOF
		t.Fatalf("EachError visited %d errors, want 5", n)
	}
}

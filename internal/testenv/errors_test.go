package testenv

import (
	"errors"
	"fmt"
	"io"
	"runtime"
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

// recorder records what a helper reports of a test, in place of its T.
type recorder struct {
	testing.TB
	errors []string
	failed bool // FailNow was called
}

func (r *recorder) Helper()             {}
func (r *recorder) Logf(string, ...any) {}
func (r *recorder) Name() string        { return "recorder" }
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) FailNow() { r.failed = true; runtime.Goexit() }

// run calls fn with r, on a goroutine of its own, as FailNow ends it.
func (r *recorder) run(fn func(t testing.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
}

func TestNoSecretInText(t *testing.T) {
	const secret = "SECRET-123"
	type value struct{ Hidden string }
	tests := []struct {
		name       string
		errs       []error
		values     []any
		wantErrors int
		wantFailed bool
	}{
		{"every call failed, with the prefix, and no secret", []error{errors.New("pkg: refused"), errors.New("pkg: bad input")}, []any{value{"x"}}, 0, false},
		{"a call that did not fail", []error{errors.New("pkg: refused"), nil}, nil, 1, true},
		{"an error without the prefix", []error{errors.New("refused")}, nil, 1, false},
		{"a secret in an error", []error{errors.New("pkg: refused " + secret)}, nil, 5, false},
		{"a secret in a value's %#v", []error{errors.New("pkg: refused")}, []any{value{secret}}, 5, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			r.run(func(rt testing.TB) { NoSecretInText(rt, "pkg: ", tt.errs, tt.values, []string{secret}) })
			if len(r.errors) != tt.wantErrors || r.failed != tt.wantFailed {
				t.Errorf("reported %d errors (failed now: %v), want %d (%v): %q", len(r.errors), r.failed, tt.wantErrors, tt.wantFailed, r.errors)
			}
		})
	}
}

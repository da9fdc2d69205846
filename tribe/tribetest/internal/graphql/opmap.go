package graphql

import (
	"sync"
	"sync/atomic"

	"github.com/vektah/gqlparser/v2/ast"
)

// opMap keeps one value for each operation of a query's document, found
// by the operation's place in the document: a pointer compared among its
// few operations rather than a key hashed into a sync.Map. An operation
// not of the document has no place, and nothing is kept for it. Safe for
// concurrent use.
type opMap[T any] struct {
	once sync.Once
	vals []atomic.Pointer[T] // one per operation of the document
}

// slot is op's place in doc, or nil.
func (m *opMap[T]) slot(doc *ast.QueryDocument, op *ast.OperationDefinition) *atomic.Pointer[T] {
	if doc == nil {
		return nil
	}
	m.once.Do(func() { m.vals = make([]atomic.Pointer[T], len(doc.Operations)) })
	for i, o := range doc.Operations {
		if o == op && i < len(m.vals) {
			return &m.vals[i]
		}
	}
	return nil
}

// load is the value kept for op, or nil.
func (m *opMap[T]) load(doc *ast.QueryDocument, op *ast.OperationDefinition) *T {
	if s := m.slot(doc, op); s != nil {
		return s.Load()
	}
	return nil
}

// store keeps v for op, in place of any value kept before.
func (m *opMap[T]) store(doc *ast.QueryDocument, op *ast.OperationDefinition, v T) {
	if s := m.slot(doc, op); s != nil {
		s.Store(&v)
	}
}

// loadOrStore is the value kept for op, keeping v if there is none.
func (m *opMap[T]) loadOrStore(doc *ast.QueryDocument, op *ast.OperationDefinition, v T) T {
	s := m.slot(doc, op)
	if s == nil || s.CompareAndSwap(nil, &v) {
		return v
	}
	return *s.Load()
}

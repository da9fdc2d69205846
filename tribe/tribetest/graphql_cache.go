package tribetest

import (
	"container/list"
	"errors"
	"fmt"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

const (
	// maxQueryTokens bounds the parser's work on one query text.
	maxQueryTokens = 10000
	// maxCachedQuery is the longest query text the cache keeps.
	maxCachedQuery = 64 << 10
)

// parsedQuery is a query text parsed and validated against the schema:
// either doc or errs is set. It is read-only once built, but for the cache
// of its operations' costs, and shared by concurrent requests.
type parsedQuery struct {
	once  sync.Once
	doc   *ast.QueryDocument
	errs  []gqlError
	costs costCache // of doc's operations, as they are asked for
	cx    complexityCache
	// coerced: *ast.OperationDefinition → coercedVars, its variables as
	// the last request with scalar values sent them, coerced.
	coerced sync.Map
	// plan holds what executing doc needs that no request changes: its
	// operations' root fields collected when no @skip or @include takes a
	// variable (and, in their fieldMemo, their sub-selections and the
	// arguments that take no variable).
	plan queryPlan
}

// queryPlan is the part of executing a query shared by its requests.
type queryPlan struct {
	once   sync.Once
	static bool     // no @skip or @include takes a variable
	roots  sync.Map // *ast.OperationDefinition → []collected
}

// init computes static once.
func (p *queryPlan) init(doc *ast.QueryDocument) {
	p.once.Do(func() { p.static = !directivesUseVariables(doc) })
}

// directivesUseVariables reports whether an @skip or @include of doc
// takes a variable.
func directivesUseVariables(doc *ast.QueryDocument) bool {
	var walk func(ast.SelectionSet) bool
	dirs := func(ds ast.DirectiveList) bool {
		for _, d := range ds {
			for _, a := range d.Arguments {
				if hasVariables(a.Value) {
					return true
				}
			}
		}
		return false
	}
	walk = func(set ast.SelectionSet) bool {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if dirs(s.Directives) || walk(s.SelectionSet) {
					return true
				}
			case *ast.InlineFragment:
				if dirs(s.Directives) || walk(s.SelectionSet) {
					return true
				}
			case *ast.FragmentSpread:
				if dirs(s.Directives) {
					return true
				}
			}
		}
		return false
	}
	for _, op := range doc.Operations {
		if walk(op.SelectionSet) {
			return true
		}
	}
	for _, f := range doc.Fragments {
		if walk(f.SelectionSet) {
			return true
		}
	}
	return false
}

// hasVariables reports whether v is or holds a variable.
func hasVariables(v *ast.Value) bool {
	if v == nil {
		return false
	}
	if v.Kind == ast.Variable {
		return true
	}
	for _, c := range v.Children {
		if hasVariables(c.Value) {
			return true
		}
	}
	return false
}

// queryCache is a bounded LRU cache of parsed queries keyed by their text,
// safe for concurrent use. Each text is parsed and validated once while it
// stays in the cache, even when requests for it arrive together.
type queryCache struct {
	schema *ast.Schema
	rules  *rules.Rules
	max    int

	mu      sync.Mutex
	entries map[string]*list.Element // of *cacheItem
	lru     list.List                // front: most recently used
}

type cacheItem struct {
	query string
	pq    *parsedQuery
}

func newQueryCache(schema *ast.Schema, max int) *queryCache {
	return &queryCache{schema: schema, rules: rules.NewDefaultRules(), max: max, entries: map[string]*list.Element{}}
}

// get returns the parsed query for text, parsing and validating it on a
// miss.
func (c *queryCache) get(text string) *parsedQuery {
	if c.max <= 0 || len(text) > maxCachedQuery {
		pq := &parsedQuery{}
		pq.once.Do(func() { c.parse(pq, text) })
		return pq
	}
	c.mu.Lock()
	var pq *parsedQuery
	if el, ok := c.entries[text]; ok {
		c.lru.MoveToFront(el)
		pq = el.Value.(*cacheItem).pq
	} else {
		pq = &parsedQuery{}
		c.entries[text] = c.lru.PushFront(&cacheItem{query: text, pq: pq})
		for c.lru.Len() > c.max {
			last := c.lru.Back()
			c.lru.Remove(last)
			delete(c.entries, last.Value.(*cacheItem).query)
		}
	}
	c.mu.Unlock()
	pq.once.Do(func() { c.parse(pq, text) })
	return pq
}

// len is the number of cached texts.
func (c *queryCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// parse fills pq; a panic in the parser or validator becomes an error.
func (c *queryCache) parse(pq *parsedQuery, text string) {
	defer func() {
		if p := recover(); p != nil {
			pq.doc = nil
			pq.errs = []gqlError{newGQLError(codeInvalidRequest, fmt.Sprintf("tribetest: cannot validate the query: %v", p))}
		}
	}()
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Name: "request", Input: text}, maxQueryTokens)
	if err != nil {
		var ge *gqlerror.Error
		if errors.As(err, &ge) {
			pq.errs = []gqlError{fromGQLParser(ge, codeInvalidRequest)}
		} else {
			pq.errs = []gqlError{newGQLError(codeInvalidRequest, err.Error())}
		}
		return
	}
	if ge := checkBound(doc); ge != nil {
		pq.errs = []gqlError{*ge}
		return
	}
	if list := validator.ValidateWithRules(c.schema, doc, c.rules); len(list) > 0 {
		for _, ge := range list {
			pq.errs = append(pq.errs, fromGQLParser(ge, codeInvalidRequest))
		}
		return
	}
	pq.doc = doc
}

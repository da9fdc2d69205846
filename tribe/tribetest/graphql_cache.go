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
	if list := validator.ValidateWithRules(c.schema, doc, c.rules); len(list) > 0 {
		for _, ge := range list {
			pq.errs = append(pq.errs, fromGQLParser(ge, codeInvalidRequest))
		}
		return
	}
	pq.doc = doc
}

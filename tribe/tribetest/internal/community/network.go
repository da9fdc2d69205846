package community

import (
	"slices"
	"sync"
)

// network is the state of one network, guarded by its mu. Maps index
// every object by id; slices keep the orders lists answer in.
type network struct {
	id string
	mu sync.RWMutex

	posts    map[string]*post   // live posts and replies
	top      []*post            // live top-level posts, in creation order
	bySpace  map[string][]*post // live top-level posts of each space, in creation order
	hadPosts bool               // a post was seeded or created

	spaces    map[string]*space
	spaceList []*space // live spaces, in creation order
	bySlug    map[string]*space
	joined    map[string][]*space // the spaces of each member, in the order they joined
	hadSpaces bool                // a space was seeded or created

	// gone holds the ids of deleted posts and spaces, which answer 110
	// rather than a mocked object.
	gone map[string]bool

	profiles map[string]*profile
	// settings are the apps' network settings, by app id: replaced on
	// each change, as events share it.
	settings map[string]string
}

func newNetwork(id string) *network {
	return &network{
		id:       id,
		posts:    map[string]*post{},
		bySpace:  map[string][]*post{},
		spaces:   map[string]*space{},
		bySlug:   map[string]*space{},
		joined:   map[string][]*space{},
		gone:     map[string]bool{},
		profiles: map[string]*profile{},
		settings: map[string]string{},
	}
}

// without is l without x (which it holds at most once).
func without[T comparable](l []T, x T) []T {
	if i := slices.Index(l, x); i >= 0 {
		return slices.Delete(l, i, i+1)
	}
	return l
}

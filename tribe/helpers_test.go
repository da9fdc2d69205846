package tribe_test

import "golang.org/x/oauth2"

// staticSource hands out one token, expired or not, as it is (unlike
// oauth2.StaticTokenSource, whose callers may check validity).
type staticSource struct{ tok *oauth2.Token }

func (s staticSource) Token() (*oauth2.Token, error) { return s.tok, nil }

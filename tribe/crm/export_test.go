package crm

import "time"

// SetDefaultTimeout shortens the timeout of the HTTP client c makes when
// c.HTTPClient is nil, for tests of a slow server.
func SetDefaultTimeout(c *Config, d time.Duration) { c.defaultTimeout = d }

// SetClientDefaultTimeout is SetDefaultTimeout for a Client.
func SetClientDefaultTimeout(c *Client, d time.Duration) { c.defaultTimeout = d }

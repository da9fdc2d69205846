package loopback

import "testing"

func TestHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost":             true,
		"LOCALHOST":             true,
		"localhost.":            true,
		"127.0.0.1":             true,
		"127.255.0.9":           true,
		"::1":                   true,
		"::ffff:127.0.0.1":      true,
		"app.localhost":         false,
		"127.0.0.1.example.com": false,
		"localhost.example.com": false,
		"0.0.0.0":               false,
		"::":                    false,
		"10.0.0.1":              false,
		"[::1]":                 false,
		"":                      false,
		"example.com":           false,
	} {
		if got := Host(host); got != want {
			t.Errorf("Host(%q) = %v, want %v", host, got, want)
		}
	}
}

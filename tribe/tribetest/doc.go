// Package tribetest is a mock Tribe (Bettermode) API server for tests.
package tribetest

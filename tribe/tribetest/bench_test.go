package tribetest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/tribekit/tribekit/internal/testenv"
	"github.com/tribekit/tribekit/tribe/schema"
)

// The HTTP benchmarks send requests one after another from one keep-alive
// client and report req/s. BenchmarkBaseline runs the same client against
// a trivial handler echoing a fixed JSON answer, so the others read as a
// ratio to it: go test -bench . -run '^$' ./tribe/tribetest/

// whoAmI is the project's queries/who_am_i.graphql, the query an app sends
// most.
func whoAmI(b *testing.B) string {
	b.Helper()
	q, err := os.ReadFile("../../queries/who_am_i.graphql")
	if err != nil {
		b.Fatal(err)
	}
	return string(q)
}

func benchRequests(b *testing.B, client *http.Client, endpoint, auth string, body []byte) {
	b.Helper()
	req := func() {
		r, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		r.Header.Set("Content-Type", "application/json")
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		resp, err := client.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	req() // warm the connection and the query cache
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

func BenchmarkBaseline(b *testing.B) {
	answer := []byte(`{"data":{"limitedToken":{"accessToken":"eyJhbGciOiJIUzI1NiJ9.eyJpZCI6ImJvdCJ9.c2lnbmF0dXJl","gatewayUrl":"http://127.0.0.1/gateway/net-acme"}}}`)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(answer)
	}))
	defer ts.Close()
	body, _ := json.Marshal(map[string]any{"query": limitedTokenQuery, "variables": map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID}})
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	defer client.CloseIdleConnections()
	benchRequests(b, client, ts.URL, "", body)
}

func BenchmarkLimitedToken(b *testing.B) {
	s := NewServer(WithRecordLimit(1000))
	defer s.Close()
	body, _ := json.Marshal(map[string]any{"query": limitedTokenQuery, "variables": map[string]any{"context": "NETWORK", "entityId": DefaultNetworkID, "networkId": DefaultNetworkID}})
	benchRequests(b, s.Client(), s.GraphQLURL(), basic(DefaultClientID, DefaultClientSecret), body)
}

func BenchmarkAuthMember(b *testing.B) {
	s := NewServer(WithRecordLimit(1000))
	defer s.Close()
	tok, err := s.MintToken(DefaultNetworkID, PlainMemberID)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"query": whoAmI(b), "operationName": "authMember"})
	benchRequests(b, s.Client(), s.GatewayURL(DefaultNetworkID), "Bearer "+tok, body)
}

// BenchmarkLoadPublishedSchema: loading Tribe's published schema with
// schema.Load (SDL, 509 types), and then building a server on it.
func BenchmarkLoadPublishedSchema(b *testing.B) {
	data, err := os.ReadFile(testenv.PublishedSchema(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("schema.Load", func(b *testing.B) {
		for b.Loop() {
			if _, err := schema.Load("schema.generated.gql", data); err != nil {
				b.Fatal(err)
			}
		}
	})
	s, err := schema.Load("schema.generated.gql", data)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("NewUnstartedServer", func(b *testing.B) {
		for b.Loop() {
			NewUnstartedServer(WithSchema(s)).Close()
		}
	})
}

// mockBench is a server on the published schema and a member's token for
// it, as the benchmarks of mocked queries send them.
func mockBench(b *testing.B) (*Server, string) {
	b.Helper()
	s := NewServer(WithSchema(publishedSchema(b)), WithRecordLimit(1000))
	b.Cleanup(s.Close)
	tok, err := s.MintToken(DefaultNetworkID, PlainMemberID)
	if err != nil {
		b.Fatal(err)
	}
	return s, tok
}

// mockBenchBody is the request body of scripts/mockbench's query in
// file.graphql, with a limit of 10.
func mockBenchBody(b *testing.B, file string) []byte {
	b.Helper()
	q, err := os.ReadFile("../../scripts/mockbench/" + file + ".graphql")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"query": string(q), "variables": map[string]any{"limit": 10}})
	return body
}

// BenchmarkMockSpaces: the typical mocked query of scripts/mockbench, a
// page of 10 spaces with 3 members each, on the published schema.
func BenchmarkMockSpaces(b *testing.B) {
	s, tok := mockBench(b)
	benchRequests(b, s.Client(), s.GraphQLURL(), "Bearer "+tok, mockBenchBody(b, "spaces"))
}

// BenchmarkMockShapes: the three shapes of scripts/mockbench on the
// published schema (a flat page of spaces, the same with a union field,
// nested pages), each from one keep-alive client. Profile the server's
// part with -cpuprofile and look under (*Server).ServeHTTP.
func BenchmarkMockShapes(b *testing.B) {
	s, tok := mockBench(b)
	for _, shape := range []struct{ name, file string }{{"flat", "flat"}, {"union", "union"}, {"nested", "spaces"}} {
		b.Run(shape.name, func(b *testing.B) {
			benchRequests(b, s.Client(), s.GraphQLURL(), "Bearer "+tok, mockBenchBody(b, shape.file))
		})
	}
}

// BenchmarkServeShapes: the shapes of BenchmarkMockShapes handed to
// (*Server).ServeHTTP directly, without a connection or a client: the
// server's own work per request, for a profile with less noise.
func BenchmarkServeShapes(b *testing.B) {
	s, tok := mockBench(b)
	for _, shape := range []struct{ name, file string }{{"flat", "flat"}, {"union", "union"}, {"nested", "spaces"}} {
		b.Run(shape.name, func(b *testing.B) {
			body := mockBenchBody(b, shape.file)
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodPost, graphQLPath, bytes.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("Authorization", "Bearer "+tok)
				w := httptest.NewRecorder()
				s.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}

// BenchmarkMockSpacesParallel is BenchmarkMockSpaces from 8 concurrent
// keep-alive clients, as scripts/mockbench's load generator sends it.
func BenchmarkMockSpacesParallel(b *testing.B) {
	s, tok := mockBench(b)
	body := mockBenchBody(b, "spaces")
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	defer client.CloseIdleConnections()
	b.SetParallelism(4)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, err := http.NewRequest(http.MethodPost, s.GraphQLURL(), bytes.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+tok)
			resp, err := client.Do(r)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// Command floor is the floor of scripts/mockbench: the least a GraphQL
// server on net/http can cost per request. It reads each request's body
// and answers a fixed 60-byte JSON object, on 127.0.0.1 at the port of
// its first argument (0 or none: any port), and prints "listening PORT"
// once ready. The mocks' server CPU per request less this one's is the
// GraphQL work they do.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"
)

// answer is the fixed answer: 60 bytes of JSON, data without errors.
const answer = `{"data":{"floor":true,"pad":"..........................."}}` + "\n"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run() error {
	port := "0"
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("the port %q is not a number from 0 to 65535", port)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		return err
	}
	fmt.Println("listening", ln.Addr().(*net.TCPAddr).Port)
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       10 * time.Minute,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
			h := w.Header()
			h.Set("Content-Type", "application/json; charset=utf-8")
			h.Set("Content-Length", strconv.Itoa(len(answer)))
			_, _ = io.WriteString(w, answer)
		}),
	}
	return srv.Serve(ln)
}

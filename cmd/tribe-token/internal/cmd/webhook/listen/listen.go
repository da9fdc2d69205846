// Package listen is "tribe-token webhook listen": a local receiver of
// Tribe's signed requests, which verifies them as package tribe/webhook
// does, answers the TEST challenge and prints one line per request.
package listen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmd/webhook/shared"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/cmdutil"
	"github.com/tribekit/tribekit/cmd/tribe-token/internal/text"
	"github.com/tribekit/tribekit/tribe/webhook"
)

// Path is where the receiver takes requests.
const Path = "/webhook"

// Line is listen's JSON output for one request.
type Line struct {
	Type string          `json:"type"`
	Name string          `json:"name,omitempty"`
	ID   string          `json:"id,omitempty"`
	Data json.RawMessage `json:"data"`
}

// Options are listen's inputs.
type Options struct {
	Factory *cmdutil.Factory

	Secret shared.SecretFlag
	Addr   string
	Output string
}

// NewCmdListen builds "webhook listen". runF, if not nil, is called with
// the parsed Options in place of the work (for tests).
func NewCmdListen(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "listen [--addr HOST:PORT]",
		Short: "Receive Tribe's signed requests locally, and print them",
		Long: `Serve a local receiver of Tribe's requests at http://HOST:PORT` + Path + `, for
trying an app's traffic or what a mock sends, until SIGINT or SIGTERM.

It first prints on stdout the URL to send to:

  url=http://127.0.0.1:PORT` + Path + `

then one line per verified request: with --output text (the default) its type,
event name and id ("-" for what is absent), such as

  SUBSCRIPTION post.published 9f2c41d07a3e8b5c6d1e2f30
  TEST - -

and with --output json one JSON object per line: type, the event's name and id
if any, and data (the request's data, as sent).

Requests are checked as package tribe/webhook checks them: the signature
under the signing secret (each line of --secret-file during a rotation), a
timestamp at most 15 minutes old and a minute ahead, a body of at most 1 MiB.
A TEST challenge is answered; every other request is answered SUCCEEDED with
empty data, and an event delivered again with the same id is printed once. A
refused request gets 403 (signature or time), 400 (not a request), 405 or 413,
and a line on stderr saying why.

The default --addr, 127.0.0.1:0, is a free port on loopback; another host
exposes the receiver to the network (a warning on stderr says so).`,
		Example: `  tribe-token webhook listen --secret-file webhook-secret.txt
  tribe-token webhook listen --addr 127.0.0.1:8080 -o json | jq .data
  TRIBE_WEBHOOK_SECRET=... tribe-token webhook listen > requests.log &`,
		Args: cmdutil.NoArgs,
		RunE: cmdutil.Serve(f, opts, opts.validate, runF, listenRun),
	}
	opts.Secret.Add(cmd)
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:0", "address to listen on (port 0: any free port; a host other than loopback exposes the receiver to the network)")
	cmdutil.AddOutputFlag(cmd, &opts.Output, cmdutil.OutText, cmdutil.OutJSON)
	return cmd
}

// validate checks what the flags alone say, naming the flags.
func (o *Options) validate() error {
	if err := o.Secret.Check(); err != nil {
		return err
	}
	return cmdutil.CheckListenAddr(o.Addr)
}

// listenRun serves until ctx ends or a signal comes.
func listenRun(ctx context.Context, o *Options) error {
	f := o.Factory
	secrets, err := o.Secret.Secrets(f)
	if err != nil {
		return err
	}
	v, err := webhook.NewVerifier(0, secrets...)
	if err != nil {
		return cmdutil.Usagef("%w", err)
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		var addrErr *net.AddrError
		var dnsErr *net.DNSError
		if errors.As(err, &addrErr) || errors.As(err, &dnsErr) {
			return cmdutil.Usagef("--addr %s: %w", text.Clip(o.Addr), err)
		}
		return fmt.Errorf("listening on %s: %w", text.Clip(o.Addr), err)
	}
	defer ln.Close()

	p := &printer{out: f.Out, format: o.Output}
	h := &webhook.Handler{
		Verifier:    v,
		Dedupe:      webhook.NewMemoryDedupe(0),
		Logger:      slog.New(slog.NewTextHandler(&prefixWriter{w: f.ErrOut, prefix: cmdutil.ProgName + ": "}, &slog.HandlerOptions{ReplaceAttr: dropTime})),
		Now:         f.Now,
		Test:        p.test,
		Event:       p.event,
		Installed:   p.installation,
		Uninstalled: p.installation,
		Default:     p.other,
	}
	mux := http.NewServeMux()
	mux.Handle(Path, h)
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	addr := ln.Addr().(*net.TCPAddr)
	url := "http://" + urlHost(addr) + Path
	if !addr.IP.IsLoopback() {
		fmt.Fprintf(f.ErrOut, "warning: the receiver listens on %s, not only on loopback: anyone who can reach this machine can send it requests (they still need the signing secret); use --addr 127.0.0.1:PORT to keep it local\n", addr)
	}
	fmt.Fprintf(f.Out, "url=%s\n", url)
	fmt.Fprintf(f.ErrOut, "listening for Tribe's requests at %s; stop with Ctrl-C (SIGINT) or SIGTERM\n", url)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("serving at %s: %w", url, err)
	case <-ctx.Done():
	}
	stop()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	fmt.Fprintln(f.ErrOut, "receiver stopped")
	return nil
}

// urlHost is the host:port clients on this machine reach addr at: a
// loopback address for an unspecified one (every interface).
func urlHost(addr *net.TCPAddr) string {
	host := addr.IP.String()
	switch {
	case addr.IP.IsUnspecified() && addr.IP.To4() != nil:
		host = "127.0.0.1"
	case addr.IP.IsUnspecified():
		host = "::1"
	}
	return net.JoinHostPort(host, strconv.Itoa(addr.Port))
}

// printer prints one line per request, whole lines at a time.
type printer struct {
	mu     sync.Mutex
	out    io.Writer
	format string
}

func (p *printer) test(_ context.Context, r *webhook.Request, _ string) { p.print(r, "", "") }

func (p *printer) event(_ context.Context, r *webhook.Request, e *webhook.Event) (*webhook.Answer, error) {
	p.print(r, e.Name, e.ID)
	return nil, nil
}

func (p *printer) installation(_ context.Context, r *webhook.Request, in *webhook.Installation) (*webhook.Answer, error) {
	p.print(r, "", in.ID)
	return nil, nil
}

func (p *printer) other(_ context.Context, r *webhook.Request) (*webhook.Answer, error) {
	id := ""
	if r.Type == webhook.TypeInteraction {
		if in, err := r.Interaction(); err == nil {
			id = in.InteractionID
		}
	}
	p.print(r, "", id)
	return nil, nil
}

// print writes a request's line: "TYPE NAME ID", or a JSON object.
func (p *printer) print(r *webhook.Request, name, id string) {
	var line []byte
	if p.format == cmdutil.OutJSON {
		data := r.Data
		if len(data) == 0 {
			data = json.RawMessage("null")
		}
		var indented, compact bytes.Buffer
		if err := cmdutil.WriteJSON(&indented, Line{Type: r.Type, Name: name, ID: id, Data: data}); err != nil {
			return
		}
		if err := json.Compact(&compact, indented.Bytes()); err != nil {
			return
		}
		line = append(compact.Bytes(), '\n')
	} else {
		line = []byte(field(r.Type) + " " + field(name) + " " + field(id) + "\n")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_, _ = p.out.Write(line)
}

// field is a value of a text line: "-" if empty, one word, inert.
func field(s string) string {
	if s == "" {
		return "-"
	}
	return text.Inert(strings.ReplaceAll(text.Clip(s), " ", "_"))
}

// prefixWriter starts each write (a log line) with prefix.
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := io.WriteString(p.w, p.prefix+text.Inert(strings.TrimSuffix(string(b), "\n"))+"\n"); err != nil {
		return 0, err
	}
	return len(b), nil
}

// dropTime leaves the time out of the log lines.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

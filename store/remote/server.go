// Package remote gives other hookscope processes access to a database held
// open by a running listener (bbolt allows one process at a time): the
// listener serves a small HTTP API on a unix socket (mode 0600) beside the
// database, and Client implements store.Store over it.
package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/hookscope/hookscope/store"
)

// Hooks are actions of the running listener that the API exposes besides
// storage.
type Hooks struct {
	// Reverify re-runs verification of a delivery in the listener (which
	// holds the keys, secrets and specs).
	Reverify func(ctx context.Context, id string) error
	// ListenURL, when not nil, is where the listener captures deliveries
	// ("" until its port is bound): a view attached through the socket
	// shows it, as the listener's own view does.
	ListenURL func() string
	// ForwardTo is where the listener forwards each delivery, its
	// password already masked; "" when it does not forward. An attached
	// view shows it, as the listener's own view does.
	ForwardTo string
	// Settings, when not nil, is what the listener verifies and masks
	// with (its flags, environment and config file, resolved), served as
	// JSON to the commands that reach its database through the socket:
	// without it a second terminal would verify with fewer routes and
	// secrets than the listener (and store weaker verdicts) and print
	// secrets the listener masks. It holds secrets. The socket is mode
	// 0600, beside a database that holds the deliveries themselves, and
	// whoever may connect to it may as well read the listener's
	// environment: it tells nobody anything new.
	Settings func(ctx context.Context) (any, error)
}

// wireRecord is a Record in the API's internal shape: unlike the public
// JSON it keeps header names in their original case.
type wireRecord struct {
	Event    store.Event
	Analysis *store.Analysis
	Replays  []store.Attempt
	Pinned   bool
	Answered bool
}

// wireAttempt carries the response headers and body the public JSON omits.
type wireAttempt struct {
	store.Attempt
	RespHeader store.Header
	RespBody   []byte
}

// wireImport is an import: the deliveries, their bodies and what else is
// restored of each (States, nil or one per event). Forwards carries each
// live forward's answer (nil where there is none), which Event.Forward
// leaves out of JSON.
type wireImport struct {
	Events   []*store.Event
	Bodies   [][]byte
	States   []wireState
	Forwards []*wireAttempt
}

type wireState struct {
	Pinned  bool
	Replays []wireAttempt
}

func (a wireAttempt) attempt() store.Attempt {
	at := a.Attempt
	at.RespHeader, at.RespBody = a.RespHeader, a.RespBody
	return at
}

func toWireAttempt(a store.Attempt) wireAttempt {
	return wireAttempt{Attempt: a, RespHeader: a.RespHeader, RespBody: a.RespBody}
}

// Server serves one database on a unix socket.
type Server struct {
	db    store.Store
	hooks Hooks
	ln    net.Listener
	path  string
	srv   *http.Server
	// stopping ends when Serve begins to shut down: notice streams
	// never go idle, so Shutdown would otherwise wait its whole timeout
	// for them, and the clients would not learn the listener is going.
	stopping context.Context
}

// Listen creates the socket at path with mode 0600, replacing a stale one
// (the caller holds the database lock, so no other listener can be using
// it).
func Listen(path string, db store.Store, hooks Hooks) (*Server, error) {
	os.Remove(path)
	ln, err := listenPrivate(path)
	if err != nil {
		return nil, err
	}
	stopping, stop := context.WithCancel(context.Background())
	s := &Server{db: db, hooks: hooks, ln: ln, path: path, stopping: stopping}
	s.srv = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 5 * time.Second}
	// A cancel, not a close: a second Shutdown must not panic.
	s.srv.RegisterOnShutdown(stop)
	return s, nil
}

// maxSocketPath bounds a unix socket's path (sun_path holds 108 bytes on
// Linux, 104 on macOS, the terminating NUL included).
const maxSocketPath = 103

// listenPrivate creates the unix socket at path, mode 0600, so that nobody
// else can connect to it at any moment (it serves the listener's secrets,
// see Hooks.Settings). A socket is created with the process's umask, which
// may let others in: it is bound inside a fresh folder of mode 0700 beside
// path, restricted, then renamed into place. Where that longer path would
// not fit a socket address, it is bound at path and restricted at once,
// as before, which leaves a moment open under a permissive umask.
func listenPrivate(path string) (net.Listener, error) {
	if dir, err := os.MkdirTemp(filepath.Dir(path), ".hs"); err == nil {
		defer os.RemoveAll(dir)
		if tmp := filepath.Join(dir, "s"); len(tmp) <= maxSocketPath {
			ln, err := net.Listen("unix", tmp)
			if err != nil {
				return nil, fmt.Errorf("remote: listen on %s: %w", path, err)
			}
			// The name it was bound under goes away with the rename;
			// Serve removes the socket at path when it stops.
			ln.(*net.UnixListener).SetUnlinkOnClose(false)
			if err := os.Chmod(tmp, 0o600); err != nil {
				ln.Close()
				return nil, fmt.Errorf("remote: chmod %s: %w", tmp, err)
			}
			if err := os.Rename(tmp, path); err != nil {
				ln.Close()
				return nil, fmt.Errorf("remote: place socket at %s: %w", path, err)
			}
			return ln, nil
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("remote: listen on %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("remote: chmod %s: %w", path, err)
	}
	return ln, nil
}

// Serve answers until ctx ends, then removes the socket.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		os.Remove(s.path)
		return fmt.Errorf("remote: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.srv.Shutdown(sctx)
	<-errc
	os.Remove(s.path)
	return nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/ping", get(func(*http.Request) (map[string]string, error) {
		out := map[string]string{"db": s.db.Path()}
		if s.hooks.ListenURL != nil {
			out["url"] = s.hooks.ListenURL()
		}
		if s.hooks.ForwardTo != "" {
			out["forward"] = s.hooks.ForwardTo
		}
		return out, nil
	}))
	mux.HandleFunc("GET /v1/settings", func(w http.ResponseWriter, r *http.Request) {
		if s.hooks.Settings == nil {
			http.Error(w, "this listener shares no settings", http.StatusNotImplemented)
			return
		}
		v, err := s.hooks.Settings(r.Context())
		reply(w, v, err)
	})
	mux.HandleFunc("GET /v1/events", get(s.list))
	mux.HandleFunc("GET /v1/count", get(func(r *http.Request) ([2]int, error) {
		total, matched, err := s.db.Count(r.Context(), r.URL.Query().Get("filter"))
		return [2]int{total, matched}, err
	}))
	mux.HandleFunc("GET /v1/events/{id}", get(func(r *http.Request) (wireRecord, error) {
		rec, err := s.db.Get(r.Context(), r.PathValue("id"))
		return toWire(rec), err
	}))
	mux.HandleFunc("GET /v1/events/{id}/body", func(w http.ResponseWriter, r *http.Request) {
		b, err := s.db.Body(r.Context(), r.PathValue("id"))
		if err != nil {
			writeErr(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(b)
	})
	mux.HandleFunc("GET /v1/events/{id}/attempts/{seq}", func(w http.ResponseWriter, r *http.Request) {
		seq, err := strconv.Atoi(r.PathValue("seq"))
		if err != nil {
			http.Error(w, "bad attempt number", http.StatusBadRequest)
			return
		}
		a, err := s.db.Attempt(r.Context(), r.PathValue("id"), seq)
		reply(w, wireAttempt{Attempt: a, RespHeader: a.RespHeader, RespBody: a.RespBody}, err)
	})
	mux.HandleFunc("POST /v1/events/{id}/analysis", post(func(r *http.Request, a store.Analysis) (store.Analysis, error) {
		return s.db.PutAnalysis(r.Context(), r.PathValue("id"), a)
	}))
	mux.HandleFunc("POST /v1/events/{id}/attempts", post(func(r *http.Request, a wireAttempt) (int, error) {
		at := a.Attempt
		at.RespHeader, at.RespBody = a.RespHeader, a.RespBody
		err := s.db.AddAttempt(r.Context(), r.PathValue("id"), &at)
		return at.Seq, err
	}))
	mux.HandleFunc("POST /v1/events/{id}/pin", post(func(r *http.Request, pinned bool) (bool, error) {
		return true, s.db.SetPinned(r.Context(), r.PathValue("id"), pinned)
	}))
	mux.HandleFunc("POST /v1/events/{id}/reverify", func(w http.ResponseWriter, r *http.Request) {
		if s.hooks.Reverify == nil {
			http.Error(w, "this listener cannot verify", http.StatusNotImplemented)
			return
		}
		reply(w, true, s.hooks.Reverify(r.Context(), r.PathValue("id")))
	})
	mux.HandleFunc("POST /v1/delete", post(func(r *http.Request, ids []string) (int, error) {
		return s.db.Delete(r.Context(), ids)
	}))
	mux.HandleFunc("POST /v1/prune", post(func(r *http.Request, opts store.PruneOptions) (store.PruneResult, error) {
		return s.db.Prune(r.Context(), opts)
	}))
	mux.HandleFunc("GET /v1/stats", get(func(r *http.Request) (store.Stats, error) {
		return s.db.Stats(r.Context())
	}))
	// The path changed when imports began to carry pins and attempts: a
	// listener that predates them answers 404 rather than dropping them.
	// The old path is still served, for an older client, whose imports
	// carry none (States and Forwards nil).
	imports := post(func(r *http.Request, in wireImport) ([]string, error) {
		if in.Forwards != nil && len(in.Forwards) != len(in.Events) {
			return nil, fmt.Errorf("import: %d events but %d forwards", len(in.Events), len(in.Forwards))
		}
		for i, f := range in.Forwards {
			if f != nil && in.Events[i] != nil {
				a := f.attempt()
				in.Events[i].Forward = &a
			}
		}
		var states []store.ImportState
		if in.States != nil {
			states = make([]store.ImportState, len(in.States))
			for i, st := range in.States {
				states[i].Pinned = st.Pinned
				for _, a := range st.Replays {
					states[i].Replays = append(states[i].Replays, a.attempt())
				}
			}
		}
		if err := s.db.ImportAll(r.Context(), in.Events, in.Bodies, states); err != nil {
			return nil, err
		}
		ids := make([]string, len(in.Events))
		for i, ev := range in.Events {
			ids[i] = ev.ID
		}
		return ids, nil
	})
	mux.HandleFunc("POST /v1/imports", imports)
	mux.HandleFunc("POST /v1/import", imports)
	mux.HandleFunc("GET /v1/keys/{id}", get(func(r *http.Request) (store.CachedKey, error) {
		k, ok, err := s.db.LoadKey(r.PathValue("id"))
		if err == nil && !ok {
			err = fmt.Errorf("key %s: %w", r.PathValue("id"), store.ErrNotFound)
		}
		return k, err
	}))
	mux.HandleFunc("POST /v1/keys", post(func(_ *http.Request, k store.CachedKey) (bool, error) {
		return true, s.db.SaveKey(k)
	}))
	mux.HandleFunc("GET /v1/subscribe", s.subscribe)
	return mux
}

func (s *Server) list(r *http.Request) ([]wireRecord, error) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	recs, err := s.db.List(r.Context(), store.Query{
		Filter: q.Get("filter"), Before: q.Get("before"), After: q.Get("after"),
		Limit: limit, Oldest: q.Get("oldest") == "1",
	})
	out := make([]wireRecord, len(recs))
	for i, rec := range recs {
		out[i] = toWire(rec)
	}
	return out, err
}

// get serves a read: fn's result as JSON, or its error.
func get[Out any](fn func(r *http.Request) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		out, err := fn(r)
		reply(w, out, err)
	}
}

// post serves a call whose argument is the request's JSON body.
func post[In, Out any](fn func(r *http.Request, in In) (Out, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in In
		if !readJSON(w, r, &in) {
			return
		}
		out, err := fn(r, in)
		reply(w, out, err)
	}
}

// reply writes v as JSON, or err with its status.
func reply(w http.ResponseWriter, v any, err error) {
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, v)
}

// subscribe streams notices, one JSON object per line, until the client
// goes away or the server stops.
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) {
	ch, cancel := s.db.Subscribe(1024)
	defer cancel()
	fl, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	if fl != nil {
		fl.Flush()
	}
	enc := json.NewEncoder(w)
	for {
		select {
		case n, ok := <-ch:
			if !ok {
				return
			}
			if enc.Encode(n) != nil {
				return
			}
			if fl != nil {
				fl.Flush()
			}
		case <-r.Context().Done():
			return
		case <-s.stopping.Done():
			return
		}
	}
}

func toWire(r store.Record) wireRecord {
	return wireRecord{Event: r.Event, Analysis: r.Analysis, Replays: r.Replays, Pinned: r.Pinned, Answered: r.Answered}
}

func fromWire(w wireRecord) store.Record {
	return store.Record{Event: w.Event, Analysis: w.Analysis, Replays: w.Replays, Pinned: w.Pinned, Answered: w.Answered}
}

// Error codes carried in the X-Hookscope-Error header so the client can
// rebuild the sentinel errors.
const (
	codeNotFound  = "not-found"
	codeAmbiguous = "ambiguous"
)

func writeErr(w http.ResponseWriter, err error) {
	status, code := http.StatusInternalServerError, ""
	switch {
	case errors.Is(err, store.ErrNotFound):
		status, code = http.StatusNotFound, codeNotFound
	case errors.Is(err, store.ErrAmbiguous):
		status, code = http.StatusConflict, codeAmbiguous
	case errors.Is(err, context.Canceled):
		status = 499
	}
	w.Header().Set("X-Hookscope-Error", code)
	http.Error(w, err.Error(), status)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// maxRequest bounds request bodies on the socket (imports are the largest).
const maxRequest = 1 << 30

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(io.LimitReader(r.Body, maxRequest)).Decode(v); err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return false
	}
	return true
}

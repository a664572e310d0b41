// Package serve is llmref's HTTP face (`llmref serve`): the exported JSON
// tree under /v1/ with ETag, Last-Modified, 304 and gzip; /healthz;
// /metrics in Prometheus text format; /changes (the latest change report);
// and /review, where operators approve or reject held changes.
//
// Nothing but POST /review/approve and POST /review/reject writes, and
// those need the bearer token and refuse cross-site requests. The database
// is opened per request through a store.DB (see its doc for why), so
// the command line can read it while the daemon runs.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/schedules"
	"github.com/llmref/llmref/store"
)

// Options configure a Server.
type Options struct {
	// DB is the database, opened per request.
	DB *store.DB
	// ExportDir is the published export tree (a symbolic link swapped per
	// generation); empty serves no /v1/.
	ExportDir string
	// Publisher republishes the tree after a review decision; nil (or one
	// without a folder) leaves the tree to the next run.
	Publisher *publish.Publisher
	// Token is the bearer token approve and reject need; empty disables
	// them.
	Token string
	// Review lists and decides held changes and renders the change
	// report; nil leaves /review and /changes saying so.
	Review Review
	// Schedules reports the daemon's schedules; nil without --schedule.
	Schedules func() []schedules.Status
	// StaleAfter is how old a source's last success may be before
	// /healthz calls it stale; default 48h.
	StaleAfter time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger receives request errors; nil discards them.
	Logger *slog.Logger
}

// Server serves llmref over HTTP. Its zero value is not usable; call New.
type Server struct {
	o       Options
	log     *slog.Logger
	mux     *http.ServeMux
	gens    genCache
	gz      gzCache
	metrics *httpMetrics
	reports reportCache
	runs    runFold
	pending pendingCount
}

// New checks the options and builds the server's routes.
func New(o Options) (*Server, error) {
	if o.DB == nil {
		return nil, errors.New("serve: no database")
	}
	if o.Token != "" && len(o.Token) < 16 {
		return nil, errors.New("serve: the token is shorter than 16 characters")
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = 48 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{o: o, log: log.With("component", "serve"), mux: http.NewServeMux(), metrics: newHTTPMetrics(), reports: reportCache{slot: make(chan struct{}, 1)}}
	s.handle("GET /v1/", "export", s.serveExport)
	s.handle("GET /healthz", "healthz", s.serveHealth)
	s.handle("GET /metrics", "metrics", s.serveMetrics)
	s.handle("GET /changes", "changes", s.serveChanges)
	s.handle("GET /review", "review", s.serveReview)
	s.handle("GET /review/review.js", "review", serveAsset("review.js", "text/javascript; charset=utf-8"))
	s.handle("GET /review/review.css", "review", serveAsset("review.css", "text/css; charset=utf-8"))
	s.handle("POST /review/approve", "approve", s.decide(decisionApprove))
	s.handle("POST /review/reject", "reject", s.decide(decisionReject))
	s.handle("GET /{$}", "index", s.serveIndex)
	return s, nil
}

// handle registers a route, counting its responses for /metrics.
func (s *Server) handle(pattern, name string, h http.HandlerFunc) {
	s.mux.Handle(pattern, s.instrument(name, h))
}

// instrument counts h's responses by handler name and status code the
// moment the status is committed, and observes how long h took when it
// returns.
func (s *Server) instrument(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, commit: func(code int) { s.metrics.count(name, code) }}
		h.ServeHTTP(rec, r)
		rec.committed(http.StatusOK) // a handler that wrote nothing sent an empty 200
		s.metrics.observe(name, rec.code, time.Since(start))
	})
}

// ServeHTTP answers 404 to any path with a "." or ".." segment, an empty
// segment, a backslash or a NUL before routing (the mux would otherwise
// redirect /v1/../x to /x), then routes. /metrics counts those 404s under
// the handler "rejected", and requests no route takes (404, 405) under
// "unmatched".
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if hasDotSegment(r.URL.Path) || strings.Contains(r.URL.Path, "//") || strings.ContainsAny(r.URL.Path, "\\\x00") {
		s.instrument("rejected", http.NotFoundHandler()).ServeHTTP(w, r)
		return
	}
	if h, pattern := s.mux.Handler(r); pattern == "" {
		// No route: the mux's 404, or 405 with Allow.
		s.instrument("unmatched", h).ServeHTTP(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// hasDotSegment reports a "." or ".." segment in a decoded URL path.
func hasDotSegment(p string) bool {
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// Serve answers on ln until ctx is done, then shuts down gracefully,
// waiting up to grace for requests in flight.
func (s *Server) Serve(ctx context.Context, ln net.Listener, grace time.Duration) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}

func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprint(w, "llmref\n\n/v1/index.json   the exported tree (ETag, gzip)\n/healthz         health\n/metrics         Prometheus metrics\n/changes         the latest change report\n/review          held changes: approve or reject\n")
}

// statusRecorder reports the status a handler sends, once, at the moment
// the status is committed and before any byte reaches the client: a
// client that has read its response and then scrapes /metrics always
// finds that response counted.
type statusRecorder struct {
	http.ResponseWriter
	commit func(code int)
	code   int // the committed status; 0 until then
}

// committed reports code unless a status was already reported.
func (r *statusRecorder) committed(code int) {
	if r.code == 0 {
		r.code = code
		r.commit(code)
	}
}

func (r *statusRecorder) WriteHeader(code int) {
	if code >= 200 { // 1xx responses are interim; the final status follows
		r.committed(code)
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.committed(http.StatusOK)
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

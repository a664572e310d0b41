package serve

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/changes"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/internal/textsafe"
	"github.com/llmref/llmref/store"
)

// Review is what the review pages need of held changes and change reports.
// Each method works on the database handle the server opened for the
// request (never opening another: a nested open could wait on a writer
// that waits on it).
type Review interface {
	// Pending lists the held changes waiting for a decision, oldest first.
	Pending(st *store.Store) ([]catalog.Hold, error)
	// Decide approves (publishing the held values) or rejects held
	// changes, recording the decision with its time and note. Unknown ids
	// wrap store.ErrNotFound; decided ones store.ErrNotPending.
	Decide(st *store.Store, approve bool, ids []uint64, note string, at time.Time) ([]catalog.Hold, error)
	// ReportHTML writes the latest run's change report as one HTML page.
	ReportHTML(st *store.Store, w io.Writer) error
	// ReportKey names what that page depends on: a page written under a
	// key is served again while the key stays the same.
	ReportKey(st *store.Store) (string, error)
}

//go:embed assets
var assets embed.FS

// securityHeaders are set on every HTML page: no inline script may run,
// no other origin may frame it, nothing but this origin is fetched.
func securityHeaders(h http.Header, inlineStyle bool) {
	style := "'self'"
	if inlineStyle {
		style = "'unsafe-inline'"
	}
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src "+style+"; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

func serveAsset(name, ctype string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := assets.ReadFile("assets/" + name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(b)
	}
}

var reviewPage = template.Must(template.New("review.html").Funcs(template.FuncMap{
	"date": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"day":  func(t time.Time) string { return t.UTC().Format("2006-01-02") },
	"safeURL": func(s string) string {
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return ""
		}
		return u.String()
	},
}).ParseFS(assets, "assets/review.html"))

// reviewView is the review page's data.
type reviewView struct {
	Holds    []changes.HoldView
	Error    string
	Enabled  bool
	Disabled string
}

func (s *Server) serveReview(w http.ResponseWriter, r *http.Request) {
	v := reviewView{Enabled: s.o.Token != ""}
	if !v.Enabled {
		v.Disabled = "Decisions are disabled: start llmref serve with a token (LLMREF_TOKEN or serve.token)."
	}
	status := http.StatusOK
	if s.o.Review == nil {
		v.Error = "Held changes are not available in this build."
		status = http.StatusNotImplemented
	} else {
		ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
		defer cancel()
		err := s.o.DB.Read(ctx, func(st *store.Store) error {
			held, err := s.o.Review.Pending(st)
			if err != nil || len(held) == 0 {
				return err
			}
			// Models by name: a held change keeps its model published.
			snap, err := st.Snapshot()
			if err != nil {
				s.log.Warn("review page: models shown by id", "err", err)
				snap = catalog.NewSnapshot()
			}
			name := func(id string) string {
				if m := snap.Models[id]; m != nil && m.DisplayName() != id {
					return m.DisplayName()
				}
				return ""
			}
			for _, h := range held {
				v.Holds = append(v.Holds, changes.DescribeHold(h, name))
			}
			return nil
		})
		if err != nil {
			s.log.Error("review page", "err", err)
			v.Error = "The database cannot be read: " + err.Error()
			status = http.StatusServiceUnavailable
		}
	}
	var buf bytes.Buffer
	if err := reviewPage.Execute(&buf, v); err != nil {
		s.log.Error("review page", "err", err)
		http.Error(w, "template error", http.StatusInternalServerError)
		return
	}
	securityHeaders(w.Header(), false)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	// html/template escapes markup, not control characters.
	io.WriteString(w, textsafe.Text(buf.String()))
}

func (s *Server) serveChanges(w http.ResponseWriter, r *http.Request) {
	if s.o.Review == nil {
		http.Error(w, "change reports are not available in this build", http.StatusNotImplemented)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	page, err := s.reports.page(ctx, s.o.DB, s.o.Review)
	switch {
	case errors.Is(err, store.ErrNotFound):
		http.Error(w, "no run has been recorded yet", http.StatusNotFound)
		return
	case err != nil:
		s.log.Error("change report", "err", err)
		http.Error(w, "the change report cannot be read: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	securityHeaders(w.Header(), true) // the report is self-contained, with inline CSS
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", page.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(page.html))
}

// reportCache holds the latest change report's page under its key
// (Review.ReportKey), and lets one request at a time render it: a large
// night's report took seconds and hundreds of MB to build (76,000 changes
// at 16,000 models: 4.7 s, ~290 MB), once per request, so a few readers
// at once could take the daemon's memory beside a run.
type reportCache struct {
	slot chan struct{} // the renderer's (capacity 1)
	mu   sync.Mutex
	key  string
	last *reportPage
}

// reportPage is a rendered change report and its ETag.
type reportPage struct {
	html []byte
	etag string
}

// page is the latest change report's page: the one held when its key has
// not changed, or one rendered now (waiting, within ctx, for a render in
// progress, whose page it may then serve).
func (c *reportCache) page(ctx context.Context, db *store.DB, rv Review) (*reportPage, error) {
	var key string
	if err := db.Read(ctx, func(st *store.Store) (err error) { key, err = rv.ReportKey(st); return err }); err != nil {
		return nil, err
	}
	if p := c.held(key); p != nil {
		return p, nil
	}
	select {
	case c.slot <- struct{}{}:
		defer func() { <-c.slot }()
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for the change report being rendered: %w", ctx.Err())
	}
	if p := c.held(key); p != nil {
		return p, nil
	}
	var buf bytes.Buffer
	err := db.Read(ctx, func(st *store.Store) (err error) {
		if key, err = rv.ReportKey(st); err != nil {
			return err
		}
		return rv.ReportHTML(st, &buf)
	})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(buf.Bytes())
	p := &reportPage{html: buf.Bytes(), etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	c.mu.Lock()
	c.key, c.last = key, p
	c.mu.Unlock()
	return p, nil
}

// held is the page held under key, or nil.
func (c *reportCache) held(key string) *reportPage {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last != nil && c.key == key {
		return c.last
	}
	return nil
}

const (
	decisionApprove = true
	decisionReject  = false
)

// decisionRequest is the body of POST /review/approve and /review/reject:
// the holds, each named once, and the note saying why (required).
type decisionRequest struct {
	IDs  []uint64 `json:"ids"`
	Note string   `json:"note"`
}

// decisionResponse answers a decision.
type decisionResponse struct {
	Action string         `json:"action"`
	Holds  []catalog.Hold `json:"holds"`
	// Export is the tree republished with the decision, if any.
	Export *export.Stats `json:"export,omitempty"`
	Error  string        `json:"error,omitempty"`
}

// decide handles POST /review/approve and /review/reject. It refuses, in
// order: a cross-site request (Sec-Fetch-Site, or an Origin other than
// this host: 403), a missing or wrong bearer token (401; compared in
// constant time), a body that is not JSON (415), one that names no hold,
// a hold twice or gives no note (400: a decision says why, as the
// command line's --note does). A browser form from
// another site can send neither the Authorization header nor a JSON
// content type without a CORS preflight, which this server never grants.
func (s *Server) decide(approve bool) http.HandlerFunc {
	action := "reject"
	if approve {
		action = "approve"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		fail := func(code int, msg string) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(code)
			json.NewEncoder(w).Encode(decisionResponse{Action: action, Error: msg})
		}
		if why := crossSite(r); why != "" {
			fail(http.StatusForbidden, "cross-site request refused: "+why)
			return
		}
		if s.o.Token == "" {
			fail(http.StatusForbidden, "decisions are disabled: no token is configured (LLMREF_TOKEN or serve.token)")
			return
		}
		if !s.tokenOK(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="llmref review"`)
			fail(http.StatusUnauthorized, "a valid bearer token is required")
			return
		}
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			fail(http.StatusUnsupportedMediaType, "the body must be application/json: {\"ids\": [1], \"note\": \"...\"}")
			return
		}
		var req decisionRequest
		dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			fail(http.StatusBadRequest, "bad body: "+err.Error())
			return
		}
		if len(req.IDs) == 0 {
			fail(http.StatusBadRequest, "no hold ids given")
			return
		}
		seen := make(map[uint64]bool, len(req.IDs))
		for _, id := range req.IDs {
			if seen[id] {
				fail(http.StatusBadRequest, fmt.Sprintf("hold %d is named twice", id))
				return
			}
			seen[id] = true
		}
		// A decision says why, on the web as on the command line.
		if req.Note = strings.TrimSpace(req.Note); req.Note == "" {
			fail(http.StatusBadRequest, "a note is required: say why (it is recorded with the decision)")
			return
		}
		if s.o.Review == nil {
			fail(http.StatusNotImplemented, "held changes are not available in this build")
			return
		}
		// Wait a little for a refresh in progress to finish: a decision
		// and a run never interleave (the run's commit would overwrite
		// the published value the decision just set).
		ctx, cancel := context.WithTimeout(r.Context(), 15*time.Second)
		defer cancel()
		var resp decisionResponse
		resp.Action = action
		err := s.o.DB.Write(ctx, func(st *store.Store) error {
			holds, err := s.o.Review.Decide(st, approve, req.IDs, req.Note, s.o.Now())
			if err != nil {
				return err
			}
			resp.Holds = holds
			// The 15 s above bounds the wait for the writer, not the
			// republish: once the decision is committed the tree follows it
			// whole, even if the client has gone.
			stats, err := s.o.Publisher.Publish(context.WithoutCancel(r.Context()), st)
			if err != nil {
				// The decision is committed; the tree follows at the next run.
				s.log.Error("republish after a decision", "err", err)
				resp.Error = "decided, but the export could not be republished: " + err.Error()
				return nil
			}
			resp.Export = stats
			return nil
		})
		switch {
		case errors.Is(err, store.ErrNotFound):
			fail(http.StatusNotFound, err.Error())
			return
		case errors.Is(err, store.ErrNotPending):
			fail(http.StatusConflict, err.Error())
			return
		case errors.Is(err, store.ErrBusy), errors.Is(err, store.ErrLocked):
			w.Header().Set("Retry-After", "60")
			fail(http.StatusServiceUnavailable, "a refresh is running; try again when it has finished")
			return
		case err != nil:
			s.log.Error("decision", "action", action, "err", err)
			fail(http.StatusInternalServerError, err.Error())
			return
		}
		s.log.Info("review decision", "action", action, "holds", req.IDs, "note", req.Note)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(resp)
	}
}

// tokenOK compares the bearer token in constant time (over fixed-length
// digests, so not even the length leaks).
func (s *Server) tokenOK(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	a := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	b := sha256.Sum256([]byte(s.o.Token))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// crossSite says why a request comes from another site, or "".
func crossSite(r *http.Request) string {
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "", "same-origin", "none":
	default:
		return "Sec-Fetch-Site is " + site
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != r.Host {
			return fmt.Sprintf("origin %s is not this server (%s)", origin, r.Host)
		}
	}
	return ""
}

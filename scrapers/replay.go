package scrapers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ManifestFile is the name of a fixture day's manifest.
const ManifestFile = "manifest.json"

// ManifestDir holds further manifest fragments of a fixture day, one per
// source ("manifest.d/fireworks.json"), each with a "responses" list. Their
// responses join the manifest's.
const ManifestDir = "manifest.d"

// Manifest maps every recorded URL of a fixture day to its response.
type Manifest struct {
	// Day names the fixture day ("2026-04-23").
	Day string `json:"day"`
	// RecordedAt is when the responses were recorded. A replayed run takes
	// it as its clock, so replayed facts carry the day's dates.
	RecordedAt time.Time `json:"recorded_at"`
	// Responses are the recorded responses, one per URL.
	Responses []Recorded `json:"responses"`
}

// Recorded is one recorded response.
type Recorded struct {
	URL     string            `json:"url"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	// Body is the path of the body file, relative to the manifest.
	Body string `json:"body,omitempty"`
	// Note says what the response is, for people reading the manifest.
	Note string `json:"note,omitempty"`
}

// LoadManifest reads and checks a fixture day's manifest.
func LoadManifest(fsys fs.FS) (*Manifest, error) {
	b, err := fs.ReadFile(fsys, ManifestFile)
	if err != nil {
		return nil, fmt.Errorf("read fixture manifest: %w", err)
	}
	var m Manifest
	if err := decodeStrict(b, &m); err != nil {
		return nil, fmt.Errorf("parse fixture manifest: %w", err)
	}
	frags, err := fs.Glob(fsys, ManifestDir+"/*.json")
	if err != nil {
		return nil, fmt.Errorf("fixture manifest fragments: %w", err)
	}
	sort.Strings(frags)
	for _, name := range frags {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read fixture manifest fragment: %w", err)
		}
		var frag struct {
			Responses []Recorded `json:"responses"`
		}
		if err := decodeStrict(b, &frag); err != nil {
			return nil, fmt.Errorf("parse fixture manifest fragment %s: %w", name, err)
		}
		m.Responses = append(m.Responses, frag.Responses...)
	}
	seen := map[string]bool{}
	for i, r := range m.Responses {
		if r.URL == "" || r.Status < 100 || r.Status > 599 {
			return nil, fmt.Errorf("fixture manifest: response %d: want a url and a status in 100..599", i)
		}
		if seen[r.URL] {
			return nil, fmt.Errorf("fixture manifest: %s recorded twice", r.URL)
		}
		seen[r.URL] = true
		if r.Body != "" {
			if !fs.ValidPath(r.Body) {
				return nil, fmt.Errorf("fixture manifest: %s: body path %q escapes the fixture day", r.URL, r.Body)
			}
			if _, err := fs.Stat(fsys, r.Body); err != nil {
				return nil, fmt.Errorf("fixture manifest: %s: %w", r.URL, err)
			}
		}
	}
	return &m, nil
}

func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Replay is an http.RoundTripper that answers every request from a fixture
// day, so the real colly code path runs with no network. A URL the day did
// not record gets 404; a conditional request whose validator matches gets
// 304. Like any transport it never interprets status codes.
type Replay struct {
	fsys     fs.FS
	manifest *Manifest
	byURL    map[string]Recorded
}

// NewReplay loads a fixture day for replay.
func NewReplay(fsys fs.FS) (*Replay, error) {
	m, err := LoadManifest(fsys)
	if err != nil {
		return nil, err
	}
	r := &Replay{fsys: fsys, manifest: m, byURL: make(map[string]Recorded, len(m.Responses))}
	for _, rec := range m.Responses {
		r.byURL[rec.URL] = rec
	}
	return r, nil
}

// Manifest returns the day's manifest.
func (r *Replay) Manifest() *Manifest { return r.manifest }

// URLs lists the recorded URLs in order.
func (r *Replay) URLs() []string {
	out := make([]string, 0, len(r.byURL))
	for u := range r.byURL {
		out = append(out, u)
	}
	sort.Strings(out)
	return out
}

// RoundTrip answers req from the fixture day.
func (r *Replay) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	rec, ok := r.byURL[req.URL.String()]
	if !ok {
		return r.response(req, http.StatusNotFound, http.Header{"Content-Type": {"text/plain; charset=utf-8"}},
			[]byte("llmref replay: no recorded response for "+req.URL.String()+"\n")), nil
	}
	h := http.Header{}
	for k, v := range rec.Headers {
		h.Set(k, v)
	}
	if notModified(req, h) {
		return r.response(req, http.StatusNotModified, h, nil), nil
	}
	var body []byte
	if rec.Body != "" {
		var err error
		body, err = fs.ReadFile(r.fsys, rec.Body)
		if err != nil {
			return nil, fmt.Errorf("replay %s: %w", req.URL, err)
		}
	}
	return r.response(req, rec.Status, h, body), nil
}

func notModified(req *http.Request, h http.Header) bool {
	if inm := req.Header.Get("If-None-Match"); inm != "" {
		etag := h.Get("ETag")
		return etag != "" && etagMatch(inm, etag)
	}
	if ims := req.Header.Get("If-Modified-Since"); ims != "" {
		lm, err1 := http.ParseTime(h.Get("Last-Modified"))
		since, err2 := http.ParseTime(ims)
		return err1 == nil && err2 == nil && !lm.After(since)
	}
	return false
}

// etagMatch compares an If-None-Match list with an ETag, weakly (RFC 9110).
func etagMatch(list, etag string) bool {
	strip := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for _, c := range strings.Split(list, ",") {
		if c = strings.TrimSpace(c); c == "*" || strip(c) == strip(etag) {
			return true
		}
	}
	return false
}

func (r *Replay) response(req *http.Request, status int, h http.Header, body []byte) *http.Response {
	if body == nil {
		body = []byte{}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	return &http.Response{
		Status:        strconv.Itoa(status) + " " + http.StatusText(status),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

// BodyPath proposes a body file name for a URL inside a fixture day:
// "openrouter.ai/api/v1/models" plus an extension from the content type.
func BodyPath(rawURL, contentType string) (string, error) {
	u, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		return "", err
	}
	p := strings.Trim(u.URL.Path, "/")
	if p == "" {
		p = "index"
	}
	if u.URL.RawQuery != "" {
		p += "_" + u.URL.RawQuery
	}
	var b strings.Builder
	for _, c := range u.URL.Host + "/" + p {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_', c == '/':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	name := path.Clean(b.String())
	if strings.Contains(name, "..") {
		return "", errors.New("url path does not make a safe file name")
	}
	ext := path.Ext(name)
	if ext == "" || len(ext) > 6 {
		switch ct := strings.ToLower(contentType); {
		case strings.Contains(ct, "json"):
			name += ".json"
		case strings.Contains(ct, "html"):
			name += ".html"
		case strings.Contains(ct, "markdown"):
			name += ".md"
		default:
			name += ".txt"
		}
	}
	return name, nil
}

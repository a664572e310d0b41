package scrapers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// recordedHeaders are the response headers a fixture day keeps: what a
// parser, a conditional request or a redirect needs on replay.
var recordedHeaders = []string{"Content-Type", "ETag", "Last-Modified", "Cache-Control", "Location", "Retry-After"}

// maxDrain is how much of an unread body the recorder reads after the
// client closed it (a redirect's body, say) to keep it whole; a longer
// rest is not recorded.
const maxDrain = 1 << 20

// Recorder is an http.RoundTripper that passes every request to the next
// transport (the real one) and keeps each complete response, robots.txt
// included, for a fixture day. Like any transport it never interprets
// status codes. A URL fetched more than once (retries) keeps its last
// response; a response whose body was left unread (a redirect's, or an
// oversize body given up) is read to its end first, unless more than 1 MiB
// of it is left: then it is not kept.
type Recorder struct {
	next http.RoundTripper

	mu  sync.Mutex
	got map[string]recording
}

type recording struct {
	status int
	header http.Header
	body   []byte
}

// NewRecorder wraps next, the transport that really fetches.
func NewRecorder(next http.RoundTripper) *Recorder {
	return &Recorder{next: next, got: map[string]recording{}}
}

// RoundTrip fetches req through the next transport and records the response
// once its body has been read to the end.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	u := req.URL.String()
	status, header := resp.StatusCode, resp.Header.Clone()
	resp.Body = &recordingBody{rc: resp.Body, done: func(body []byte) {
		r.mu.Lock()
		r.got[u] = recording{status: status, header: header, body: body}
		r.mu.Unlock()
	}}
	return resp, nil
}

// Len is the number of URLs recorded.
func (r *Recorder) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

type recordingBody struct {
	rc   io.ReadCloser
	buf  bytes.Buffer
	done func([]byte)
	eof  bool
}

func (b *recordingBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.buf.Write(p[:n])
	if errors.Is(err, io.EOF) && !b.eof {
		b.eof = true
		b.done(bytes.Clone(b.buf.Bytes()))
	}
	return n, err
}

// Close reads what is left of a body the client did not finish (up to
// maxDrain) so that the recorded body is whole, then closes it.
func (b *recordingBody) Close() error {
	if !b.eof {
		n, err := io.Copy(&b.buf, io.LimitReader(b.rc, maxDrain+1))
		if err == nil && n <= maxDrain {
			b.eof = true
			b.done(bytes.Clone(b.buf.Bytes()))
		}
	}
	return b.rc.Close()
}

// WriteDay writes what was recorded as a fixture day in dir: a manifest.json
// that --replay reads, and one body file per response under the host's path
// (BodyPath). It writes into a temporary folder beside dir, checks that the
// day loads, and renames it into place, so dir is either the whole day or
// not there at all. dir must not exist, or be an empty folder.
func (r *Recorder) WriteDay(dir string, at time.Time) (*Manifest, error) {
	r.mu.Lock()
	got := make(map[string]recording, len(r.got))
	for u, rec := range r.got {
		got[u] = rec
	}
	r.mu.Unlock()
	if len(got) == 0 {
		return nil, errors.New("record: no response was recorded")
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("record: %s exists and is not empty; choose a new folder", dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("record: %w", err)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".recording-")
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	at = at.UTC().Truncate(time.Second)
	m := &Manifest{Day: at.Format("2006-01-02"), RecordedAt: at}
	urls := make([]string, 0, len(got))
	for u := range got {
		urls = append(urls, u)
	}
	sort.Strings(urls)
	used := map[string]bool{}
	for i, u := range urls {
		rec := got[u]
		resp := Recorded{URL: u, Status: rec.status, Note: "recorded by llmref record"}
		for _, h := range recordedHeaders {
			if v := rec.header.Get(h); v != "" {
				if resp.Headers == nil {
					resp.Headers = map[string]string{}
				}
				resp.Headers[h] = v
			}
		}
		if len(rec.body) > 0 {
			name, err := BodyPath(u, rec.header.Get("Content-Type"))
			if err != nil {
				ext := path.Ext(name)
				if ext == "" {
					ext = ".txt"
				}
				name = "bodies/" + strconv.Itoa(i) + ext
			}
			name = uniquePath(name, used)
			if err := writeBody(tmp, name, rec.body); err != nil {
				// A path that clashes with another's folder: keep the
				// body under bodies/ instead.
				name = uniquePath("bodies/"+strconv.Itoa(i)+path.Ext(name), used)
				if err := writeBody(tmp, name, rec.body); err != nil {
					return nil, fmt.Errorf("record: %s: %w", u, err)
				}
			}
			used[strings.ToLower(name)] = true
			resp.Body = name
		}
		m.Responses = append(m.Responses, resp)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	if err := writeBody(tmp, ManifestFile, append(b, '\n')); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	if _, err := LoadManifest(os.DirFS(tmp)); err != nil {
		return nil, fmt.Errorf("record: the recorded day does not load: %w", err)
	}
	if err := syncDir(tmp); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	// os.Rename does not replace a folder, even an empty one.
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("record: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	ok = true
	if err := syncDir(parent); err != nil {
		return m, fmt.Errorf("record: %w", err)
	}
	return m, nil
}

// uniquePath returns name, or name with "-2", "-3" ... before its extension
// when a body already has it (compared without case, for case-insensitive
// file systems).
func uniquePath(name string, used map[string]bool) string {
	if !used[strings.ToLower(name)] {
		return name
	}
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for n := 2; ; n++ {
		c := stem + "-" + strconv.Itoa(n) + ext
		if !used[strings.ToLower(c)] {
			return c
		}
	}
}

func writeBody(root, name string, body []byte) error {
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(body); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

// RecordResult is what a recording fetched and wrote.
type RecordResult struct {
	// Manifest is the written day's manifest; nil when nothing was written.
	Manifest *Manifest
	// Outcome is the crawl: every source's figures and what its pages
	// said, so a caller sees which sources failed.
	Outcome *Outcome
}

// Record fetches every source through one real collector whose transport
// records each response (robots.txt included), parses them as a refresh
// would, and writes the responses as a fixture day in dir (see WriteDay),
// which `--replay dir` plays back. o.Transport, when set, is the transport
// recorded; by default a real one. A source that fails is recorded as it
// answered, and named in the outcome's stats. Nothing is written when the
// context ends first or no response came back.
func Record(ctx context.Context, o Options, sources []Source, dir string) (*RecordResult, error) {
	return RecordStaged(ctx, o, sources, nil, dir)
}

// RecordStaged is Record crawling in stages (see CrawlStaged), so that the
// planned sources' requests, derived from what the first stage read, are
// recorded too.
func RecordStaged(ctx context.Context, o Options, first []Source, next Next, dir string) (*RecordResult, error) {
	o = o.Defaults()
	// The recorder sits above a decoding transport: it keeps bodies as
	// parsers see them (decoded, bounded), which replay serves as they are.
	rec := NewRecorder(&decodingTransport{next: o.Transport, max: o.MaxBodyBytes})
	o.Transport = rec
	o.Validators = func(string) (string, string) { return "", "" } // record whole responses, never 304s
	out, err := CrawlStaged(ctx, o, first, nil, next, nil)
	res := &RecordResult{Outcome: out}
	if err != nil {
		return res, fmt.Errorf("record: %w", err)
	}
	m, err := rec.WriteDay(dir, o.Now())
	res.Manifest = m
	return res, err
}

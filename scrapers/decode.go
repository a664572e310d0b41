package scrapers

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// acceptEncoding is what the fetcher asks for: the content codings
// decodingTransport undoes itself, under the body limit.
const acceptEncoding = "gzip, deflate"

// decodingTransport takes content decoding out of everyone else's hands and
// bounds the body after every decoding step.
//
// Left alone, Go's transport gunzips an exact "Content-Encoding: gzip"
// itself, and colly v2.3.0 gunzips, with no limit, any body whose
// Content-Encoding contains "gzip" (x-gzip, "gzip, identity"), whose
// Content-Type does, or whose path ends in ".xml.gz": a 2 MB response became
// a 2 GiB body. So this transport asks for gzip and deflate itself (Go's
// transport then decodes nothing), undoes every coding the response lists,
// last applied first, and marks the response Uncompressed so that colly
// decodes nothing either. A body without Content-Encoding whose
// Content-Type names gzip (application/gzip) is a gzip file: it is decoded
// too, as colly would have. The bytes read from the wire, those out of each
// decoding step and those handed over are each bounded by max: past it the
// body fails with ErrBodyTooLarge ("body exceeds N bytes after decoding"),
// never truncated. A coding it does not know (br, zstd, compress) fails the
// response rather than hand compressed bytes to a parser.
type decodingTransport struct {
	next http.RoundTripper
	max  int64
	// slots, when set, receive the bodies of the requests that name one
	// (see bodyslot.go).
	slots *bodySlots
}

// RoundTrip fetches req through the next transport and returns the response
// with its body decoded and bounded.
func (t *decodingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Header.Get("Accept-Encoding") == "" && req.Header.Get("Range") == "" {
		r := *req // a RoundTripper must not change the caller's request
		r.Header = req.Header.Clone()
		r.Header.Set("Accept-Encoding", acceptEncoding)
		req = &r
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	codings, err := contentCodings(resp.Header)
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	resp.Uncompressed = true // colly must not gunzip it again
	if resp.ContentLength > t.max {
		resp.Body.Close()
		where := "after decoding"
		if len(codings) > 0 {
			where = "on the wire"
		}
		return nil, &bodyLimitError{limit: t.max, where: fmt.Sprintf("%s (Content-Length %d)", where, resp.ContentLength)}
	}
	if len(codings) == 0 {
		resp.Body = &decodedBody{wire: resp.Body, r: &boundedReader{r: resp.Body, left: t.max, limit: t.max, where: "after decoding"}}
	} else {
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Body = &decodedBody{wire: resp.Body, codings: codings, max: t.max}
	}
	if slot := t.slots.get(req.Header.Get(fetchHeader)); slot != nil {
		resp.Body = &slotBody{ReadCloser: resp.Body, slot: slot, size: resp.ContentLength, recycled: t.slots.recycled, limit: t.max}
	}
	return resp, nil
}

// contentCodings lists the codings a response's body went through, in the
// order they were applied, "identity" left out: those of Content-Encoding
// (every line of it), or gzip for a body whose Content-Type names gzip and
// which has no Content-Encoding. A coding this transport cannot undo is an
// error.
func contentCodings(h http.Header) ([]string, error) {
	lines := h.Values("Content-Encoding")
	if len(lines) == 0 {
		ct := h.Get("Content-Type")
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			ct = mt
		}
		if strings.Contains(strings.ToLower(ct), "gzip") {
			return []string{"gzip"}, nil
		}
		return nil, nil
	}
	var out []string
	for _, line := range lines {
		for c := range strings.SplitSeq(line, ",") {
			switch c = strings.ToLower(strings.TrimSpace(c)); c {
			case "", "identity":
			case "gzip", "x-gzip":
				out = append(out, "gzip")
			case "deflate":
				out = append(out, "deflate")
			default:
				return nil, fmt.Errorf("unsupported Content-Encoding %q (llmref decodes gzip and deflate)", c)
			}
		}
	}
	return out, nil
}

// decodedBody is a response body decoded and bounded. The decoders are
// built at the first Read (they read their headers), so RoundTrip never
// waits on the body.
type decodedBody struct {
	wire    io.ReadCloser
	codings []string // nil once r is built
	max     int64
	r       io.Reader
	err     error // a failure to build the decoders, returned by every Read
}

func (b *decodedBody) Read(p []byte) (int, error) {
	if b.r == nil && b.err == nil {
		b.r, b.err = decoders(b.wire, b.codings, b.max)
	}
	if b.err != nil {
		return 0, b.err
	}
	return b.r.Read(p)
}

// Close closes the wire body; the decoders hold nothing else.
func (b *decodedBody) Close() error { return b.wire.Close() }

// decoders stacks a decoder per coding over the wire, last applied first,
// each step's output bounded by max, as are the wire's bytes. An empty body
// decodes to an empty body (io.EOF).
func decoders(wire io.Reader, codings []string, max int64) (io.Reader, error) {
	var r io.Reader = &boundedReader{r: wire, left: max, limit: max, where: "on the wire"}
	for i := len(codings) - 1; i >= 0; i-- {
		tap := &errTap{r: r}
		d, err := newDecoder(codings[i], tap)
		if err != nil {
			return nil, decodeErr(codings[i], tap, err)
		}
		r = &boundedReader{r: &decodeStep{coding: codings[i], tap: tap, r: d}, left: max, limit: max, where: "after decoding"}
	}
	return r, nil
}

// newDecoder returns the reader that undoes one coding. Deflate is zlib
// data by RFC 9110, but some servers send raw deflate: a stream that does
// not open with a zlib header is read as raw deflate.
func newDecoder(coding string, r io.Reader) (io.Reader, error) {
	switch coding {
	case "gzip":
		return gzip.NewReader(r)
	case "deflate":
		br := bufio.NewReader(r)
		h, err := br.Peek(2)
		if len(h) == 0 {
			return nil, err // io.EOF for an empty body
		}
		if len(h) == 2 && h[0]&0x0f == 8 && h[0]>>4 <= 7 && (uint16(h[0])<<8|uint16(h[1]))%31 == 0 {
			return zlib.NewReader(br)
		}
		return flate.NewReader(br), nil
	}
	return nil, fmt.Errorf("unsupported content coding %q", coding)
}

// decodeStep is one decoder, whose own failures (a bad header, corrupt
// data, a stream cut short) it names; failures from below (the network,
// the limit) pass unchanged.
type decodeStep struct {
	coding string
	tap    *errTap
	r      io.Reader
}

func (s *decodeStep) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		err = decodeErr(s.coding, s.tap, err)
	}
	return n, err
}

func decodeErr(coding string, tap *errTap, err error) error {
	if err == io.EOF || errors.Is(err, ErrBodyTooLarge) || (tap.err != nil && tap.err != io.EOF && errors.Is(err, tap.err)) {
		return err
	}
	return fmt.Errorf("decode %s body: %w", coding, err)
}

// errTap remembers the last error of the reader below a decoder.
type errTap struct {
	r   io.Reader
	err error
}

func (t *errTap) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil {
		t.err = err
	}
	return n, err
}

// boundedReader passes at most limit bytes; one more fails the read with
// a bodyLimitError instead of ending the body early.
type boundedReader struct {
	r     io.Reader
	left  int64
	limit int64
	where string // "on the wire", "after decoding"
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, b.tooLarge()
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n - 1, b.tooLarge() // the byte past the limit is not handed over
	}
	return n, err
}

func (b *boundedReader) tooLarge() error {
	return &bodyLimitError{limit: b.limit, where: b.where}
}

// bodyLimitError is a body past Options.MaxBodyBytes; it is ErrBodyTooLarge.
type bodyLimitError struct {
	limit int64
	where string
}

func (e *bodyLimitError) Error() string {
	return fmt.Sprintf("body exceeds %d bytes %s", e.limit, e.where)
}

func (e *bodyLimitError) Unwrap() error { return ErrBodyTooLarge }

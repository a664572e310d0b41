package scrapers

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
)

// StageError says at which stage of a request an error struck: "connect"
// (no connection yet: DNS, TCP, TLS), "headers" (connected, no response
// yet) or "body" (reading the response body). A timeout then names where
// the host hung.
type StageError struct {
	Stage string
	Err   error
}

func (e *StageError) Error() string { return e.Stage + ": " + e.Err.Error() }

// Unwrap gives the error itself.
func (e *StageError) Unwrap() error { return e.Err }

// Timeout and Temporary keep a net.Error one (url.Error asks its error
// directly, not through Unwrap).
func (e *StageError) Timeout() bool {
	var ne net.Error
	return errors.As(e.Err, &ne) && ne.Timeout()
}

// Temporary is the wrapped error's.
func (e *StageError) Temporary() bool {
	t, ok := e.Err.(interface{ Temporary() bool })
	return ok && t.Temporary()
}

// stageTransport marks each network error of next with its stage, and
// each error that ends a request cancelled meanwhile (the client's timeout,
// a source's deadline, a cancelled run: Go's transport then says only
// "request canceled").
type stageTransport struct{ next http.RoundTripper }

func (t stageTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var connected atomic.Bool
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { connected.Store(true) }}
	done := cancelled(req)
	resp, err := t.next.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
	if err != nil && stageable(err, done) {
		stage := "connect"
		if connected.Load() {
			stage = "headers"
		}
		return nil, &StageError{Stage: stage, Err: err}
	}
	if err != nil {
		return nil, err
	}
	resp.Body = stageBody{ReadCloser: resp.Body, done: done}
	return resp, nil
}

// cancelled reports whether req has been cancelled: its context is done,
// or its Cancel channel closed (http.Client times out a request to a
// transport of its own making through both, the channel first).
func cancelled(req *http.Request) func() bool {
	//lint:ignore SA1019 http.Client still sets Cancel on a request to a transport of its own making
	ctx, ch := req.Context(), req.Cancel
	return func() bool {
		if ctx.Err() != nil {
			return true
		}
		select {
		case <-ch: // a nil channel never is
			return true
		default:
			return false
		}
	}
}

// stageable reports whether err is the network's (a timeout, a reset) or
// ends a request cancelled meanwhile, not a replayed day's missing page or
// a refused redirect.
func stageable(err error, cancelled func() bool) bool {
	var ne net.Error
	return errors.As(err, &ne) || cancelled()
}

// stageBody marks a read error of the body (io.EOF aside) as the body's.
type stageBody struct {
	io.ReadCloser
	done func() bool // the request's cancelled
}

func (b stageBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && stageable(err, b.done) {
		err = &StageError{Stage: "body", Err: err}
	}
	return n, err
}

// hostStage restates an error of the robots.txt request colly makes before
// a host's first page: when it failed to connect, the host took no
// connection, and the page, which would have met the same, fails at the
// connect stage ("connect: dial tcp …: i/o timeout") without naming a
// robots.txt it never reached. A robots.txt that connected and then hung
// (headers, body) is what failed, and is named.
func hostStage(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	if u, perr := url.Parse(ue.URL); perr != nil || u.Path != "/robots.txt" {
		return err
	}
	var se *StageError
	switch {
	case errors.As(ue.Err, &se) && se.Stage == "connect":
		return se
	case strings.HasPrefix(ue.Err.Error(), "connect: "):
		// http.Client's timeout keeps only the text of the StageError
		// ("connect: … (Client.Timeout exceeded while awaiting headers)").
		return ue.Err
	}
	return err
}

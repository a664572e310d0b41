package scrapers

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// ErrHostDown fails a request that was not sent because its host answered
// none of the requests before it (see hostHealth).
var ErrHostDown = errors.New("host down")

// ErrHostBackOff fails a request that was not sent because its host asked
// for none for longer than Options.RetryAfterMax (see slowedDown).
var ErrHostBackOff = errors.New("the host asked for no requests")

// hostDownAfter is how many requests in a row, each after its retries,
// may get no answer from a host (no connection, or no response headers
// before the timeout) before the host counts as down; hostProbeEvery is
// how often one request then tries it again. Variables for tests.
//
// Without it a host that is down cost each of its pages every retry and
// backoff: the 8,000-page benchmark site stopped 1.2 s into a refresh
// left 3,006 pages to fail, ~1.1 s each, 8 at a time (~7 minutes); given
// up, the run ended in 14.6 s. (A host down from the start fails at its
// robots.txt first: see robotsOnce and errRobotsKept.) A host that drops
// connections (a firewall) held its source to its deadline (7.5 minutes
// by default), a timeout per attempt per page.
//
// hostDownFor is how long the requests in a row must have gone
// unanswered as well: a blip (a restart, a deploy) shorter than that
// fails the pages sent during it, each after its retries, and spares the
// rest, which would otherwise be failed unsent with the host given up.
var (
	hostDownAfter  = 3
	hostDownFor    = 10 * time.Second
	hostProbeEvery = 15 * time.Second
)

// hostHealth is what a host's queue knows of whether the host answers,
// and whether it asked for fewer requests: fetcher.mu guards it.
type hostHealth struct {
	// silent counts the host's requests in a row that got no answer,
	// since the first of them ended.
	silent int
	since  time.Time
	// down is the last one's error once silent reached hostDownAfter;
	// nil while the host answers.
	down error
	// probeAt is when a request may try the host again; probing is set
	// while one does.
	probeAt time.Time
	probing bool
	// calm is when the host may be sent requests again after it asked
	// for fewer (see slowDown).
	calm time.Time
}

// admit decides whether a request may be sent to q's host: nil, or the
// error it fails with unsent. While the host is down, one request every
// hostProbeEvery is let through (probe is then true) to find out whether
// it is back.
func (f *fetcher) admit(q *hostQueue) (probe bool, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := &q.health
	switch {
	case h.down == nil:
		return false, nil
	case !h.probing && !time.Now().Before(h.probeAt):
		h.probing = true
		return true, nil
	}
	return false, fmt.Errorf("%w: its last %d requests got no answer (the last: %v); not sent, tried again within %s",
		ErrHostDown, h.silent, h.down, hostProbeEvery)
}

// observe learns from res, the outcome of a request sent to q's host (a
// probe when probe is set): no answer at all (nothing connected, or no
// headers in time) counts towards the host being down, unless the request
// was cut short by its source's deadline or the run's end (stopped says
// so); anything the host answered (a status, a body over the limit, a
// redirect refused) puts it back in service.
func (f *fetcher) observe(q *hostQueue, res Fetched, probe, stopped bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := &q.health
	if probe {
		h.probing = false
	}
	switch {
	case stopped:
		if probe { // cut short, it says nothing: another in hostProbeEvery
			h.probeAt = time.Now().Add(hostProbeEvery)
		}
	case unanswered(res.Err):
		now := time.Now()
		if h.silent == 0 {
			h.since = now
		}
		h.silent++
		if h.silent >= hostDownAfter && now.Sub(h.since) >= hostDownFor {
			h.down, h.probeAt = res.Err, now.Add(hostProbeEvery)
		}
	case reached(res):
		h.silent, h.down = 0, nil
	}
}

// reached reports whether res's request reached its host and was
// answered: a status, or a failure after one (the body, a redirect); not
// a page robots.txt kept out, nor one never sent.
func reached(res Fetched) bool {
	if res.Status != 0 || res.Err == nil {
		return res.Attempts > 0
	}
	return res.Attempts > 0 && !errors.Is(res.Err, ErrRobotsDisallow) && !errors.Is(res.Err, ErrHostDown) && !errors.Is(res.Err, ErrHostBackOff)
}

// unanswered reports whether err says the host gave no answer: it took no
// connection (refused, unreachable, no such host, the connect timed out)
// or sent no response headers before the timeout.
func unanswered(err error) bool {
	var se *StageError
	if errors.As(err, &se) {
		return se.Stage == "connect" || se.Stage == "headers"
	}
	// When http.Client's own timer ends a request, its error keeps only
	// the text of what the transport said, and names the stage itself:
	// "(Client.Timeout exceeded while awaiting headers)".
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() && strings.Contains(err.Error(), "awaiting headers")
}

// slowDown makes every request to q's host wait d from now before it is
// sent, retries included: the host answered 429 Too Many Requests or 503
// Service Unavailable, and d is its Retry-After (or the backoff when it
// named none). Each request used to wait only for itself, while the
// host's other workers went on sending, and met the same answer.
func (f *fetcher) slowDown(q *hostQueue, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if t := time.Now().Add(d); t.After(q.health.calm) {
		q.health.calm = t
	}
}

// slowedDown waits until q's host may be sent a request again (see
// slowDown), or returns why not: the host asked for a longer wait than
// Options.RetryAfterMax (the request is not sent: a host that answers
// "Retry-After: 3600" was sent every other page, each refused the same),
// or the request's source ran out of time (sctx) while it waited.
func (f *fetcher) slowedDown(sctx context.Context, q *hostQueue) error {
	f.mu.Lock()
	wait := time.Until(q.health.calm)
	f.mu.Unlock()
	if wait <= 0 {
		return nil
	}
	if wait > f.o.RetryAfterMax {
		return fmt.Errorf("%w for another %s (Retry-After), more than the %s cap; not sent",
			ErrHostBackOff, wait.Round(time.Second), f.o.RetryAfterMax)
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-sctx.Done():
		return fmt.Errorf("%w (while the host asked for fewer requests: 429 or 503)", ctxErr(sctx))
	case <-t.C:
		return nil
	}
}

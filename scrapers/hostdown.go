package scrapers

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// ErrHostDown fails a request that was not sent because its host answered
// none of the requests before it (see hostHealth).
var ErrHostDown = errors.New("host down")

// hostDownAfter is how many requests in a row, each after its retries,
// may get no answer from a host (no connection, or no response headers
// before the timeout) before the host counts as down; hostProbeEvery is
// how often one request then tries it again. Variables for tests.
//
// Without it a host that is down cost each of its pages every retry and
// backoff: 8,000 pages on a loopback port nobody listened on took a
// refresh 18 minutes and 24,000 connection attempts; a host that drops
// connections (a firewall) held its source to its deadline (7.5 minutes
// by default), a timeout per attempt per page.
var (
	hostDownAfter  = 3
	hostProbeEvery = 15 * time.Second
)

// hostHealth is what a host's queue knows of whether the host answers:
// fetcher.mu guards it.
type hostHealth struct {
	// silent counts the host's requests in a row that got no answer.
	silent int
	// down is the last one's error once silent reached hostDownAfter;
	// nil while the host answers.
	down error
	// probeAt is when a request may try the host again; probing is set
	// while one does.
	probeAt time.Time
	probing bool
}

// admit decides whether r may be sent to q's host: nil, or the error r
// fails with unsent. While the host is down, one request every
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
// probe when probe is set): any response means the host answers; no
// answer at all (nothing connected, or no headers in time) counts
// towards the host being down, unless the request was cut short by its
// source's deadline or the run's end (stopped says so). Other failures
// (robots.txt, a body too large, a bad redirect) say nothing either way.
func (f *fetcher) observe(q *hostQueue, res Fetched, probe, stopped bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := &q.health
	if probe {
		h.probing = false
	}
	switch {
	case res.Status != 0:
		*h = hostHealth{}
	case stopped || !unanswered(res.Err):
	default:
		h.silent++
		if h.silent >= hostDownAfter {
			h.down, h.probeAt = res.Err, time.Now().Add(hostProbeEvery)
		}
	}
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

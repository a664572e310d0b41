// Package faultsuite provokes every network and content fault llmref must
// survive, on loopback: a fault server answers per URL with 500, 502, 503,
// 429 + Retry-After, a timeout, a connection reset, a truncated body, an
// oversize body, malformed JSON, malformed HTML, a redirect to another host
// and a robots.txt disallow. Sources are pointed at it through the
// configuration file alone. A good day is refreshed first; the faulty day
// must then complete as partial, keep every earlier fact, and name every
// failure in the run's figures.
package faultsuite

// Package hostilesuite points llmref's real fetch path at hostile sources
// on loopback and checks that every limit holds after decoding.
//
// The server sends decompression bombs of 2 GiB decoded size (about 2 MiB
// on the wire, generated as they are sent, never held in memory) in every
// encoding a fetcher may be tempted to decode: Content-Encoding gzip,
// x-gzip, "gzip, identity", deflate as zlib and as raw deflate, the list
// "deflate, gzip", and a gzip file by its Content-Type with no encoding;
// besides them a body that never ends, a flood of empty gzip members, a
// Content-Length shorter and longer than the body (closed, or left hanging),
// a body dripped a byte at a time, an encoding llmref does not decode (br),
// and redirects from https to http and to another host. Sources are pointed
// at it through the configuration file alone (bench/site's generated
// configuration, the OpenAI source's model list extended with the hostile
// pages); a healthy source (OpenRouter) runs beside them.
//
// The default mode (in `go test ./...`, a few seconds) refreshes in process
// with fetch.max_body_bytes at 4 MiB (above a bomb's size on the wire, so a
// truthful Content-Length passes) and the default 30 s timeout (a loaded
// machine must not turn a bomb into a timeout): every bomb must fail its
// page with "body exceeds 4194304 bytes after decoding", after reading no
// more than 64 KiB of its ~2 MiB from the wire, and never be retried; every
// other hostile page must fail with its own named cause, reading no more
// than the limit per request; the run must end partial with the healthy
// source's facts recorded. The two pages that only a timeout ends (the
// hanging Content-Length, the drip) are fetched apart, with a 1 s timeout
// and retries: 0: one request each, failed "timeout".
//
// The long mode (LLMREF_LONG=1, or -long: `go test ./internal/hostilesuite/
// -count=1 -v -long`, or bench/hostile.sh) builds the real binary and runs
// `llmref refresh` once on the healthy sources alone (a baseline), once per
// bomb with the default fetch settings (32 MiB limit, 30 s timeout), then
// once with every hostile page at once (5 s timeout, for the hanging
// ones): each hostile run must exit 3 (partial), record the healthy
// source's facts, name the bomb's failure, and peak below 512 MB of RSS
// (the child's rusage maxrss). It logs, per run, the exit, the wall time
// and the peak RSS; per bomb, the bytes the server wrote (socket buffers
// take a whole ~2 MiB bomb, so this is not what the client read) and the
// bytes a fetcher at the same limit read from the wire, counted in process.
// LLMREF_HOSTILE_BIN=path runs that binary instead of building one: an
// older build, to compare.
package hostilesuite

// Package damagesuite damages a real llmref database — truncations at five
// points, byte flips at ten offsets chosen from its layout (both meta
// pages, the freelist, the root page, a branch page's child pointer and
// key, a leaf page's header and element, a raw body's bytes, a free page)
// — and runs every command that opens the database through the real
// binary against each damaged copy: check, models, refresh, compact,
// changes, review, history, compare, export, sources, rebuild, and serve
// with a /healthz and a /v1/ request. Every command must exit 0 or 1 with
// its message on stderr, never die of a signal or a panic; serve must stay
// up, answer /healthz 503 naming the damage when it cannot read the file,
// and keep serving the export. A refresh must not exit 0 on a file check
// calls damaged, unless the damage is in a record's bytes (the structure
// sound), which a refresh's commit reads only weekly (see
// store.checkBeforeCommit): then the refresh must leave the damage as it
// was. The test logs the outcome table (go test -v).
//
// LLMREF_LONG=1 adds truncations at 20 more points of the used pages and
// flips at 100 seeded random offsets of them (about two and a half
// minutes; the default run takes about 15 s).
package damagesuite

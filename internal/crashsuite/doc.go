// Package crashsuite kills the real `llmref refresh` binary with SIGKILL at
// random moments — mid-crawl, mid-commit, mid-export — and checks that
// nothing is lost or half-written: the database opens and passes
// `llmref check`'s consistency check, the export tree is wholly the old one
// or wholly the new one, and the next refresh reaches the state of a run
// that was never interrupted. The default test run makes 5 kills;
// `bench/crash.sh` (LLMREF_CRASH_TRIALS=50) makes 50.
package crashsuite

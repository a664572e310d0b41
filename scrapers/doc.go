// Package scrapers fetches and reads llmref's sources: one colly collector
// per run (robots.txt once per host, per-host parallelism and delay,
// conditional GET, retries, a body limit that holds after decoding, a
// deadline per source), crawled in stages as the tracked set plans them,
// and one pure parser per page kind that turns a response into
// observations exactly as the source gave them, with warnings for the rows
// it could not place. Recorded days replay through the same collector.
package scrapers

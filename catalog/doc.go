// Package catalog holds llmref's one schema: models, providers, offerings,
// sourced facts, exact money, token counts, dates with their precision,
// licences, three-state capabilities, observations, runs and changes.
//
// It is pure: it performs no I/O and imports nothing of the project. Every
// other package of llmref speaks these types.
package catalog

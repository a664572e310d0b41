package config

// ServeConfig configures `llmref serve`: its HTTP address, token and
// schedules.
type ServeConfig struct{}

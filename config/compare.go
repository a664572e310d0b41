package config

// CompareConfig configures comparison records (see the compare package).
type CompareConfig struct{}

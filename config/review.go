package config

// ReviewConfig holds the rules that hold anomalous changes for an operator
// (see the changes package).
type ReviewConfig struct{}

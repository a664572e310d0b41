package config

import "testing"

// TestExampleFile keeps llmref.example.yaml loadable.
func TestExampleFile(t *testing.T) {
	c, err := Load("../llmref.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.BuildSources(); err != nil {
		t.Fatal(err)
	}
}

//go:build !unix

package main

// lockDemoFolder does nothing where there is no flock: two demos in one
// folder at once are the user's to avoid there.
func lockDemoFolder(dir string) (release func(), err error) { return func() {}, nil }

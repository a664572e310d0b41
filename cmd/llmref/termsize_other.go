//go:build !unix

package main

import "os"

// terminalWidth is 80 columns where the terminal cannot be asked.
func terminalWidth(*os.File) int { return 80 }

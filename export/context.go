package export

import (
	"context"
	"fmt"
)

// stopped returns why the generation must stop (its context is done:
// the run's deadline passed, or the process was told to stop), or nil.
// Every file written checks it, and so does Commit, so a generation ends
// at its next file and is aborted, never published half-written.
func (t *Tree) stopped() error {
	if t.ctx == nil {
		return nil
	}
	if err := t.ctx.Err(); err != nil {
		return fmt.Errorf("export stopped: %w", context.Cause(t.ctx))
	}
	return nil
}

// Context is what bounds the generation (see WriteContext); a generation
// begun without one is never stopped.
func (t *Tree) Context() context.Context {
	if t.ctx == nil {
		return context.Background()
	}
	return t.ctx
}

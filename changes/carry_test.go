package changes

import (
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

func TestCarry(t *testing.T) {
	at := time.Date(2026, 4, 26, 2, 0, 0, 0, time.UTC)
	ch := func(status catalog.ChangeStatus, hold uint64, model string) catalog.RunChange {
		return catalog.RunChange{Change: catalog.Change{Kind: catalog.ChangePrice, Model: model, Field: "input"}, Status: status, Hold: hold}
	}
	last := catalog.ChangeSet{Run: 7, Changes: []catalog.RunChange{
		ch(catalog.ChangePublished, 0, "a/published"),
		ch(catalog.ChangeHeld, 1, "a/still-pending"),
		ch(catalog.ChangeHeld, 2, "a/approved-since"),
		ch(catalog.ChangeRejected, 3, "a/rejected"),
		ch(catalog.ChangeHeld, 1, "a/still-pending-too"), // a breakage hold spans many changes
	}}
	holds := []catalog.Hold{
		{ID: 1, Status: catalog.HoldPending, LastRun: 7},
		{ID: 3, Status: catalog.HoldRejected, LastRun: 7},
	}
	cs, again := Carry(last, holds, at)
	if len(cs.Changes) != 3 || cs.Changes[0].Model != "a/still-pending" || cs.Changes[1].Status != catalog.ChangeRejected || cs.Changes[2].Hold != 1 {
		t.Errorf("carried %+v; want the pending and rejected changes only", cs.Changes)
	}
	if !cs.At.Equal(at) {
		t.Errorf("at %v", cs.At)
	}
	if len(again) != 2 || again[0].ID != 1 || again[1].ID != 3 || !again[0].LastSeen.Equal(at) {
		t.Errorf("holds seen again %+v", again)
	}
	if cs, again := Carry(catalog.ChangeSet{}, nil, at); cs.Changes == nil || len(cs.Changes) != 0 || len(again) != 0 {
		t.Errorf("nothing to carry: %+v %+v", cs, again)
	}
}

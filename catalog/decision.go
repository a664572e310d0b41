package catalog

import "errors"

// ErrNotPending reports a decision on a hold that is already closed.
var ErrNotPending = errors.New("not pending")

// PublishedReader reads the published catalogue as a review decision sees
// it: the store reads it inside the decision's transaction, so each hold's
// decision sees the writes of the holds decided before it.
type PublishedReader interface {
	// LastRun is the id of the latest run (0 before the first).
	LastRun() uint64
	// Offering returns a published offering, a copy the caller may
	// change, or an error (wrapping the reader's not-found error when the
	// offering is not published).
	Offering(key string) (*Offering, error)
	// HasOffering reports whether an offering is published.
	HasOffering(key string) bool
	// OfferingKeys lists the keys of a model's published offerings.
	OfferingKeys(model string) []string
	// HasModel reports whether a model is published.
	HasModel(id string) bool
	// History returns an offering's price points, oldest first.
	History(offering string) ([]PricePoint, error)
}

// HoldMutations are the writes one review decision on one hold makes: the
// store writes exactly these, in this order, inside the decision's
// transaction, and nothing else.
type HoldMutations struct {
	// PutOfferings are offerings written whole under their keys (a price
	// set, an offering added).
	PutOfferings []Offering
	// PutModels are models written whole under their ids (a surge's new
	// models), before the offerings.
	PutModels []Model
	// DropOfferings are the keys of offerings deleted from the published
	// catalogue; DropModels the ids of models deleted.
	DropOfferings []string
	DropModels    []string
	// Points are price-history points written under their offering and
	// run, replacing a point of the same run.
	Points []OfferingPoint
	// Hold is the hold as decided: its new status and its decision.
	Hold Hold
}

// OfferingPoint is one price-history point of one offering (its key).
type OfferingPoint struct {
	Offering string
	Point    PricePoint
}

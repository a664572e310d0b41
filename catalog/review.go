package catalog

import "time"

// ChangeStatus says what became of a change in the published state.
type ChangeStatus string

// Change statuses.
const (
	// ChangePublished: the change is in the published state and exports.
	ChangePublished ChangeStatus = "published"
	// ChangeHeld: a review rule held the change; the published value
	// stays until an operator approves the new one.
	ChangeHeld ChangeStatus = "held"
	// ChangeRejected: an operator rejected this very value before and the
	// source still gives it; the published value stays and nobody is asked
	// again until the source gives another value.
	ChangeRejected ChangeStatus = "rejected"
)

// RunChange is one change a run found, with what became of it.
type RunChange struct {
	Change
	// ModelName is the model's display name when the change was found.
	ModelName string       `json:"model_name,omitempty"`
	Status    ChangeStatus `json:"status"`
	// Hold is the id of the held change (Status held or rejected).
	Hold uint64 `json:"hold,omitempty"`
	// Reasons are the review rules that held the change.
	Reasons []string `json:"reasons,omitempty"`
	// HoldKey ties the change to a new hold until the store numbers it.
	HoldKey string `json:"-"`
}

// ChangeSet is every change one run found against the published state.
type ChangeSet struct {
	Run uint64 `json:"run"`
	// At is when the run saw the changes (the run's start).
	At      time.Time   `json:"at"`
	Changes []RunChange `json:"changes"`
}

// HoldKind says what a held change would do once approved.
type HoldKind string

// Hold kinds.
const (
	// HoldPrice holds one price of one offering.
	HoldPrice HoldKind = "price"
	// HoldOfferingAdded holds a new offering whose prices were flagged.
	HoldOfferingAdded HoldKind = "offering_added"
	// HoldBreakage holds the removal of many of one source's offerings in
	// one run: a broken source, until an operator says otherwise.
	HoldBreakage HoldKind = "source_breakage"
	// HoldSurge holds the additions of one run that adds many of one
	// source's offerings at once (a list padded with invented models, a
	// changed id scheme), with the new models that come only with them.
	HoldSurge HoldKind = "source_surge"
)

// HoldStatus is where a held change stands.
type HoldStatus string

// Hold statuses. Only a pending hold waits for a decision.
const (
	HoldPending    HoldStatus = "pending"
	HoldApproved   HoldStatus = "approved"
	HoldRejected   HoldStatus = "rejected"
	HoldWithdrawn  HoldStatus = "withdrawn"  // the source no longer gives the value
	HoldSuperseded HoldStatus = "superseded" // the source now gives another held value
)

// Hold is a change kept out of the published state until an operator
// approves it. One pending hold exists per subject (Key); the same value
// seen again in later runs updates it rather than adding another.
type Hold struct {
	ID   uint64   `json:"id"`
	Kind HoldKind `json:"kind"`
	// Key names the subject: "price:<offering key>#<field>",
	// "offering:<offering key>", "breakage:<source>" or "surge:<source>".
	Key string `json:"key"`
	// Value fingerprints the held value, so that a repeat is recognised.
	Value   string     `json:"value"`
	Status  HoldStatus `json:"status"`
	Reasons []string   `json:"reasons"`
	// Changes are the changes held: one price change, one offering added,
	// or every removal of a source breakage.
	Changes []Change `json:"changes"`
	// Field and Price are the held price (HoldPrice), as it would be
	// published.
	Field string       `json:"field,omitempty"`
	Price *Fact[Price] `json:"price,omitempty"`
	// Offering is the held new offering (HoldOfferingAdded).
	Offering *Offering `json:"offering,omitempty"`
	// Source, RemovedOfferings and RemovedModels describe a breakage: the
	// offerings (keys) and models that approval removes.
	Source           string   `json:"source,omitempty"`
	RemovedOfferings []string `json:"removed_offerings,omitempty"`
	RemovedModels    []string `json:"removed_models,omitempty"`
	// AddedOfferings and AddedModels describe a surge: the new offerings
	// and the new models (those that come only with them) that approval
	// publishes, as the source gave them.
	AddedOfferings []Offering `json:"added_offerings,omitempty"`
	AddedModels    []Model    `json:"added_models,omitempty"`
	// FirstRun and FirstSeen are when a source first gave the value (its
	// effective date once approved); LastRun and LastSeen the latest run
	// that gave it again.
	FirstRun  uint64    `json:"first_run"`
	FirstSeen time.Time `json:"first_seen"`
	LastRun   uint64    `json:"last_run"`
	LastSeen  time.Time `json:"last_seen"`
	// Decision closes the hold; nil while pending.
	Decision *Decision `json:"decision,omitempty"`
}

// Subject is what the hold is about, for one line of a listing.
func (h *Hold) Subject() string {
	switch {
	case h.Kind == HoldBreakage:
		return h.Source + " (source breakage)"
	case h.Kind == HoldSurge:
		return h.Source + " (surge of additions)"
	case len(h.Changes) > 0:
		return h.Changes[0].Subject()
	}
	return h.Key
}

// Action is what a decision did.
type Action string

// Actions.
const (
	ActionApprove      Action = "approve"
	ActionReject       Action = "reject"
	ActionMarkReviewed Action = "mark_reviewed"
	ActionWithdraw     Action = "withdraw"  // a run closed a hold: the value is gone
	ActionSupersede    Action = "supersede" // a run closed a hold: another value came
)

// Decision is one recorded review decision: an operator's (approve,
// reject, mark reviewed) or a run's (withdraw, supersede).
type Decision struct {
	Action Action    `json:"action"`
	At     time.Time `json:"at"`
	Note   string    `json:"note,omitempty"`
	// Holds are the holds decided; Models the models marked reviewed.
	Holds  []uint64 `json:"holds,omitempty"`
	Models []string `json:"models,omitempty"`
	// Run is the run that closed a hold (withdraw, supersede).
	Run uint64 `json:"run,omitempty"`
}

// Delivery is the record of one webhook delivery of a run's report.
type Delivery struct {
	Run        uint64    `json:"run"`
	URL        string    `json:"url"`
	At         time.Time `json:"at"`
	Attempts   int       `json:"attempts"`
	Status     int       `json:"status,omitempty"`
	OK         bool      `json:"ok"`
	Error      string    `json:"error,omitempty"`
	DurationMS int64     `json:"duration_ms"`
	// Omitted counts the changes left out of the report sent, to keep it
	// within the webhook's size limit (changes.Report.Omitted).
	Omitted int `json:"omitted,omitempty"`
}

// PriceField returns the price fact of an offering named as change reports
// name it ("input", "output", "cached_input", "cache_write", "batch_input",
// "batch_output"), or nil.
func (o *Offering) PriceField(name string) *Fact[Price] {
	switch name {
	case "input":
		return &o.Input
	case "output":
		return &o.Output
	case "cached_input":
		return &o.CachedInput
	case "cache_write":
		return &o.CacheWrite
	case "batch_input":
		return &o.BatchInput
	case "batch_output":
		return &o.BatchOutput
	}
	return nil
}

// PriceFieldNames are the names PriceField knows, in report order.
var PriceFieldNames = []string{"input", "output", "cached_input", "cache_write", "batch_input", "batch_output"}

// MarkReviewed sets reviewed_at on every sourced fact of the model.
func (m *Model) MarkReviewed(at time.Time) {
	m.eachFact(func(f anyFact) { f.markReviewed(at) })
}

// MarkReviewed sets reviewed_at on every sourced fact of the offering, its
// context-length tiers' prices included.
func (o *Offering) MarkReviewed(at time.Time) {
	o.eachFact(func(f anyFact) { f.markReviewed(at) })
}

// Package normalize turns observations, exactly as sources gave them, into
// the canonical catalogue: canonical model ids, exact money, token counts,
// dates with their precision, licences with their class, three-state
// capabilities, and one winning value per fact by precedence (the creator's
// card over a provider's page over an aggregator over a cross-check), with
// every losing value kept as a conflict.
//
// The rules others rely on:
//
//   - Identities (Resolver.Resolve): every source's id form maps to one
//     canonical creator/slug id; a variant suffix (":free", ":thinking",
//     Bedrock ":128k") becomes the offering's Variant and a Bedrock profile
//     prefix ("us.", "eu.", "apac.") its Region when the observation names
//     none. A Hugging Face repository that a catalogue names as a model's
//     weights (catalog.FieldHFRepo: OpenRouter's hugging_face_id) resolves
//     to that model, whatever its own spelling, unless the alias table
//     names it. An id that resolves to nothing is reported in
//     Snapshot.Unmatched with the reason, never dropped.
//   - A model exists only when a source at creator or aggregator authority
//     speaks of it. Provider pages and cross-checks attach to models that
//     exist; their ids for any other model go to Unmatched.
//   - An offering exists when a source above cross-check authority speaks
//     of it. Cross-check prices attach to existing offerings (same key; a
//     region prefix to that geography's regions; no region to every region)
//     and never create one.
//   - Money is exact: Price rounds half away from zero to the micro-dollar
//     per 1M tokens, and says so. "Free" and 0 are a free tier, "-1" is
//     variable: never $0.
//   - Flags on price facts: catalog.FlagUnitSlip when a price is
//     implausible on its face (below $0.001 or above $5,000 per 1M), or
//     about 1000×, 1e6× or 1e9× off the offering's previous price, another
//     source's price for it, or the same model at the same provider in
//     another region or variant; catalog.FlagDiscrepancy when it is more
//     than Settings.Discrepancy (default 20%) from a cross-check's price.
//   - Context-length tiers are catalog.TierField observations and become
//     Offering.Tiers: parts of one offering.
//   - Among equal authorities the earliest release date wins (a later one
//     is an update, kept as a conflict); OpenRouter's created and known
//     placeholders are never release dates.
//
// Every function here is pure, and Normalize is deterministic: the same
// observations in any order give the same snapshot.
package normalize

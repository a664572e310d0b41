// Package normalize turns observations, exactly as sources gave them, into
// the canonical catalogue: canonical model ids, exact money, token counts,
// dates with their precision, licences with their class, three-state
// capabilities, and one winning value per fact by precedence (the creator's
// card over a provider's page over an aggregator over a cross-check), with
// every losing value kept as a conflict.
//
// Every function here is pure.
package normalize

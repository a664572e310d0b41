package normalize

import (
	"fmt"
	"testing"

	"github.com/llmref/llmref/catalog"
)

// BenchmarkAttachCrossChecks weighs one cross-check value per offering
// against catalogues of two sizes: the cost per value stays flat (each is
// weighed against its own model and provider's offerings, not every
// offering).
func BenchmarkAttachCrossChecks(b *testing.B) {
	for _, n := range []int{1_000, 8_000} {
		b.Run(fmt.Sprintf("offerings=%d", n), func(b *testing.B) {
			models := map[string]*catalog.Model{}
			var xcs []xcOffer
			offers := map[string]*offerAcc{}
			for i := range n {
				at := offerAt{model: fmt.Sprintf("m/model-%d", i/4), provider: fmt.Sprintf("p%d", i%4)}
				models[at.model] = &catalog.Model{ID: at.model}
				xcs = append(xcs, xcOffer{offerAt: at, field: catalog.FieldPriceInput,
					c: cand{obs: origin{provenance: &provenance{Source: "litellm", Authority: catalog.AuthorityCrossCheck}}}})
				offers[catalog.OfferingKey(at.model, at.provider, "", "")] = &offerAcc{offerAt: at}
			}
			b.ResetTimer()
			for range b.N {
				for _, a := range offers {
					a.fields = map[catalog.Field][]cand{}
				}
				attachCrossChecks(offers, xcs, models)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/value")
		})
	}
}

package normalize

import (
	"fmt"
	"testing"

	"github.com/llmref/llmref/catalog"
)

// endpointPages is a catalogue the shape of the benchmark site's: n models
// on an aggregator's list (name, context), each with an endpoints page of
// seven providers, five prices and limits each.
func endpointPages(n int) []catalog.Page {
	pages := make([]catalog.Page, 0, n+1)
	var list []catalog.Observation
	for i := range n {
		id := fmt.Sprintf("meta-llama/llama-3.%d-%db-instruct-%04d", i%9, 1+i%70, i)
		list = append(list, orModels.model(id, catalog.FieldName, fmt.Sprintf("Meta: Llama 3.%d %dB Instruct %04d", i%9, 1+i%70, i)),
			orModels.model(id, catalog.FieldContext, "131072"))
		ep := ob{source: "openrouter", auth: catalog.AuthorityProvider, url: "https://openrouter.ai/api/v1/models/" + id + "/endpoints"}
		var obs []catalog.Observation
		for p, prov := range []string{"together", "fireworks", "deepinfra", "novita", "lambda", "groq", "cerebras"} {
			obs = append(obs,
				ep.offer(id, prov, "", catalog.FieldPriceInput, fmt.Sprintf("0.0000000%d", 2+p), catalog.PerToken),
				ep.offer(id, prov, "", catalog.FieldPriceOutput, fmt.Sprintf("0.000000%d", 1+p), catalog.PerToken),
				ep.offer(id, prov, "", catalog.FieldPriceCachedInput, "0.00000001", catalog.PerToken),
				ep.offer(id, prov, "", catalog.FieldOfferingContext, "131072", ""),
				ep.offer(id, prov, "", catalog.FieldOfferingMaxOutput, "16384", ""))
		}
		pages = append(pages, page(obs...))
	}
	return append(pages, page(list...))
}

// BenchmarkNormalizeEndpointPages normalises 1,000 models' endpoints pages
// and their list (36,000 observations), as a first refresh does.
func BenchmarkNormalizeEndpointPages(b *testing.B) {
	pages := endpointPages(1000)
	b.ReportAllocs()
	for b.Loop() {
		res := Normalize(Input{Pages: pages, Now: day1})
		if len(res.Snapshot.Offerings) != 7000 {
			b.Fatalf("%d offerings", len(res.Snapshot.Offerings))
		}
	}
}

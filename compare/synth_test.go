package compare_test

import (
	"fmt"
	"time"

	"github.com/llmref/llmref/catalog"
)

// synthetic builds a catalogue of n models shaped like the real one: every
// model with sourced and not-yet-sourced specs, three-state capabilities,
// and one to four offerings among fixed, free and variable prices.
func synthetic(n int) *catalog.Snapshot {
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	creator := catalog.SourceRef{Name: "huggingface", URL: "https://huggingface.co/api/models", Authority: catalog.AuthorityCreator}
	agg := catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityAggregator}
	providers := []string{"openrouter", "fireworks", "bedrock", "nvidia-nim", "bitdeer", "openai"}
	licences := []catalog.Licence{
		{Name: "Apache-2.0", Class: catalog.OpenSource},
		{Name: "Llama 3.2 Community License", Class: catalog.OpenWeights},
		{Name: "Proprietary", Class: catalog.Proprietary},
	}
	s := catalog.NewSnapshot()
	for i := range n {
		id := fmt.Sprintf("creator-%02d/model-%04d", i%37, i)
		src := creator
		src.URL = "https://huggingface.co/api/models/" + id
		m := &catalog.Model{ID: id, Creator: fmt.Sprintf("creator-%02d", i%37), Capabilities: map[catalog.Capability]catalog.Fact[bool]{}}
		name := fmt.Sprintf("Model %d", i)
		m.Name = catalog.Fact[string]{Value: name, Display: name, Raw: name, Source: catalog.SourceOf(agg), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
		if i%5 != 0 {
			d := catalog.DayDate(2024+i%3, 1+i%12, 1+i%28)
			m.Released = catalog.Fact[catalog.Date]{Value: d, Display: d.String(), Raw: d.String(), Source: catalog.SourceOf(src), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
		}
		ctx := catalog.Tokens{N: int64(8192 << (i % 6)), Display: catalog.CompactCount(int64(8192 << (i % 6)))}
		m.ContextWindow = catalog.Fact[catalog.Tokens]{Value: ctx, Display: ctx.Display, Raw: fmt.Sprint(ctx.N), Source: catalog.SourceOf(src), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
		if i%3 != 0 {
			p := catalog.Count{N: int64(1+i%70) * 1_000_000_000, Display: fmt.Sprintf("%dB", 1+i%70)}
			m.Parameters = catalog.Fact[catalog.Count]{Value: p, Display: p.Display, Raw: p.Display, Source: catalog.SourceOf(src), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
		}
		if i%4 != 0 {
			m.Architecture = catalog.Fact[string]{Value: "decoder-only transformer", Display: "decoder-only transformer", Raw: "transformer", Source: catalog.SourceOf(src), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
		}
		lic := licences[i%3]
		m.Licence = catalog.Fact[catalog.Licence]{Value: lic, Display: lic.String(), Raw: lic.Name, Source: catalog.SourceOf(src), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
		if i%2 == 0 {
			d := catalog.MonthDate(2023+i%3, 1+i%12)
			m.KnowledgeCutoff = catalog.Fact[catalog.Date]{Value: d, Display: d.String(), Raw: d.String(), Source: catalog.SourceOf(src), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
		}
		mods := []string{"text"}
		if i%3 == 1 {
			mods = []string{"text", "image"}
		}
		for k, r := range []catalog.BenchmarkResult{
			{Benchmark: "MMLU", Metric: "macro_avg/acc", Settings: catalog.BenchmarkSettings{Shots: "5"}, Score: fmt.Sprintf("%d.%d", 30+i%60, i%10), SourceURL: src.URL},
			{Benchmark: "GPQA", Metric: "acc", Score: fmt.Sprint(20 + i%50), SourceURL: "https://example.com/gpqa?a=1&b=<2>"},
		} {
			if (i+k)%(k+3) == 0 {
				m.Benchmarks = append(m.Benchmarks, catalog.Fact[catalog.BenchmarkResult]{Value: r, Display: r.Score, Raw: r.Score, Source: catalog.SourceOf(src), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)})
			}
		}
		m.InputModalities = catalog.Fact[[]string]{Value: mods, Display: fmt.Sprint(mods), Raw: fmt.Sprint(mods), Source: catalog.SourceOf(agg), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
		for k, cp := range catalog.Capabilities {
			switch (i + k) % 3 {
			case 0:
				m.Capabilities[cp] = catalog.Fact[bool]{Value: true, Display: "yes", Raw: "yes", Source: catalog.SourceOf(agg), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
			case 1:
				m.Capabilities[cp] = catalog.Fact[bool]{Value: false, Display: "no", Raw: "no", Source: catalog.SourceOf(agg), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
			}
		}
		s.Models[id] = m
		for k := 0; k < 1+i%4; k++ {
			prov := providers[(i+k)%len(providers)]
			o := &catalog.Offering{ModelID: id, Provider: prov, ProviderModelID: id}
			ps := catalog.SourceRef{Name: prov, URL: "https://" + prov + ".example/pricing", Authority: catalog.AuthorityProvider}
			price := func(p catalog.Price) catalog.Fact[catalog.Price] {
				return catalog.Fact[catalog.Price]{Value: p, Display: p.String(), Raw: p.String(), Source: catalog.SourceOf(ps), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
			}
			switch {
			case k == 3:
				o.Input, o.Output = price(catalog.Price{Kind: catalog.PriceFree}), price(catalog.Price{Kind: catalog.PriceFree})
			case k == 2 && i%2 == 0:
				o.Input, o.Output = price(catalog.Price{Kind: catalog.PriceVariable}), price(catalog.Price{Kind: catalog.PriceVariable})
			default:
				in := catalog.Money(10_000 + (i*7919+k*104729)%3_000_000)
				o.Input, o.Output = price(catalog.Fixed(in)), price(catalog.Fixed(in*4+catalog.Money(k)))
			}
			s.Offerings[o.Key()] = o
		}
	}
	return s
}

// setInput changes one model's first offering's input price.
func setInput(s *catalog.Snapshot, model string, m catalog.Money) {
	o := s.OfferingsOf(model)[0]
	o.Input.Value = catalog.Fixed(m)
	o.Input.Display = o.Input.Value.String()
}

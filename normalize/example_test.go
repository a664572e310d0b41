package normalize_test

import (
	"fmt"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/normalize"
)

// Prices in any unit, read exactly into micro-dollars per 1M tokens.
func ExamplePrice() {
	for _, in := range []struct {
		raw  string
		unit catalog.Unit
	}{
		{"0.000000027", catalog.PerToken},     // OpenRouter
		{"0.0001000000", catalog.PerThousand}, // the AWS Price List
		{`\$0.10`, catalog.PerMillion},        // Fireworks' Markdown
		{"0.00000008333333333333334", catalog.PerToken},
		{"-1", catalog.PerToken},
		{"Free", catalog.PerMillion},
	} {
		p, err := normalize.Price(in.raw, in.unit)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-28s %-9s %s rounded=%v\n", in.raw, in.unit, p, p.Rounded)
	}
	// Output:
	// 0.000000027                  usd/token $0.027 / 1M tokens rounded=false
	// 0.0001000000                 usd/1k    $0.1 / 1M tokens rounded=false
	// \$0.10                       usd/1m    $0.1 / 1M tokens rounded=false
	// 0.00000008333333333333334    usd/token $0.083333 / 1M tokens rounded=true
	// -1                           usd/token variable rounded=false
	// Free                         usd/1m    free rounded=false
}

// Every provider's id for one model resolves to its canonical id.
func ExampleResolver_Resolve() {
	r, _ := normalize.NewResolver(nil)
	for _, id := range []string{
		"meta-llama/llama-3.2-1b-instruct",
		"meta-llama/Llama-3.2-1B-Instruct",
		"accounts/fireworks/models/llama-v3p2-1b-instruct",
		"us.meta.llama3-2-1b-instruct-v1:0",
		"meta-llama/llama-3.2-3b-instruct:free",
	} {
		res, err := r.Resolve("example", id)
		if err != nil {
			fmt.Println(id, err)
			continue
		}
		fmt.Printf("%-50s → %s variant=%q region=%q\n", id, res.ID, res.Variant, res.Region)
	}
	// Output:
	// meta-llama/llama-3.2-1b-instruct                   → meta/llama-3.2-1b-instruct variant="" region=""
	// meta-llama/Llama-3.2-1B-Instruct                   → meta/llama-3.2-1b-instruct variant="" region=""
	// accounts/fireworks/models/llama-v3p2-1b-instruct   → meta/llama-3.2-1b-instruct variant="" region=""
	// us.meta.llama3-2-1b-instruct-v1:0                  → meta/llama-3.2-1b-instruct variant="" region="us"
	// meta-llama/llama-3.2-3b-instruct:free              → meta/llama-3.2-3b-instruct variant="free" region=""
}

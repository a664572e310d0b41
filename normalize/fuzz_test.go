package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
)

// FuzzPrice: every text either fails with ErrPrice or reads as a price
// whose kind and amount agree, whose rounding is within half a micro-dollar
// (the documented rule), and which scales exactly with its unit.
func FuzzPrice(f *testing.F) {
	for _, s := range []string{"0.000000027", "1.75e-06", "$1,250.50 / 1M tokens", "-1", "Free", "0.0006000000000000001",
		"0.00000008333333333333334", `\$0.10`, "n/a", "27000", "0.0000005", "1_000", "USD 0.2 per 1M tokens", "1e-9999",
		"$0.10 / 1K tokens [2]", "$0,10", "$3 / MTok"} {
		f.Add(s)
	}
	half := big.NewRat(1, 2)
	f.Fuzz(func(t *testing.T, s string) {
		var perM, perK *big.Rat
		for _, u := range []catalog.Unit{catalog.PerToken, catalog.PerThousand, catalog.PerMillion} {
			p, ex, err := priceExact(s, u)
			if err != nil {
				if !errors.Is(err, ErrPrice) {
					t.Fatalf("Price(%q, %s) error %v does not wrap ErrPrice", s, u, err)
				}
				continue
			}
			switch p.Kind {
			case catalog.PriceFixed:
				if p.Amount <= 0 || ex == nil || ex.Sign() <= 0 {
					t.Fatalf("Price(%q, %s) = %+v (exact %v): a fixed price is positive", s, u, p, ex)
				}
				micros := new(big.Rat).Mul(ex, big.NewRat(catalog.MicrosPerUSD, 1))
				diff := new(big.Rat).Sub(micros, new(big.Rat).SetInt64(int64(p.Amount)))
				diff.Abs(diff)
				switch {
				case !p.Rounded && diff.Sign() != 0:
					t.Fatalf("Price(%q, %s) = %d not marked rounded, exact %s", s, u, p.Amount, micros.FloatString(6))
				case p.Amount > 1 && diff.Cmp(half) > 0:
					t.Fatalf("Price(%q, %s) = %d rounds %s by more than half a micro-dollar", s, u, p.Amount, micros.FloatString(6))
				}
				if u == catalog.PerMillion {
					perM = ex
				}
				if u == catalog.PerThousand {
					perK = ex
				}
			case catalog.PriceFree, catalog.PriceVariable:
				if p.Amount != 0 || ex != nil {
					t.Fatalf("Price(%q) = %+v: only fixed prices carry an amount", s, p)
				}
			default:
				t.Fatalf("Price(%q) kind %q", s, p.Kind)
			}
		}
		// A value that states its unit ("/1K tokens") is read in it, whatever
		// the column's; one that states none, in the column's.
		trimmed := strings.TrimSpace(spaces.Replace(s))
		stated := !catalog.IsPlainDecimal(trimmed) && priceUnitText.MatchString(priceFootnote.ReplaceAllString(trimmed, ""))
		switch {
		case perM == nil || perK == nil:
		case stated && perK.Cmp(perM) != 0:
			t.Fatalf("Price(%q) states its unit: per 1K %s is not per 1M %s", s, perK.RatString(), perM.RatString())
		case !stated && perK.Cmp(new(big.Rat).Mul(perM, big.NewRat(1000, 1))) != 0:
			t.Fatalf("Price(%q): per 1K %s is not 1000× per 1M %s", s, perK.RatString(), perM.RatString())
		}
	})
}

// FuzzDate: a date read is on the calendar and round-trips through its
// ISO form at its precision.
func FuzzDate(f *testing.F) {
	for _, s := range []string{"Sept 25, 2024", "2023-12", "1727222400", "December 2023", "Oct 24, 2024", "25th of September, 2024",
		"2026-02-24T18:52:44Z", "1727222400000", "Sept 25, 2024 (initial release)", "2024-02-29", "n/a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Date(s)
		if err != nil {
			if !errors.Is(err, ErrValue) {
				t.Fatalf("Date(%q) error %v does not wrap ErrValue", s, err)
			}
			return
		}
		if d.IsZero() || d.Valid() != nil {
			t.Fatalf("Date(%q) = %+v: not a valid date", s, d)
		}
		back, err := catalog.ParseISODate(d.String())
		if err != nil || back != d {
			t.Fatalf("Date(%q) = %v does not round-trip: %v", s, d, err)
		}
		if again, err := Date(d.String()); err != nil || again != d {
			t.Fatalf("Date(%q) = %v, but Date(%q) = %v, %v", s, d, d.String(), again, err)
		}
	})
}

// FuzzTokens: a token count read is positive and reads back from its own
// display form.
func FuzzTokens(f *testing.F) {
	for _, s := range []string{"128k", "131,072", "400,000", "1M", "131_000", "16,384 tokens", "up to 128k", "1 million", "0", "2K"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tk, err := Tokens(s)
		if err != nil {
			if !errors.Is(err, ErrValue) {
				t.Fatalf("Tokens(%q) error %v does not wrap ErrValue", s, err)
			}
			return
		}
		if tk.N <= 0 || tk.Display == "" {
			t.Fatalf("Tokens(%q) = %+v", s, tk)
		}
		back, err := Tokens(tk.Display)
		if err != nil || back.N != tk.N || back.Display != tk.Display {
			t.Fatalf("Tokens(%q) = %+v, but its display reads as %+v, %v", s, tk, back, err)
		}
	})
}

// FuzzParameters: a parameter count read is positive and reads back from
// its own display form.
func FuzzParameters(f *testing.F) {
	for _, s := range []string{"1.23B", "1B (1.23B)", "70.6B", "405 billion", "1235814400", "~1.2B parameters", "2.8T", "not disclosed"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parameters(s)
		if err != nil {
			if !errors.Is(err, ErrValue) {
				t.Fatalf("Parameters(%q) error %v does not wrap ErrValue", s, err)
			}
			return
		}
		if c.N <= 0 || c.Display == "" {
			t.Fatalf("Parameters(%q) = %+v", s, c)
		}
		back, err := Parameters(c.Display)
		if err != nil || back.N != c.N {
			t.Fatalf("Parameters(%q) = %+v, but its display reads as %+v, %v", s, c, back, err)
		}
	})
}

// FuzzResolve: an id resolves to a valid canonical id that resolves to
// itself, or to ErrUnmatched with a reason.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"meta-llama/llama-3.2-1b-instruct", "accounts/fireworks/models/llama-v3p2-1b-instruct", "us.meta.llama3-2-1b-instruct-v1:0",
		"x:free", "meta-llama/Llama-3.2-1B-Instruct", "@cf/meta/llama-3.2-1b-instruct", "fireworks_ai/accounts/fireworks/models/qwen2p5-72b-instruct",
		"watsonx/meta-llama/llama-3-2-1b-instruct", "openrouter/auto", "~openai/gpt-latest", "meta.llama3-2-1b-instruct-v1:0:128k", "gpt-5.3-codex"} {
		f.Add(s)
	}
	r, _ := NewResolver(nil)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := r.Resolve("fuzz", s)
		if err != nil {
			if !errors.Is(err, ErrUnmatched) || len(err.Error()) <= len(ErrUnmatched.Error())+2 {
				t.Fatalf("Resolve(%q) error %q: want ErrUnmatched with a reason", s, err)
			}
			return
		}
		if _, _, err := catalog.SplitID(got.ID); err != nil {
			t.Fatalf("Resolve(%q) = %q, not a canonical id: %v", s, got.ID, err)
		}
		again, err := r.Resolve("fuzz", got.ID)
		if err != nil || again.ID != got.ID || again.Variant != "" || again.Region != "" {
			t.Fatalf("Resolve(%q) = %q, but Resolve(%q) = %+v, %v: a canonical id must resolve to itself", s, got.ID, got.ID, again, err)
		}
	})
}

// FuzzLicence: a licence read has a known class, and a name unless it is
// the unnamed "public weights" licence.
func FuzzLicence(f *testing.F) {
	for _, s := range []string{"llama3.2", "Llama 3.2 Community License", "apache-2.0", "open_weights=false", "MIT License", "No public weights", "other"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := Licence(s)
		if err != nil {
			if !errors.Is(err, ErrValue) {
				t.Fatalf("Licence(%q) error %v does not wrap ErrValue", s, err)
			}
			return
		}
		switch l.Class {
		case catalog.OpenSource, catalog.Proprietary:
			if l.Name == "" {
				t.Fatalf("Licence(%q) = %+v without a name", s, l)
			}
		case catalog.OpenWeights:
		default:
			t.Fatalf("Licence(%q) class %q", s, l.Class)
		}
	})
}

var fuzzFields = []catalog.Field{
	catalog.FieldName, catalog.FieldReleased, catalog.FieldContext, catalog.FieldParameters, catalog.FieldLicence,
	catalog.FieldKnowledgeCutoff, catalog.FieldInputModalities, catalog.FieldSupportedParameters, catalog.FeatureField("tool_call"),
	catalog.FieldListed, catalog.FieldPriceInput, catalog.FieldPriceOutput, catalog.FieldOfferingContext,
	catalog.TierField(200_000, catalog.FieldPriceInput),
}

var fuzzAuthorities = []catalog.Authority{catalog.AuthorityCreator, catalog.AuthorityProvider, catalog.AuthorityAggregator, catalog.AuthorityCrossCheck}

// FuzzNormalize: any observations give a snapshot whose models have valid
// ids, whose offerings belong to models that exist, whose fixed prices are
// positive, and which does not depend on the order of pages.
func FuzzNormalize(f *testing.F) {
	f.Add("meta-llama/llama-3.2-1b-instruct", "0.000000027", uint8(10), uint8(1), "us.meta.llama3-2-1b-instruct-v1:0", "0.0001", uint8(10), uint8(3), "eu")
	f.Add("meta-llama/Llama-3.2-1B-Instruct", "Sept 25, 2024", uint8(1), uint8(0), "meta/llama-3.2-1b-instruct", "Oct 24, 2024", uint8(1), uint8(0), "")
	f.Add("x:free", "0", uint8(10), uint8(2), "x", "tools", uint8(7), uint8(2), "")
	f.Fuzz(func(t *testing.T, s1, v1 string, f1, a1 uint8, s2, v2 string, f2, a2 uint8, region string) {
		mk := func(src, s, v string, fi, ai uint8) catalog.Observation {
			o := catalog.Observation{Source: src, URL: "https://" + src + ".example/", Subject: s, Value: v,
				Field: fuzzFields[int(fi)%len(fuzzFields)], Authority: fuzzAuthorities[int(ai)%len(fuzzAuthorities)], Region: region}
			if isOfferingField(o.Field) {
				o.Provider, o.Unit = "p", catalog.PerToken
			}
			return o
		}
		// Each subject is also named by an aggregator, so that models exist.
		name := func(s string) catalog.Observation {
			return catalog.Observation{Source: "agg", Subject: s, Field: catalog.FieldName, Value: "n", Authority: catalog.AuthorityAggregator}
		}
		pages := []catalog.Page{
			{URL: "a", Observations: []catalog.Observation{mk("one", s1, v1, f1, a1), name(s1)}},
			{URL: "b", Observations: []catalog.Observation{mk("two", s2, v2, f2, a2), name(s2)}},
		}
		res := Normalize(Input{Pages: pages})
		for id, m := range res.Snapshot.Models {
			if _, _, err := catalog.SplitID(id); err != nil || m.ID != id {
				t.Fatalf("model %q: %v", id, err)
			}
		}
		for k, o := range res.Snapshot.Offerings {
			if res.Snapshot.Models[o.ModelID] == nil || o.Key() != k {
				t.Fatalf("offering %q without its model", k)
			}
			for _, p := range []catalog.Fact[catalog.Price]{o.Input, o.Output} {
				if p.Sourced() && p.Value.Kind == catalog.PriceFixed && p.Value.Amount <= 0 {
					t.Fatalf("offering %q price %+v", k, p.Value)
				}
			}
		}
		for _, u := range res.Snapshot.Unmatched {
			if u.Reason == "" {
				t.Fatalf("unmatched %+v without a reason", u)
			}
		}
		a, _ := json.Marshal(res)
		rev := slices.Clone(pages)
		slices.Reverse(rev)
		b, _ := json.Marshal(Normalize(Input{Pages: rev}))
		if !bytes.Equal(a, b) {
			t.Fatalf("page order changes the snapshot:\n%s\n%s", a, b)
		}
	})
}

// FuzzFastPaths: the shortcuts for plain numbers, which is what JSON
// sources send, read exactly what the general text readers read.
func FuzzFastPaths(f *testing.F) {
	for _, s := range []string{"131072", "0.000000027", "27000", "0.2", "007", "1.", ".5", "1..2", "999999999999999999", "1e9", "١٢٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if plainInt(s) {
			n, err := strconv.ParseInt(s, 10, 64)
			gn, gscale, gerr := parseCountText(s, s)
			if err != nil || gerr != nil || gn != n || gscale != "" {
				t.Fatalf("count %q: fast %d (%v), general %d %q (%v)", s, n, err, gn, gscale, gerr)
			}
		}
		if catalog.IsPlainDecimal(s) {
			if got, _, _, ok := cleanPrice(s); !ok || got != s {
				t.Fatalf("price %q: cleanPrice gives %q, %v; the fast path takes it as it is", s, got, ok)
			}
			if _, ok := new(big.Rat).SetString(s); !ok {
				t.Fatalf("price %q: a plain decimal big.Rat cannot read", s)
			}
		}
	})
}

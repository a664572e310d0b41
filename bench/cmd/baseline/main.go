// Command baseline is the practical limit llmref's crawl is measured
// against: plain net/http with a worker pool and goquery (encoding/json for
// JSON pages), fetching every URL of a bench site once and extracting the
// same values llmref's parsers read — no robots.txt, no retries, no
// conditional requests, nothing kept.
//
//	baseline --urls bench/out/site/urls.tsv --concurrency 8
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/llmref/llmref/bench/urllist"
)

func main() {
	urls := flag.String("urls", "", "urls.tsv written by bench/cmd/site (required)")
	concurrency := flag.Int("concurrency", 8, "requests in flight")
	flag.Parse()
	if err := run(*urls, *concurrency); err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
}

func run(path string, concurrency int) error {
	targets, err := urllist.Read(path)
	if err != nil {
		return err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = concurrency
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	jobs := make(chan urllist.Target)
	var values, failed, bytesIn atomic.Int64
	var firstErr sync.Once
	var errMsg string
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range jobs {
				n, size, err := fetch(client, t)
				bytesIn.Add(size)
				if err != nil {
					failed.Add(1)
					firstErr.Do(func() { errMsg = t.URL + ": " + err.Error() })
					continue
				}
				values.Add(int64(n))
			}
		}()
	}
	for _, t := range targets {
		jobs <- t
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	fmt.Printf("baseline: %d pages, %d values, %d failed, %d bytes in %.3fs (%.0f pages/s)\n",
		len(targets), values.Load(), failed.Load(), bytesIn.Load(), elapsed.Seconds(), float64(len(targets))/elapsed.Seconds())
	if failed.Load() > 0 {
		return fmt.Errorf("%d pages failed, first: %s", failed.Load(), errMsg)
	}
	return nil
}

func fetch(client *http.Client, t urllist.Target) (int, int64, error) {
	req, err := http.NewRequest(http.MethodGet, t.URL, nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("User-Agent", "baseline/1.0 (llmref benchmark)")
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, int64(len(body)), err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, int64(len(body)), fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var n int
	switch t.Kind {
	case "openai":
		n, err = extractHTML(body)
	case "endpoints":
		n, err = extractEndpoints(body)
	case "models":
		n, err = extractModels(body)
	default:
		err = fmt.Errorf("unknown kind %q", t.Kind)
	}
	return n, int64(len(body)), err
}

var (
	reContext = regexp.MustCompile(`^([\d,]+) context window$`)
	reMaxOut  = regexp.MustCompile(`^([\d,]+) max output tokens$`)
	reCutoff  = regexp.MustCompile(`^(.+) knowledge cutoff$`)
)

func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// extractHTML reads what llmref's OpenAI parser reads: title, context
// window, max output, knowledge cutoff, text-token prices, modalities,
// features and tools.
func extractHTML(body []byte) (int, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	vals := map[string]string{}
	vals["name"] = clean(doc.Find("h1").First().Text())
	doc.Find(".model-specs li").Each(func(_ int, li *goquery.Selection) {
		t := clean(li.Text())
		switch {
		case reContext.MatchString(t):
			vals["context"] = reContext.FindStringSubmatch(t)[1]
		case reMaxOut.MatchString(t):
			vals["max_output"] = reMaxOut.FindStringSubmatch(t)[1]
		case reCutoff.MatchString(t):
			vals["cutoff"] = reCutoff.FindStringSubmatch(t)[1]
		case t == "Reasoning token support":
			vals["reasoning"] = "true"
		}
	})
	doc.Find(".pricing-table .pricing-row").Each(func(_ int, row *goquery.Selection) {
		vals["price."+strings.ToLower(clean(row.Find(".pricing-row__label").Text()))] = clean(row.Find(".pricing-row__price").Text())
	})
	doc.Find("section dl.capability-list .capability").Each(func(_ int, c *goquery.Selection) {
		vals["cap."+strings.ToLower(clean(c.Find("dt").Text()))] = clean(c.Find("dd").Text())
	})
	if vals["context"] == "" || vals["price.input"] == "" || vals["price.output"] == "" {
		return 0, errors.New("expected markup not found")
	}
	return len(vals), nil
}

type price map[string]json.RawMessage

func extractEndpoints(body []byte) (int, error) {
	var doc struct {
		Data *struct {
			ID        string `json:"id"`
			Name      string `json:"name"`
			Endpoints []struct {
				Tag                 string  `json:"tag"`
				ProviderName        string  `json:"provider_name"`
				ContextLength       *int64  `json:"context_length"`
				MaxCompletionTokens *int64  `json:"max_completion_tokens"`
				Quantization        *string `json:"quantization"`
				Status              *int    `json:"status"`
				Pricing             price   `json:"pricing"`
			} `json:"endpoints"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return 0, err
	}
	if doc.Data == nil || len(doc.Data.Endpoints) == 0 {
		return 0, errors.New("expected markup not found")
	}
	n := 0
	for _, e := range doc.Data.Endpoints {
		n += 2 // listed, tag
		for _, k := range []string{"prompt", "completion", "input_cache_read", "input_cache_write"} {
			if _, ok := e.Pricing[k]; ok {
				n++
			}
		}
		if e.ContextLength != nil {
			n++
		}
		if e.MaxCompletionTokens != nil {
			n++
		}
	}
	return n, nil
}

func extractModels(body []byte) (int, error) {
	var doc struct {
		Data []struct {
			ID            string `json:"id"`
			Name          string `json:"name"`
			ContextLength *int64 `json:"context_length"`
			Architecture  *struct {
				InputModalities  []string `json:"input_modalities"`
				OutputModalities []string `json:"output_modalities"`
			} `json:"architecture"`
			Pricing             price    `json:"pricing"`
			SupportedParameters []string `json:"supported_parameters"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return 0, err
	}
	if len(doc.Data) == 0 {
		return 0, errors.New("expected markup not found")
	}
	return len(doc.Data) * 7, nil
}

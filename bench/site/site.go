// Package site generates a loopback site of realistic source pages for
// benchmarks and the fault and crash suites: OpenAI-style HTML model pages,
// an OpenRouter-style model list and OpenRouter per-provider endpoints JSON,
// each in the format llmref's real parsers read (FORMATS.md), plus a
// robots.txt. The same options always give the same bytes. A second "day"
// moves a few prices, so a refresh of day 2 after day 1 has real changes.
//
// llmref reads the site through its configuration alone: Config writes a
// configuration file whose sources' base URLs point at the site.
package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/llmref/llmref/config"
)

// Options shape a site.
type Options struct {
	// Pages is the number of content pages (robots.txt and the model list
	// not counted). Half are OpenAI HTML pages and half OpenRouter
	// endpoints JSON pages when Endpoints is set; all HTML otherwise.
	Pages int
	// Endpoints adds OpenRouter endpoints pages (the openrouter-endpoints
	// source must exist in this llmref).
	Endpoints bool
	// Day is 1 or 2; day 2 moves the prices of every 50th model.
	Day int
	// Seed varies the generated values; 0 is the default.
	Seed uint64
}

// Kinds of pages.
const (
	KindOpenAI    = "openai"    // HTML model page
	KindEndpoints = "endpoints" // OpenRouter endpoints JSON
	KindModels    = "models"    // OpenRouter model list JSON
	KindRobots    = "robots"
)

// Page is one generated response.
type Page struct {
	Path         string
	Kind         string
	ContentType  string
	Body         []byte
	ETag         string
	LastModified string
}

// Site is a generated site.
type Site struct {
	opts     Options
	pages    map[string]*Page
	order    []string // content page paths, in crawl order
	openai   []string // OpenAI model ids
	orModels []string // OpenRouter model ids with endpoints pages
	modTime  time.Time
}

// HasEndpointsSource reports whether this llmref has the
// openrouter-endpoints source.
func HasEndpointsSource() bool {
	for _, n := range config.SourceNames() {
		if n == "openrouter-endpoints" {
			return true
		}
	}
	return false
}

// New generates a site.
func New(o Options) *Site {
	if o.Pages <= 0 {
		o.Pages = 100
	}
	if o.Day != 2 {
		o.Day = 1
	}
	s := &Site{opts: o, pages: map[string]*Page{}, modTime: time.Date(2026, 4, 22+o.Day, 1, 0, 0, 0, time.UTC)}
	nHTML, nJSON := o.Pages, 0
	if o.Endpoints {
		nJSON = o.Pages / 2
		nHTML = o.Pages - nJSON
	}
	for i := 0; i < nHTML; i++ {
		s.openai = append(s.openai, openAIID(i))
	}
	for i := 0; i < nJSON; i++ {
		s.orModels = append(s.orModels, orID(i))
	}
	s.add("/robots.txt", KindRobots, "text/plain; charset=utf-8", []byte(Robots))
	for i, id := range s.openai {
		s.add("/api/docs/models/"+id, KindOpenAI, "text/html; charset=utf-8", s.openAIPage(i, id))
	}
	for i, id := range s.orModels {
		s.add("/api/v1/models/"+id+"/endpoints", KindEndpoints, "application/json", s.endpointsPage(i, id))
	}
	if nJSON > 0 {
		s.add("/api/v1/models", KindModels, "application/json", s.modelList())
	}
	return s
}

// Robots is the site's robots.txt: everything allowed but /private/.
const Robots = "User-agent: *\nAllow: /\nDisallow: /private/\n"

func (s *Site) add(p, kind, ctype string, body []byte) {
	sum := sha256.Sum256(body)
	pg := &Page{Path: p, Kind: kind, ContentType: ctype, Body: body,
		ETag: `"` + hex.EncodeToString(sum[:8]) + `"`, LastModified: s.modTime.Format(http.TimeFormat)}
	s.pages[p] = pg
	if kind != KindRobots {
		s.order = append(s.order, p)
	}
}

// Pages lists the content pages (robots.txt excluded), in crawl order.
func (s *Site) Pages() []*Page {
	out := make([]*Page, len(s.order))
	for i, p := range s.order {
		out[i] = s.pages[p]
	}
	return out
}

// Page returns the page at a path, or nil.
func (s *Site) Page(p string) *Page { return s.pages[p] }

// OpenAIModels are the ids of the HTML model pages.
func (s *Site) OpenAIModels() []string { return s.openai }

// EndpointModels are the OpenRouter ids of the endpoints pages.
func (s *Site) EndpointModels() []string { return s.orModels }

// Handler serves the site with ETag and Last-Modified, answering matching
// conditional requests with 304, as real sites do.
func (s *Site) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pg := s.pages[r.URL.EscapedPath()]
		if pg == nil {
			pg = s.pages[r.URL.Path]
		}
		if pg == nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("ETag", pg.ETag)
		h.Set("Last-Modified", pg.LastModified)
		if inm := r.Header.Get("If-None-Match"); inm != "" && inm == pg.ETag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if ims := r.Header.Get("If-None-Match"); ims == "" {
			if t, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !s.modTime.After(t) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		h.Set("Content-Type", pg.ContentType)
		h.Set("Content-Length", fmt.Sprint(len(pg.Body)))
		w.Write(pg.Body)
	})
}

// OpenAIPage generates the HTML model page of any OpenAI model id, shaped
// like the site's own (i varies its values).
func (s *Site) OpenAIPage(i int, id string) []byte { return s.openAIPage(i, id) }

// ModelList is the site's /api/v1/models body.
func (s *Site) ModelList() []byte { return s.modelList() }

// Config is an llmref configuration file that points the sources at the
// site (base is its root URL, "http://127.0.0.1:PORT") and turns every
// other source off, so nothing leaves the machine.
func (s *Site) Config(base string, extra string) string {
	var b strings.Builder
	b.WriteString("# Generated by bench/site: every source reads the loopback site.\n")
	b.WriteString(extra)
	b.WriteString("sources:\n")
	for _, name := range config.SourceNames() {
		if ListShaped(name) {
			fmt.Fprintf(&b, "  %s: []\n", name)
			continue
		}
		fmt.Fprintf(&b, "  %s:\n", name)
		switch {
		case name == "openai" && len(s.openai) > 0:
			fmt.Fprintf(&b, "    base_url: %s\n    models:\n", base)
			for _, m := range s.openai {
				fmt.Fprintf(&b, "      - %s\n", m)
			}
		case name == "openrouter" && len(s.orModels) > 0:
			fmt.Fprintf(&b, "    base_url: %s\n", base)
		case name == "openrouter-endpoints" && len(s.orModels) > 0:
			fmt.Fprintf(&b, "    base_url: %s\n    models:\n", base)
			for _, m := range s.orModels {
				fmt.Fprintf(&b, "      - %s\n", m)
			}
		default:
			b.WriteString("    enabled: false\n")
		}
	}
	return b.String()
}

// ListShaped reports whether a source's settings are a list (several
// sources under one key) rather than a mapping.
func ListShaped(name string) bool {
	v := reflect.ValueOf(config.Default().Settings(name))
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	return v.Kind() == reflect.Slice
}

// LoopbackOnly checks that every source a configuration builds reads only
// loopback addresses: benchmarks and test suites run it before any crawl,
// so a source added to llmref later, with a public default address, can
// never make them reach beyond the machine.
func LoopbackOnly(cfg *config.Config) error {
	srcs, err := cfg.BuildSources()
	if err != nil {
		return err
	}
	for _, src := range srcs {
		for _, r := range src.Requests() {
			u, err := url.Parse(r.URL)
			if err != nil {
				return fmt.Errorf("source %s: %w", src.Name(), err)
			}
			host := u.Hostname()
			if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
				return fmt.Errorf("source %s would read %s, which is not on loopback: turn it off in the generated configuration", src.Name(), r.URL)
			}
		}
	}
	return nil
}

// WriteFixtureDay writes the site as a fixture day that `llmref refresh
// --replay DIR` plays back (manifest.json plus one body file per page),
// recorded at base ("https://bench.llmref.test").
func (s *Site) WriteFixtureDay(dir, base string) error {
	type rec struct {
		URL     string            `json:"url"`
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers,omitempty"`
		Body    string            `json:"body,omitempty"`
	}
	m := struct {
		Day        string    `json:"day"`
		RecordedAt time.Time `json:"recorded_at"`
		Responses  []rec     `json:"responses"`
	}{Day: fmt.Sprintf("bench-day-%d", s.opts.Day), RecordedAt: s.modTime.Add(time.Hour)}
	paths := make([]string, 0, len(s.pages))
	for p := range s.pages {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for i, p := range paths {
		pg := s.pages[p]
		file := path.Join("bodies", fmt.Sprintf("%05d%s", i, ext(pg.ContentType)))
		if err := os.MkdirAll(filepath.Join(dir, "bodies"), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(file)), pg.Body, 0o644); err != nil {
			return err
		}
		m.Responses = append(m.Responses, rec{URL: base + p, Status: 200, Body: file,
			Headers: map[string]string{"Content-Type": pg.ContentType, "ETag": pg.ETag, "Last-Modified": pg.LastModified}})
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "manifest.json"), append(b, '\n'), 0o644)
}

func ext(ctype string) string {
	switch {
	case strings.HasPrefix(ctype, "text/html"):
		return ".html"
	case strings.HasPrefix(ctype, "application/json"):
		return ".json"
	}
	return ".txt"
}

// --- model ids and values ---

var (
	oaVersions = []string{"4.1", "4o", "5", "5.1", "5.2", "5.3", "5.4", "5.5"}
	oaVariants = []string{"mini", "nano", "codex", "pro", "chat", "search", "audio", "realtime", "turbo", "codex-mini"}
	orAuthors  = []struct{ author, family string }{
		{"meta-llama", "llama"}, {"mistralai", "mistral"}, {"qwen", "qwen"}, {"deepseek", "deepseek"},
		{"google", "gemma"}, {"microsoft", "phi"}, {"nvidia", "nemotron"}, {"moonshotai", "kimi"},
	}
	orSizes     = []int{1, 3, 7, 8, 12, 14, 27, 32, 70, 72, 110, 235, 405}
	orUpstreams = []struct{ name, tag string }{
		{"DeepInfra", "deepinfra"}, {"Together", "together"}, {"Fireworks", "fireworks"}, {"Fireworks", "fireworks/fast"},
		{"Novita", "novita"}, {"Groq", "groq"}, {"Cerebras", "cerebras"}, {"Nebius", "nebius"}, {"Lambda", "lambda"},
		{"Parasail", "parasail"}, {"SambaNova", "sambanova"}, {"Hyperbolic", "hyperbolic"},
	}
	quantizations = []string{"fp8", "bf16", "fp16", "int4", "unknown"}
)

func openAIID(i int) string {
	return fmt.Sprintf("gpt-%s-%s-%04d", oaVersions[i%len(oaVersions)], oaVariants[(i/len(oaVersions))%len(oaVariants)], i)
}

func openAITitle(id string) string {
	// "gpt-5.3-codex-0042" → "GPT-5.3-Codex-0042": equal to the id but for case.
	parts := strings.Split(id, "-")
	for i, p := range parts {
		if i == 0 {
			parts[i] = strings.ToUpper(p)
			continue
		}
		if p != "" && p[0] >= 'a' && p[0] <= 'z' {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}

func orID(i int) string {
	a := orAuthors[i%len(orAuthors)]
	size := orSizes[(i/len(orAuthors))%len(orSizes)]
	return fmt.Sprintf("%s/%s-%d.%d-%db-instruct-%04d", a.author, a.family, 2+i%3, i%10, size, i)
}

func (s *Site) rng(i int, salt uint64) *rand.Rand {
	return rand.New(rand.NewPCG(s.opts.Seed^uint64(i)*0x9e3779b97f4a7c15, salt))
}

// moved reports whether model i's prices move on day 2.
func (s *Site) moved(i int) bool { return s.opts.Day == 2 && i%50 == 7 }

// usd formats micro-dollars as a plain decimal ("1.75", "0.027").
func usd(micros int64) string {
	whole, frac := micros/1_000_000, micros%1_000_000
	if frac == 0 {
		return fmt.Sprint(whole)
	}
	return strings.TrimRight(fmt.Sprintf("%d.%06d", whole, frac), "0")
}

// perToken formats micro-dollars per 1M tokens as USD per token.
func perToken(micros int64) string {
	if micros == 0 {
		return "0"
	}
	return strings.TrimRight(fmt.Sprintf("0.%012d", micros), "0")
}

var months = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

func (s *Site) openAIPage(i int, id string) []byte {
	r := s.rng(i, 1)
	title := openAITitle(id)
	in := int64(50_000 + r.IntN(200)*25_000) // $0.05 .. $5.05 per 1M
	if s.moved(i) {
		in += in / 200
	}
	cached, out := in/10, in*8
	ctx := []int{128_000, 200_000, 400_000, 1_047_576}[r.IntN(4)]
	maxOut := []int{16_384, 32_768, 100_000, 128_000}[r.IntN(4)]
	cutoff := fmt.Sprintf("%s %d, %d", months[r.IntN(12)], 1+r.IntN(28), 2023+r.IntN(3))
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s Model | OpenAI API</title>\n", html.EscapeString(title))
	w("<meta name=\"description\" content=\"%s is a model in the OpenAI API.\">\n", html.EscapeString(title))
	w("<link rel=\"alternate\" type=\"text/markdown\" href=\"/api/docs/models/%s.md\">\n", id)
	w("<link rel=\"stylesheet\" href=\"/_astro/index.C8kTq2x1.css\">\n<script type=\"module\" src=\"/_astro/page.B2x9Qk1a.js\"></script>\n")
	w("<style>.sr-only{position:absolute;width:1px;height:1px;overflow:hidden}.chip{display:inline-block;padding:2px 6px;border-radius:4px}.model-specs li{list-style:none}</style>\n</head>\n<body>\n")
	w("<div class=\"banner\"><p>For the complete documentation index, see <a href=\"/llms.txt\">llms.txt</a>. Markdown versions of documentation pages are available by appending <code>.md</code> to the page URL.</p></div>\n")
	w("<header class=\"site-header\">\n  <nav aria-label=\"Primary navigation\"><span class=\"sr-only\">Primary navigation</span>\n    <ul><li><a href=\"/api/docs\">Docs</a></li><li><a href=\"/api/reference\">API reference</a></li><li><a href=\"/codex\">Codex</a></li><li><a href=\"/apps-sdk\">Apps SDK</a></li></ul>\n  </nav>\n  <button class=\"theme-toggle\" type=\"button\">Theme</button>\n</header>\n")
	// The docs sidebar lists many models, as the real one does.
	w("<aside class=\"sidebar\"><nav aria-label=\"Models\"><ul class=\"sidebar__list\">\n")
	for k := 0; k < 120; k++ {
		other := openAIID((i + k*7 + 1) % 4096)
		w("  <li class=\"sidebar__item\"><a class=\"sidebar__link\" href=\"/api/docs/models/%s\"><span class=\"sidebar__label\">%s</span></a></li>\n", other, openAITitle(other))
	}
	w("</ul></nav></aside>\n<main id=\"content\">\n")
	w("  <nav class=\"breadcrumbs\"><a href=\"/api/docs/models\">Models</a> <span>/</span> <span>%s</span></nav>\n", id)
	w("  <section class=\"model-hero\">\n    <div class=\"model-hero__title\">\n      <h1>%s</h1>\n", title)
	if r.IntN(10) == 0 {
		w("      <div class=\"badge\">Deprecated</div>\n")
	}
	w("      <div class=\"model-hero__chips\"><span class=\"chip chip--mono\">%s</span></div>\n    </div>\n", id)
	w("    <p class=\"model-hero__tagline\">A %s model for production workloads</p>\n", oaVariants[r.IntN(len(oaVariants))])
	w("    <div class=\"model-hero__ratings\">\n      <div class=\"rating\"><div class=\"rating__label\">Reasoning</div><div class=\"rating__dots\" aria-label=\"%d of 5\"></div></div>\n", 1+r.IntN(5))
	w("      <div class=\"rating\"><div class=\"rating__label\">Speed</div><div class=\"rating__dots\" aria-label=\"%d of 5\"></div></div>\n", 1+r.IntN(5))
	w("      <div class=\"rating\"><div class=\"rating__label\">Price</div><div class=\"rating__value\">$%s<span class=\"sep\">•</span>$%s</div><div class=\"rating__sub\"><span>Input</span> <span>/</span> <span>Output</span></div></div>\n    </div>\n  </section>\n", usd(in), usd(out))
	w("  <section class=\"model-summary\">\n    <p>%s is a version of GPT-%s tuned for %s tasks. It supports text and image inputs, structured outputs and function calling, and is available in the Responses API and the Chat Completions API.</p>\n", title, oaVersions[i%len(oaVersions)], oaVariants[(i/len(oaVersions))%len(oaVariants)])
	w("    <ul class=\"model-specs\">\n      <li><span class=\"model-specs__value\">%s</span> context window</li>\n      <li><span class=\"model-specs__value\">%s</span> max output tokens</li>\n      <li><span class=\"model-specs__value\">%s</span> knowledge cutoff</li>\n", commas(ctx), commas(maxOut), cutoff)
	if r.IntN(2) == 0 {
		w("      <li>Reasoning token support</li>\n")
	}
	w("    </ul>\n  </section>\n")
	w("  <section class=\"model-pricing\" id=\"pricing\">\n    <h2>Pricing</h2>\n    <p>Pricing is based on the number of tokens used, or other metrics based on the model type. For tool-specific models, like search and computer use, there's a fee per tool call. See details in the <a href=\"/api/docs/pricing\">pricing page</a>.</p>\n")
	w("    <div class=\"pricing-table\">\n      <div class=\"pricing-table__head\"><h3>Text tokens</h3><div class=\"pricing-table__unit\">Per 1M tokens</div></div>\n      <div class=\"pricing-table__rows\">\n")
	w("        <div class=\"pricing-row\"><div class=\"pricing-row__label\">Input</div><div class=\"pricing-row__price\">$%s</div></div>\n", usd(in))
	w("        <div class=\"pricing-row\"><div class=\"pricing-row__label\">Cached input</div><div class=\"pricing-row__price\">$%s</div></div>\n", usd(cached))
	w("        <div class=\"pricing-row\"><div class=\"pricing-row__label\">Output</div><div class=\"pricing-row__price\">$%s</div></div>\n      </div>\n    </div>\n  </section>\n", usd(out))
	w("  <section class=\"model-compare\">\n    <h2>Quick comparison</h2>\n    <div class=\"compare\"><div>%s</div><div>%s</div><div>%s</div></div>\n  </section>\n", title, openAITitle(openAIID(i+1)), openAITitle(openAIID(i+2)))
	w("  <section class=\"model-modalities\">\n    <h2>Modalities</h2>\n    <dl class=\"capability-list\">\n")
	for _, m := range []struct{ name, how string }{{"Text", "Input and output"}, {"Image", []string{"Input only", "Not supported"}[r.IntN(2)]}, {"Audio", []string{"Not supported", "Input and output"}[r.IntN(2)]}, {"Video", "Not supported"}} {
		w("      <div class=\"capability\"><dt>%s</dt><dd>%s</dd></div>\n", m.name, m.how)
	}
	w("    </dl>\n  </section>\n")
	w("  <section class=\"model-endpoints\">\n    <h2>Endpoints</h2>\n    <ul class=\"endpoint-list\">\n")
	for _, e := range []struct{ name, route string }{{"Chat Completions", "v1/chat/completions"}, {"Responses", "v1/responses"}, {"Realtime", "v1/realtime"}, {"Batch", "v1/batch"}, {"Embeddings", "v1/embeddings"}} {
		w("      <li class=\"endpoint endpoint--%s\"><div>%s</div><div><code>%s</code></div></li>\n", []string{"on", "off"}[r.IntN(2)], e.name, e.route)
	}
	w("    </ul>\n  </section>\n")
	support := func() string { return []string{"Supported", "Not supported"}[r.IntN(2)] }
	w("  <section class=\"model-features\">\n    <h2>Features</h2>\n    <dl class=\"capability-list\">\n")
	for _, f := range []string{"Streaming", "Function calling", "Structured outputs", "Fine-tuning", "Distillation", "Predicted outputs"} {
		w("      <div class=\"capability\"><dt>%s</dt><dd>%s</dd></div>\n", f, support())
	}
	w("    </dl>\n  </section>\n")
	w("  <section class=\"model-tools\">\n    <h2>Tools</h2>\n    <p class=\"model-tools__intro\">Tools supported by this model when using the Responses API.</p>\n    <dl class=\"capability-list\">\n")
	for _, f := range []string{"Web search", "File search", "Image generation", "Code interpreter", "Hosted shell", "Apply patch", "Computer use", "MCP"} {
		w("      <div class=\"capability\"><dt>%s</dt><dd>%s</dd></div>\n", f, support())
	}
	w("    </dl>\n  </section>\n")
	w("  <section class=\"model-snapshots\">\n    <h2>Snapshots</h2>\n    <ul><li><div>%s</div><div>Alias</div></li><li><div>%s-2026-0%d-1%d</div><div>Snapshot</div></li></ul>\n  </section>\n", id, id, 1+r.IntN(9), r.IntN(10))
	w("  <section class=\"rate-limits\">\n    <h2>Rate limits</h2>\n    <table><thead><tr><th>Tier</th><th>RPM</th><th>TPM</th><th>Batch queue limit</th></tr></thead><tbody>\n")
	for t := 1; t <= 5; t++ {
		w("      <tr><td>Tier %d</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", t, commas(500*t*t), commas(200_000*t*t), commas(2_000_000*t*t))
	}
	w("    </tbody></table>\n  </section>\n</main>\n")
	w("<footer class=\"site-footer\"><p>© 2026 OpenAI</p><ul><li><a href=\"/policies\">Policies</a></li><li><a href=\"/status\">Status</a></li></ul></footer>\n")
	// The page's hydration state, as server-rendered docs embed it.
	state := map[string]any{"id": id, "title": title, "context": ctx, "maxOutput": maxOut, "sidebar": s.sidebarState(i)}
	js, _ := json.Marshal(state)
	w("<script>window.__MODEL__=%s;</script>\n</body>\n</html>\n", js)
	return b.Bytes()
}

func (s *Site) sidebarState(i int) []map[string]string {
	out := make([]map[string]string, 0, 60)
	for k := 0; k < 60; k++ {
		id := openAIID((i + k*11 + 3) % 4096)
		out = append(out, map[string]string{"slug": id, "label": openAITitle(id), "href": "/api/docs/models/" + id})
	}
	return out
}

func commas(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// orPrices are model i's headline prices in micro-dollars per 1M tokens.
func (s *Site) orPrices(i int) (in, out int64) {
	r := s.rng(i, 2)
	in = int64(10_000 + r.IntN(120)*5_000)
	out = in * int64(2+r.IntN(6))
	if s.moved(i) {
		out += out / 200
	}
	return in, out
}

type orEndpointJSON struct {
	Name                string            `json:"name"`
	ModelID             string            `json:"model_id"`
	ModelName           string            `json:"model_name"`
	ContextLength       int               `json:"context_length"`
	Pricing             map[string]any    `json:"pricing"`
	ProviderName        string            `json:"provider_name"`
	Tag                 string            `json:"tag"`
	Quantization        string            `json:"quantization"`
	MaxCompletionTokens *int              `json:"max_completion_tokens"`
	MaxPromptTokens     *int              `json:"max_prompt_tokens"`
	SupportedParameters []string          `json:"supported_parameters"`
	Status              int               `json:"status"`
	Uptime30m           *float64          `json:"uptime_last_30m"`
	Uptime5m            *float64          `json:"uptime_last_5m"`
	Uptime1d            *float64          `json:"uptime_last_1d"`
	Caching             bool              `json:"supports_implicit_caching"`
	Latency             map[string]number `json:"latency_last_30m"`
	Throughput          map[string]number `json:"throughput_last_30m"`
}

type number float64

// MarshalJSON writes the number with two decimals, as the real API does.
func (n number) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%.2f", float64(n))), nil }

var supportedParams = []string{"max_tokens", "temperature", "top_p", "stop", "frequency_penalty", "presence_penalty", "top_k",
	"repetition_penalty", "logit_bias", "logprobs", "top_logprobs", "response_format", "structured_outputs", "tools", "tool_choice", "seed", "min_p"}

func orName(id string) string {
	author, slug, _ := strings.Cut(id, "/")
	return strings.ToUpper(author[:1]) + author[1:] + ": " + strings.ReplaceAll(slug, "-", " ")
}

func (s *Site) endpointsPage(i int, id string) []byte {
	r := s.rng(i, 3)
	in, out := s.orPrices(i)
	n := 3 + r.IntN(6)
	start := r.IntN(len(orUpstreams))
	var eps []orEndpointJSON
	for k := 0; k < n; k++ {
		up := orUpstreams[(start+k)%len(orUpstreams)]
		ctx := []int{8192, 16384, 32768, 60000, 131072}[r.IntN(5)]
		epIn, epOut := in, out
		if k > 0 {
			epIn += int64(r.IntN(5)) * 5_000
			epOut += int64(r.IntN(5)) * 10_000
		}
		pricing := map[string]any{"prompt": perToken(epIn), "completion": perToken(epOut), "discount": 0}
		if r.IntN(3) == 0 {
			pricing["input_cache_read"] = perToken(epIn / 4)
		}
		uptime := func() *float64 {
			if r.IntN(8) == 0 {
				return nil
			}
			v := 80 + r.Float64()*20
			return &v
		}
		var maxc *int
		if r.IntN(2) == 0 {
			v := ctx / 2
			maxc = &v
		}
		status := 0
		if r.IntN(10) == 0 {
			status = -2
		}
		params := supportedParams[:8+r.IntN(len(supportedParams)-8)]
		eps = append(eps, orEndpointJSON{
			Name: up.name + " | " + id + "-2026", ModelID: id, ModelName: orName(id), ContextLength: ctx, Pricing: pricing,
			ProviderName: up.name, Tag: up.tag, Quantization: quantizations[r.IntN(len(quantizations))], MaxCompletionTokens: maxc,
			SupportedParameters: params, Status: status, Uptime30m: uptime(), Uptime5m: uptime(), Uptime1d: uptime(), Caching: r.IntN(2) == 0,
			Latency:    map[string]number{"p50": number(200 + r.IntN(3000)), "p75": number(400 + r.IntN(4000)), "p90": number(800 + r.IntN(6000)), "p99": number(2000 + r.IntN(30000))},
			Throughput: map[string]number{"p50": number(20 + r.IntN(200)), "p75": number(15 + r.IntN(150)), "p90": number(10 + r.IntN(100)), "p99": number(5 + r.IntN(50))},
		})
	}
	doc := map[string]any{"data": map[string]any{
		"id": id, "name": orName(id), "created": 1727222400 + i*3600,
		"description":  "An instruction-tuned open-weight model for chat, retrieval and agentic workflows, served by several providers through OpenRouter's routing layer. It is suited for...",
		"architecture": map[string]any{"tokenizer": "Other", "instruct_type": nil, "modality": "text->text", "input_modalities": []string{"text"}, "output_modalities": []string{"text"}},
		"endpoints":    eps,
	}}
	b, _ := json.Marshal(doc)
	return b
}

// modelList is /api/v1/models: every endpoints model, with its headline
// prices (the aggregator's word that the model exists).
func (s *Site) modelList() []byte {
	var data []map[string]any
	for i, id := range s.orModels {
		in, out := s.orPrices(i)
		data = append(data, map[string]any{
			"id": id, "canonical_slug": id, "name": orName(id), "created": 1727222400 + i*3600,
			"description":        "An instruction-tuned open-weight model.",
			"context_length":     131072,
			"architecture":       map[string]any{"modality": "text->text", "input_modalities": []string{"text"}, "output_modalities": []string{"text"}, "tokenizer": "Other", "instruct_type": nil},
			"pricing":            map[string]string{"prompt": perToken(in), "completion": perToken(out), "request": "0", "image": "0"},
			"top_provider":       map[string]any{"context_length": 131072, "max_completion_tokens": nil, "is_moderated": false},
			"per_request_limits": nil, "supported_parameters": supportedParams[:10], "knowledge_cutoff": nil,
			"links": map[string]string{"details": "/api/v1/models/" + id + "/endpoints"},
		})
	}
	b, _ := json.Marshal(map[string]any{"data": data})
	return b
}

"""Scrapy's side of the llmref crawl benchmark (bench/run.sh).

Fetches every URL of a bench site (urls.tsv, written by bench/cmd/site)
with the same concurrency as llmref and the baseline, obeying robots.txt as
llmref does, and extracts the same values llmref's parsers read: from the
OpenAI-style HTML model pages the title, context window, max output,
knowledge cutoff, text-token prices, modalities, features and tools; from
the OpenRouter JSON pages every endpoint's tag, prices, context and max
output. Items go to a JSON Lines feed, Scrapy's ordinary way to keep them.

Run with the system Python that Debian's python3-scrapy belongs to:

    /usr/bin/python3 -m scrapy runspider bench/scrapy_spider.py \
        -a urls=bench/out/site/urls.tsv -s CONCURRENT_REQUESTS=8 \
        -s CONCURRENT_REQUESTS_PER_DOMAIN=8 -O bench/out/scrapy-items.jsonl
"""

import json
import re

import scrapy

RE_CONTEXT = re.compile(r"^([\d,]+) context window$")
RE_MAX_OUT = re.compile(r"^([\d,]+) max output tokens$")
RE_CUTOFF = re.compile(r"^(.+) knowledge cutoff$")


def clean(parts):
    return " ".join("".join(parts).split())


class BenchSpider(scrapy.Spider):
    name = "llmref-bench"
    custom_settings = {
        "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "USER_AGENT": "scrapy-bench/1.0 (llmref benchmark)",
        "RETRY_TIMES": 2,
        "DOWNLOAD_TIMEOUT": 30,
        "REQUEST_FINGERPRINTER_IMPLEMENTATION": "2.7",
    }

    def __init__(self, urls=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not urls:
            raise ValueError("-a urls=FILE is required")
        self.targets = []
        with open(urls, encoding="utf-8") as f:
            for line in f:
                kind, _, url = line.rstrip("\n").partition("\t")
                if url:
                    self.targets.append((kind, url))

    def start_requests(self):
        for kind, url in self.targets:
            yield scrapy.Request(url, callback=self.parse_page, cb_kwargs={"kind": kind})

    def parse_page(self, response, kind):
        if kind == "openai":
            yield self.parse_openai(response)
        elif kind == "endpoints":
            yield from self.parse_endpoints(response)
        elif kind == "models":
            yield from self.parse_models(response)

    def parse_openai(self, response):
        item = {"url": response.url, "name": clean(response.css("h1 ::text").getall())}
        for li in response.css(".model-specs li"):
            text = clean(li.css(" ::text").getall())
            for key, rx in (("context", RE_CONTEXT), ("max_output", RE_MAX_OUT), ("cutoff", RE_CUTOFF)):
                m = rx.match(text)
                if m:
                    item[key] = m.group(1)
            if text == "Reasoning token support":
                item["reasoning"] = True
        for row in response.css(".pricing-table .pricing-row"):
            label = clean(row.css(".pricing-row__label ::text").getall()).lower()
            item["price." + label] = clean(row.css(".pricing-row__price ::text").getall())
        for cap in response.css("section dl.capability-list .capability"):
            item["cap." + clean(cap.css("dt ::text").getall()).lower()] = clean(cap.css("dd ::text").getall())
        if "context" not in item or "price.input" not in item:
            raise ValueError("expected markup not found: " + response.url)
        return item

    def parse_endpoints(self, response):
        data = json.loads(response.text)["data"]
        for e in data["endpoints"]:
            p = e["pricing"]
            yield {
                "url": response.url, "model": data["id"], "tag": e["tag"],
                "prompt": p["prompt"], "completion": p["completion"],
                "input_cache_read": p.get("input_cache_read"),
                "context": e.get("context_length"), "max_output": e.get("max_completion_tokens"),
            }

    def parse_models(self, response):
        for m in json.loads(response.text)["data"]:
            yield {"url": response.url, "model": m["id"], "name": m.get("name"),
                   "prompt": m["pricing"]["prompt"], "completion": m["pricing"]["completion"],
                   "context": m.get("context_length")}

"""The crawler: discovery (feeds, sitemaps, listing pages) -> frontier -> polite fetch -> WARC -> extract ->
store.

Cut like Scrapy, one job per module:

- ``canonical``  URL canonicalisation (the key of the seen-URL set)
- ``frontier``   persistent frontier and seen-URL set in SQLite, crash-safe claimed/fetched/done states
- ``robots``     robots.txt rules and Crawl-delay, cached per host
- ``fetch``      the polite HTTP client: per-host delay and concurrency, back-off, limits, address checks
- ``warcwriter`` every request and response into rotating gzip'd WARC files
- ``feeds``, ``sitemaps``, ``links``  article discovery from RSS/Atom, XML sitemaps and listing pages
- ``crawl``      the orchestrator that runs one crawl of the configured sources
"""

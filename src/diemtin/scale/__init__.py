"""Spark jobs: the single-machine stages over archives too large for one machine (DESIGN.md section 8).

``warc_job``: WARC files (our crawler's, or Common Crawl's news crawl) -> ``understand`` on every HTML record
-> exact duplicates collapsed -> Parquet in the export schema. Needs the ``spark`` extra and Java 17 or 21.
"""

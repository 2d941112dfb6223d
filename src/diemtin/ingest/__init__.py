"""Where pages come from: files and folders, WARC archives, and the polite crawler (crawler/)."""

"""Bytes -> documents: load (decoding, rejections), clean (site chrome out: scrape, markdown, HTML),
metadata (title, outlet, authors, date), dedupe (exact and near copies), and runner, the run itself,
which drives every later stage and stores each document in one transaction.
"""

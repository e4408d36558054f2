"""Site chrome out, article text in: text scrapes, markdown exports and HTML pages.

clean() reads the kind of input and sends it to its reader: plain-text scrapes to
pipeline.ingest.scrape (general line features, never site-specific strings), markdown exports to the
markdown reader here (markup out, labelled sections read as fields, the rest through the scrape
rules), HTML pages to trafilatura. Every reader returns the same CleanedText.
"""

from __future__ import annotations

import re

from pipeline.ingest.scrape import (
    BYLINE,
    DATE_LINE,
    STRONG_BOILERPLATE,
    TERMINAL,
    CleanedText,
    author_names,
    clean_text_scrape,
    clean_units,
    looks_like_person,
    make_unit,
    normalise,
    split_units,
    text_key,
)

# ---------------------------------------------------------------- markdown
# Line patterns (headings, bold labels, list items, setext underlines), then inline markup. Inline
# patterns are bounded and use negated classes so a long line stays linear.
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_BOLD_LINE = re.compile(r"^\s*(?:\*\*|__)([^*_]{1,60}?)(?:\*\*|__)\s*:?\s*$")
_MD_FIELD_INLINE = re.compile(r"^\s*(?:\*\*|__)([^*_]{1,40}?)\s*:?\s*(?:\*\*|__)\s*:?\s+(\S.*)$")
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_MD_SETEXT = re.compile(r"^\s*(=+|-+)\s*$")
_MD_IMAGE = re.compile(r"!\[([^\]\n]{0,300})\]\([^)\n]{0,500}\)")
_MD_LINK = re.compile(r"\[([^\]\n]{1,300})\](?:\([^)\n]{0,500}\)|\[[^\]\n]{0,100}\])")
_MD_BOLD = re.compile(r"\*\*([^*\n]{1,300})\*\*|__([^_\n]{1,300})__")
_MD_EMPH = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]{1,300})(?<!\s)\*(?![\w*])|(?<![\w_])_(?!\s)([^_\n]{1,300})(?<!\s)_(?![\w_])")
_MD_CODE = re.compile(r"`([^`\n]{0,300})`")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]{0,200}>")


def looks_like_markdown(text: str) -> bool:
    """Whether a text carries markdown markup (headings, bold labels, links, fences)."""
    head = text[:20000]
    headings = len(re.findall(r"(?m)^\s{0,3}#{1,6}\s+\S", head))
    bold = len(_MD_BOLD.findall(head))
    links = len(_MD_LINK.findall(head))
    fences = len(re.findall(r"(?m)^```", head))
    return headings >= 2 or (headings >= 1 and (bold + links) >= 1) or links >= 3 or fences >= 2 or bold >= 4


def _strip_inline(text: str) -> str:
    """Return a markdown line's text without inline markup (links keep their words)."""
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_BOLD.sub(lambda m: m.group(1) or m.group(2), text)
    text = _MD_EMPH.sub(lambda m: m.group(1) or m.group(2), text)
    text = _MD_CODE.sub(r"\1", text)
    return _HTML_TAG.sub("", text)


def clean_markdown(raw: str) -> CleanedText:
    """Return the article in a markdown export: markup out, labelled sections read as fields."""
    text = normalise(raw or "")
    lines = text.split("\n")
    # Fenced code and reference-link definitions are never article prose.
    out_lines: list[str] = []
    in_fence = False
    for line in lines:
        if line.strip().startswith("```") or line.strip().startswith("~~~"):
            in_fence = not in_fence
            continue
        if in_fence or re.match(r"^\s{0,3}\[[^\]]+\]:\s+\S", line):
            continue
        out_lines.append(line)
    lines = out_lines

    # Setext headings ("Title\n=====") become ATX headings.
    for i in range(1, len(lines)):
        m = _MD_SETEXT.match(lines[i])
        if m and lines[i - 1].strip() and not _MD_LIST.match(lines[i - 1]):
            lines[i - 1] = ("# " if m.group(1)[0] == "=" else "## ") + lines[i - 1].strip()
            lines[i] = ""

    sections: list[tuple[str | None, int, list[str]]] = [(None, 0, [])]
    title: str | None = None
    images: list[str] = []
    for line in lines:
        for alt in _MD_IMAGE.findall(line):
            if alt.strip():
                images.append(alt.strip())
        h = _MD_HEADING.match(line)
        b = _MD_BOLD_LINE.match(line)
        fi = _MD_FIELD_INLINE.match(line)
        if h:
            label = _strip_inline(h.group(2)).strip()
            if title is None and len(h.group(1)) <= 2 and not any(s[2] and any(x.strip() for x in s[2]) for s in sections):
                title = label
                continue
            sections.append((label, len(h.group(1)), []))
        elif b:
            sections.append((_strip_inline(b.group(1)).strip(), 7, []))
        elif fi and len(fi.group(1).split()) <= 4:
            sections.append((fi.group(1).strip(), 8, [fi.group(2)]))
            sections.append((None, 9, []))  # an inline field holds one value: what follows is text again
        else:
            sections[-1][2].append(line)

    fields: dict[str, str] = {}
    body_lines: list[str] = []
    for label, _level, content in sections:
        plain = [_strip_inline(_MD_LIST.sub("• ", x) if _MD_LIST.match(x) else re.sub(r"^\s*>\s?", "", x)) for x in content]
        nonblank = [x.strip() for x in plain if x.strip()]
        if label is None:
            body_lines.extend(plain + [""])
            continue
        prose = [x for x in nonblank if not x.startswith("• ") and len(x.split()) >= 10 and TERMINAL.search(x)]
        if prose:
            # A section with prose in it is article text: under an export's one- or two-word label
            # ("Description") the label is a field name; a longer heading is the article's subheading.
            if len(label.split()) <= 2:
                fields[label] = "\n\n".join(x for x in nonblank if not BYLINE.match(x))
                body_lines.extend(plain + [""])
            else:
                body_lines.extend([label, ""] + plain + [""])
        elif nonblank:
            fields[label] = "; ".join(x.removeprefix("• ").strip() for x in nonblank)
        else:
            # A heading with nothing under it before the next heading: an article subheading.
            body_lines.extend([label, ""])

    cleaned = clean_units(split_units("\n".join(body_lines)), title=title, fields=fields)
    if cleaned.dateline is None:
        # An export's date field ("Date Created: 12/20/2022") is the page's dateline.
        cleaned.dateline = next(
            (v for k, v in fields.items() if re.search(r"date|publish|posted|created", k, re.I) and DATE_LINE.match(v)),
            None,
        )
    if images:
        cleaned.captions = list(dict.fromkeys(cleaned.captions + [x for x in images if len(x.split()) >= 3]))
    return cleaned


# ---------------------------------------------------------------- HTML
MIN_HTML_BODY_CHARS = 200


def clean_html(html: str, url: str | None = None) -> CleanedText:
    """Return the article in an HTML page (trafilatura); an empty body when the page holds no article."""
    import trafilatura  # imported lazily: slow to import and only needed for HTML inputs

    html = html or ""
    if not html.strip():
        return CleanedText(body="")
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            include_comments=False,
            include_tables=False,
            include_images=False,
            favor_precision=True,
            with_metadata=True,
            deduplicate=False,
            # No extensive search: it guesses from copyright years and URLs, and a guess is not a date.
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception:  # trafilatura raises on some malformed trees; such a page holds no usable article
        doc = None
    captions = _html_captions(html)
    if doc is None:
        return CleanedText(body="", captions=captions)
    get = doc.get if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))
    text = normalise(get("text") or "")
    paragraphs = [re.sub(r"[ \t]+", " ", p).strip() for p in text.split("\n") if p.strip()]
    caption_keys = {text_key(c) for c in captions}
    paragraphs = [p for p in paragraphs if text_key(p) not in caption_keys and not STRONG_BOILERPLATE.search(p)]
    units = [make_unit(p, p, k) for k, p in enumerate(paragraphs)]
    # A page whose "article" has no prose paragraph is a menu, a listing or an error page.
    if not any(u.good for u in units) or sum(len(p) for p in paragraphs) < MIN_HTML_BODY_CHARS:
        paragraphs = []
    title = (get("title") or "").strip() or None
    if paragraphs and title and text_key(paragraphs[0]) == text_key(title):
        paragraphs = paragraphs[1:]
    authors = [name for name in author_names(get("author") or "") if looks_like_person(name)]
    fields = {}
    for key in ("categories", "tags", "description"):
        value = get(key)
        if value:
            fields[key.title()] = "; ".join(value) if isinstance(value, list) else str(value)
    canonical = get("url")
    if canonical:
        fields["Canonical Url"] = str(canonical)
    date = get("date")
    return CleanedText(
        body="\n\n".join(paragraphs),
        captions=captions,
        title=title,
        byline=list(dict.fromkeys(authors)),
        dateline=str(date) if date else None,
        fields=fields,
        links=[],
        site_name=(get("sitename") or "").strip() or None,
    )


def _html_captions(html: str) -> list[str]:
    """Return figure captions and descriptive image alt texts of an HTML page."""
    try:
        from lxml import html as lxml_html

        tree = lxml_html.fromstring(html.encode("utf-8", "replace") if isinstance(html, str) else html)
    except Exception:  # unparseable markup: no captions rather than a failure
        return []
    out: dict[str, str] = {}
    for node in tree.iter("figcaption"):
        t = re.sub(r"\s+", " ", node.text_content()).strip()
        if t:
            out.setdefault(text_key(t), t)
    for node in tree.iter("img"):
        figure = next((a for a in node.iterancestors() if a.tag == "figure"), None)
        if figure is not None and any(True for _ in figure.iter("figcaption")):
            continue  # the figure's caption says it better than the alt text
        alt = re.sub(r"\s+", " ", node.get("alt") or "").strip()
        # Short alts are logos and icons ("logo", "Facebook"); sentences describe photos.
        if len(alt.split()) >= 5 and text_key(alt) not in out:
            out[text_key(alt)] = alt
    return list(out.values())


# ---------------------------------------------------------------- dispatch
def clean(raw: str, kind: str) -> CleanedText:
    """Return the cleaned article for raw input of a kind ("text", "markdown" or "html")."""
    kind = (kind or "text").lower()
    if kind == "html":
        return clean_html(raw)
    if kind in ("markdown", "md") or looks_like_markdown(raw or ""):
        return clean_markdown(raw)
    if kind == "text" and re.match(r"\s*(?:<!doctype html|<html\b)", raw or "", re.I):
        return clean_html(raw)
    return clean_text_scrape(raw)

"""Score the attribution extractor on PolNeAR (train or dev): speaker and content P/R/F1.

    python -m pipeline.learn.eval_polnear --split dev [--scope polnear|statements] [--check] [--limit N]

Data: ../shared/eval/polnear relative to the repo root, or $CLAIMS_EVAL_DIR/polnear. When the data
is absent the script says so and exits 0.

Scoring (per article, then summed over the split):

* Tokens are word tokens (``\\w+`` runs, apostrophes and hyphens inside words kept); punctuation and
  quote marks never count, so "quote marks included or not" does not change any figure. A span set
  (``start-end;start-end``) becomes the set of word tokens whose first character lies inside it.
* Matching: gold and predicted attributions of one article are paired one-to-one by content token
  overlap (maximum total overlap, Hungarian assignment); pairs with no shared token are not pairs.
* Content token-overlap (headline, "overlap"): token-level P/R of the paired contents, micro-summed
  as in Citron: precision = sum over pairs of |P∩G| / total predicted content tokens, recall =
  sum over pairs of |P∩G| / total gold content tokens; unpaired items contribute only to the
  denominators.
* Content "soft": the same pairs, credit per attribution: precision = mean over predictions of
  |P∩G|/|P|, recall = mean over gold attributions of |P∩G|/|G| (unpaired items earn 0).
* Content exact: a pair counts 1 when both token sets are equal after dropping a leading "that";
  precision = exact pairs / predictions, recall = exact pairs / gold.
* Speaker (source): scored on the content pairs, so a speaker is only right for the right
  statement: the same overlap / soft / exact definitions on source tokens, over predictions that
  name a speaker and gold attributions that have a source (``Attribution-no-source`` excluded).
* "citron": the lenient BBC Citron definition, for comparison with published figures, without any
  pairing: precision = predicted tokens that some gold span covers / total predicted tokens, recall =
  gold tokens that some predicted span covers / total gold tokens (sources and contents scored
  independently of each other).
* Direct vs indirect: gold is direct when its content starts with a quote mark; predicted is direct
  when ``Attribution.direct``. The split figures restrict recall to gold of that kind and precision
  to predictions of that kind (pairs made over all attributions).
* Speed: articles per second of ``extract_attributions`` alone (wall clock, one process).
* Scope: ``polnear`` (default, what the floors pin) scores extract_attributions(scope="polnear"),
  which keeps PolNeAR's non-speech attributions (intentions, plans, perceptions); ``statements``
  scores the product's own path (speech, communication and belief cues only).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

from pipeline import config
from pipeline.extract.attribution import Attribution, extract_attributions

FLOORS_PATH = Path(__file__).resolve().parent / "floors" / "polnear.json"
_WORD_RE = re.compile(r"\w+(?:['’\-]\w+)*")
_QUOTE_START = ("\"", "“", "‘", "'", "``", "''")
csv.field_size_limit(10**8)


def eval_dir() -> Path:
    """Return the PolNeAR directory: $CLAIMS_EVAL_DIR/polnear or ../shared/eval/polnear from the repo."""
    return config.eval_dir() / "polnear"


@dataclass
class GoldAttribution:
    source: frozenset[int]
    content: frozenset[int]
    direct: bool


@dataclass
class Article:
    name: str
    text: str
    gold: list[GoldAttribution] = field(default_factory=list)


def _word_starts(text: str) -> list[int]:
    return [m.start() for m in _WORD_RE.finditer(text)]


def _tokens_in(starts: list[int], spans: list[tuple[int, int]]) -> frozenset[int]:
    """Return the indexes of word tokens whose first character lies in one of spans."""
    import bisect

    ids: set[int] = set()
    for s, e in spans:
        lo = bisect.bisect_left(starts, s)
        hi = bisect.bisect_left(starts, e)
        ids.update(range(lo, hi))
    return frozenset(ids)


def _parse_spans(value: str | None) -> list[tuple[int, int]]:
    if not value:
        return []
    spans = []
    for part in value.split(";"):
        if "-" in part:
            a, b = part.split("-", 1)
            spans.append((int(a), int(b)))
    return spans


HOLD_OUT_SEED = 29


def held_out_names(names: list[str], fraction: float) -> set[str]:
    """Return a fixed random fraction of the article names: train articles a model may be fitted without.

    pipeline.learn.train_encoders --hold-out F leaves these out of fitting and this script's --hold-out F scores
    only them, so thresholds chosen on dev can be checked on articles no model part of it has seen.
    """
    import random

    ordered = sorted(names)
    random.Random(HOLD_OUT_SEED).shuffle(ordered)
    return set(ordered[: round(len(ordered) * fraction)])


def load_split(split: str, directory: Path | None = None) -> list[Article]:
    """Return the articles of a PolNeAR compartment with their primary-annotator gold attributions."""
    directory = directory or eval_dir()
    articles: dict[str, Article] = {}
    with open(directory / "articles.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["compartment"] == split:
                articles[row["filename"]] = Article(row["filename"], row["text"])
    starts = {name: _word_starts(a.text) for name, a in articles.items()}
    with open(directory / "attributions_primary.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            article = articles.get(row["filename"])
            if article is None or row["compartment"] != split:
                continue
            content_spans = _parse_spans(row["content_spans"])
            content = _tokens_in(starts[article.name], content_spans)
            if not content:
                continue
            source = _tokens_in(starts[article.name], _parse_spans(row["source_spans"]))
            first = article.text[content_spans[0][0]:content_spans[0][1]].lstrip() if content_spans else ""
            article.gold.append(GoldAttribution(source, content, first.startswith(_QUOTE_START)))
    return list(articles.values())


@dataclass
class Tally:
    """Sums of precision and recall credits with their denominators."""

    p_credit: float = 0.0
    p_count: int = 0
    r_credit: float = 0.0
    r_count: int = 0

    def scores(self) -> tuple[float, float, float]:
        p = self.p_credit / self.p_count if self.p_count else 0.0
        r = self.r_credit / self.r_count if self.r_count else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def _strip_that(tokens: frozenset[int], words: list[str]) -> frozenset[int]:
    if tokens and words[min(tokens)].lower() == "that":
        return tokens - {min(tokens)}
    return tokens


def score_article(article: Article, predicted: list[Attribution], tallies: dict[str, Tally]) -> None:
    """Add one article's credits to tallies (keys: '<field>_<mode>[_direct|_indirect]')."""
    starts = _word_starts(article.text)
    words = [m.group() for m in _WORD_RE.finditer(article.text)]
    preds = []
    for a in predicted:
        content = _tokens_in(starts, [(a.content.start, a.content.end)])
        source = _tokens_in(starts, [(a.speaker.start, a.speaker.end)]) if a.speaker else frozenset()
        if content:
            preds.append((source, content, a.direct))
    gold = article.gold
    pairs: list[tuple[int, int]] = []
    if preds and gold:
        overlap = np.array([[len(p[1] & g.content) for g in gold] for p in preds], dtype=float)
        rows, cols = linear_sum_assignment(-overlap)
        pairs = [(r, c) for r, c in zip(rows, cols) if overlap[r, c] > 0]

    def kind_ok(kind: str, direct: bool) -> bool:
        return kind == "" or (kind == "_direct") == direct

    def tally(key: str) -> Tally:
        return tallies.setdefault(key, Tally())

    for kind in ("", "_direct", "_indirect"):
        for field_name, index in (("content", 1), ("speaker", 0)):
            pred_sets = [p[index] for p in preds if kind_ok(kind, p[2]) and p[index]]
            gold_sets = [(g.content if index else g.source) for g in gold if kind_ok(kind, g.direct)]
            gold_sets = [g for g in gold_sets if g]
            for mode in ("overlap", "soft", "exact"):
                t = tally(f"{field_name}_{mode}{kind}")
                t.p_count += sum(len(x) for x in pred_sets) if mode == "overlap" else len(pred_sets)
                t.r_count += sum(len(x) for x in gold_sets) if mode == "overlap" else len(gold_sets)
            # Citron: each span's tokens that any span of the other side covers, no pairing. A token
            # counts once per span even when two gold attributions share it ("X said A and warned B"),
            # so precision and recall stay at most 1.
            t = tally(f"{field_name}_citron{kind}")
            t.p_count += sum(len(x) for x in pred_sets)
            t.r_count += sum(len(x) for x in gold_sets)
            gold_tokens = set().union(*gold_sets)
            pred_tokens = set().union(*pred_sets)
            t.p_credit += sum(len(p & gold_tokens) for p in pred_sets)
            t.r_credit += sum(len(g & pred_tokens) for g in gold_sets)
        for r, c in pairs:
            p, g = preds[r], gold[c]
            for field_name, pt, gt in (("content", p[1], g.content), ("speaker", p[0], g.source)):
                if not pt or not gt:
                    continue
                inter = len(pt & gt)
                exact = float(_strip_that(pt, words) == _strip_that(gt, words))
                if kind_ok(kind, p[2]):
                    tallies[f"{field_name}_overlap{kind}"].p_credit += inter
                    tallies[f"{field_name}_soft{kind}"].p_credit += inter / len(pt)
                    tallies[f"{field_name}_exact{kind}"].p_credit += exact
                if kind_ok(kind, g.direct):
                    tallies[f"{field_name}_overlap{kind}"].r_credit += inter
                    tallies[f"{field_name}_soft{kind}"].r_credit += inter / len(gt)
                    tallies[f"{field_name}_exact{kind}"].r_credit += exact


def evaluate(articles: list[Article], scope: str = "polnear") -> dict[str, float]:
    """Return the figures (p/r/f1 per tally key, plus articles_per_second) for the given articles."""
    tallies: dict[str, Tally] = {}
    predictions = []
    began = time.perf_counter()
    for article in articles:
        predictions.append(extract_attributions(article.text, scope=scope))
    elapsed = time.perf_counter() - began
    for article, predicted in zip(articles, predictions):
        score_article(article, predicted, tallies)
    figures: dict[str, float] = {}
    for key, tally in sorted(tallies.items()):
        p, r, f = tally.scores()
        figures[f"{key}_p"], figures[f"{key}_r"], figures[f"{key}_f1"] = p, r, f
    figures["articles_per_second"] = len(articles) / elapsed if elapsed else float("inf")
    figures["n_articles"] = len(articles)
    figures["n_gold"] = sum(len(a.gold) for a in articles)
    figures["n_predicted"] = sum(len(p) for p in predictions)
    return figures


def encoders_installed() -> bool:
    """Return True when the contextual cue and role taggers (pipeline.extract.attribution.encoders) take part in the polnear scope."""
    from pipeline.extract.attribution import encoders

    return encoders.cue_tagger() is not None and encoders.role_tagger() is not None


def floor_key(split: str, scope: str) -> str:
    """Return the floors file's key for a split and scope, e.g. "dev", "dev_statements", "dev_without_encoders".

    The polnear scope uses the contextual taggers where they are installed (requirements.txt);
    where they are not, it is held to the floors of the rules and CRFs alone.
    """
    if scope != "polnear":
        return f"{split}_{scope}"
    return split if encoders_installed() else f"{split}_without_encoders"


def check_floors(figures: dict[str, float], split: str, path: Path | None = None) -> list[str]:
    """Return messages for every pinned floor of split (e.g. "dev", "dev_statements") the figures fall below."""
    floors = json.loads((path or FLOORS_PATH).read_text()).get(split, {})
    return [f"{key}: {figures.get(key, 0.0):.3f} < floor {floor:.3f}"
            for key, floor in floors.items() if figures.get(key, 0.0) < floor]


def _print_report(figures: dict[str, float], split: str, scope: str = "polnear") -> None:
    print(f"PolNeAR {split} (scope {scope}): {figures['n_articles']} articles, {figures['n_gold']} gold, "
          f"{figures['n_predicted']} predicted attributions")
    if scope == "polnear":
        print("models: rules, linear and CRF taggers" + (", contextual cue and role taggers (pipeline.extract.attribution.encoders)"
                                                         if encoders_installed() else " (no contextual taggers installed)"))
    print(f"{'':28}{'P':>7}{'R':>7}{'F1':>7}")
    for field_name in ("speaker", "content"):
        for mode in ("overlap", "soft", "exact", "citron"):
            for kind in ("", "_direct", "_indirect"):
                key = f"{field_name}_{mode}{kind}"
                label = f"{field_name} {mode} {kind.strip('_') or 'all'}"
                print(f"{label:28}{figures[key + '_p']:7.3f}{figures[key + '_r']:7.3f}{figures[key + '_f1']:7.3f}")
    print(f"extractor speed: {figures['articles_per_second']:.1f} articles/second")


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "dev"), default="dev")
    parser.add_argument("--scope", choices=("polnear", "statements"), default="polnear",
                        help="polnear: every PolNeAR-style attribution; statements: the product's cues only")
    parser.add_argument("--check", action="store_true", help="exit 1 when a figure is below its floor")
    parser.add_argument("--limit", type=int, default=0, help="score only the first N articles")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--hold-out", type=float, default=0.0, metavar="F",
                        help="score only the fraction F of the split that train_encoders --hold-out F left out")
    args = parser.parse_args(argv)
    directory = eval_dir()
    if not (directory / "articles.jsonl").exists():
        print(f"PolNeAR data not found at {directory}; skipping evaluation.")
        return 0
    articles = load_split(args.split, directory)
    if args.hold_out:
        kept = held_out_names([a.name for a in articles], args.hold_out)
        articles = [a for a in articles if a.name in kept]
    if args.limit:
        articles = articles[: args.limit]
    figures = evaluate(articles, args.scope)
    if args.json:
        print(json.dumps(figures, indent=2, sort_keys=True))
    else:
        _print_report(figures, args.split, args.scope)
    if args.check:
        failures = check_floors(figures, floor_key(args.split, args.scope))
        for failure in failures:
            print("BELOW FLOOR", failure, file=sys.stderr)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

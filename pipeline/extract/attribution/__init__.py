"""Who said what: attributions (speaker, cue, content) found in article text.

The modules read, in order: quotations (marks paired per paragraph), document (tokens, sentences,
the shared word classes), people (who is who: names, pronouns and role nouns), phrases (speaker noun
phrases), content (what a cue introduces), verbs (verb cues), forms ("according to", polls, colons,
signatures, nominal cues), sentences (one sentence's attributions, quotations continued),
tagging (the hand-off to the trained models: lexical_models, and the optional contextual encoders),
extractor (the whole run and the Attribution built for each find).
"""

from pipeline.extract.attribution.extractor import SCOPES, extract_attributions
from pipeline.models import Attribution

__all__ = ["SCOPES", "Attribution", "extract_attributions"]

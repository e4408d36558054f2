"""Export the role CRF's weights for the numpy tagger (pipeline.extract.attribution.role_crf).

    python -m pipeline.learn.export_role_crf

Reads pipeline/model_files/role_crf.crfsuite with python-crfsuite and writes role_crf_weights.npz
beside it: every attribute's weight per label, the label transitions, and the SHA-256 of the
crfsuite file (the extractor uses the weights only while they match it). Training runs this after
fitting the role tagger; run it by hand after replacing the model file. Reading crfsuite's dump
takes about a second, which is why the extractor does not do it on every start.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from pipeline.extract.attribution import lexical_models, role_crf


def export(crfsuite_path: Path = lexical_models.ROLE_MODEL_PATH, npz_path: Path = role_crf.WEIGHTS_PATH) -> int:
    """Write npz_path from the CRF at crfsuite_path; return the number of attributes."""
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    tagger.open(str(crfsuite_path))
    info = tagger.info()
    column = {label: role_crf.LABELS.index(label) for label in info.labels}
    attributes = sorted({attribute for attribute, _ in info.state_features})
    row = {attribute: k for k, attribute in enumerate(attributes)}
    state = np.zeros((len(attributes), len(role_crf.LABELS)))
    for (attribute, label), weight in info.state_features.items():
        state[row[attribute], column[label]] = weight
    transitions = np.zeros((len(role_crf.LABELS), len(role_crf.LABELS)))
    for (before, after), weight in info.transitions.items():
        transitions[column[before], column[after]] = weight
    role_crf.save_weights(npz_path, attributes, state, transitions, role_crf.file_sha256(crfsuite_path))
    return len(attributes)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    if not lexical_models.ROLE_MODEL_PATH.exists():
        print(f"no role tagger at {lexical_models.ROLE_MODEL_PATH}; nothing to export.")
        return 0
    count = export()
    print(f"wrote {role_crf.WEIGHTS_PATH} ({count} attributes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Train the noise line model (`checks/data/noise/line-model.yaml`) on the development half of
the Zyte and Dragnet page sets (see bench/evals/noise_lines.py for the sets, labels and split).

Training labels are stricter than the evaluation's: a line is *content* when its normalised
text occurs in the gold article body at any length (short headings and bylines included, so
the model learns to leave short authored lines alone), *furniture* when fewer than 20% of its
words do. A one-hidden-layer network (numpy, L2), features from `noise_model.line_features`; the
threshold is the lowest that keeps the model's own content flags on the dev half under
`--max-content` percent. Only weights and feature statistics are written: no page text.

Usage: python bench/train_noise_model.py [--max-content 0.4] [--out checks/data/noise/line-model.yaml]
"""

from __future__ import annotations

import argparse
import sys
from functools import cache
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "bench" / "evals")]

import noise_lines

from seedcheck.config import Config
from seedcheck.context import Context
from seedcheck.model import Document
from seedcheck.rules.detectors import noise, noise_model
from seedcheck.rules.detectors.layout import layout


@cache
def navigation_params() -> dict:
    """The parameters of `noise-navigation` as its rule file gives them."""
    path = ROOT / "checks" / "rules" / "noise" / "noise-navigation.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["params"]


def page_rows(page: dict, context: Context) -> tuple[list, list, list]:
    """Features, training labels (1 furniture, 0 content, None) and eval labels of a page's candidates."""
    doc = Document(doc_id=page["key"], path=page["key"], format="text", lines=page["lines"])
    lay = layout(doc)
    params = navigation_params()
    lexicon = noise.lexicon_claims(doc, params["claims"], context)
    idx = noise_model.candidates(lay)
    runs = noise.shape_runs(lay, {**params, "max_words": params["shape_max_words"]})
    feats = noise_model.line_features(lay, idx, lexicon, set(runs))
    body, body_words = page["body"], set(noise_lines.WORD.findall(page["body"].lower()))
    train, evals = [], []
    for i in idx:
        line = noise_lines.norm(lay.raw[i])
        words = noise_lines.WORD.findall(line.lower())
        if len(line) >= 2 and line in body:
            train.append(0)
        elif not words or sum(w in body_words for w in words) / len(words) < 0.2:
            train.append(1)
        else:
            train.append(None)
        evals.append(page["labels"][lay.numbers[i] - 1])
    return feats, train, evals


def fit(x: np.ndarray, y: np.ndarray, hidden: int = 8, l2: float = 1e-3, steps: int = 800, seed: int = 7) -> dict:
    """A one-hidden-layer tanh network, full-batch Adam on the log loss."""
    rng = np.random.default_rng(seed)
    params = {
        "w1": rng.normal(0, 1 / np.sqrt(x.shape[1]), (x.shape[1], hidden)),
        "b1": np.zeros(hidden),
        "w2": rng.normal(0, 1 / np.sqrt(hidden), hidden),
        "b2": np.zeros(1),
    }
    moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
    for t in range(1, steps + 1):
        h = np.tanh(x @ params["w1"] + params["b1"])
        p = 1 / (1 + np.exp(-np.clip(h @ params["w2"] + params["b2"], -30, 30)))
        d = (p - y) / len(y)
        dh = np.outer(d, params["w2"]) * (1 - h * h)
        grads = {
            "w2": h.T @ d + l2 * params["w2"],
            "b2": np.array([d.sum()]),
            "w1": x.T @ dh + l2 * params["w1"],
            "b1": dh.sum(axis=0),
        }
        for k, g in grads.items():
            m, v = moments[k]
            m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
            moments[k] = (m, v)
            params[k] = params[k] - 0.02 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return params


def predict(params: dict, x: np.ndarray) -> np.ndarray:
    """P(furniture) per row of standardised features."""
    z = np.tanh(x @ params["w1"] + params["b1"]) @ params["w2"] + params["b2"]
    return 1 / (1 + np.exp(-np.clip(z, -30, 30)))


def dev_rows(context: Context) -> tuple[list, list, list, int]:
    """Features, training labels and eval labels of the candidates of every dev page of
    both sets, and the number of dev content lines (the evaluation's labels)."""
    feats, train, evals, n_content = [], [], [], 0
    for bench in noise_lines.SETS.values():
        for page in noise_lines.load_pages(bench):
            if page["split"] == "dev":
                f, t, e = page_rows(page, context)
                feats += f
                train += t
                evals += e
                n_content += noise_lines.score([page], [set()])["content"]
    return feats, train, evals, n_content


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-content", type=float, default=0.4)
    parser.add_argument("--threshold", type=float, help="use this threshold instead of choosing one by --max-content")
    parser.add_argument("--hidden", type=int, default=8)
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--out", type=Path, default=ROOT / "checks" / "data" / "noise" / "line-model.yaml")
    args = parser.parse_args(argv)
    feats, train, evals, n_content = dev_rows(Context(Config(root=ROOT)))
    x_all = np.array(feats, dtype=float)
    mean, scale = x_all.mean(axis=0), x_all.std(axis=0)
    mean[0], scale[0] = 0.0, 1.0
    scale[scale == 0] = 1.0
    known = np.array([t is not None for t in train])
    y = np.array([t or 0 for t in train], dtype=float)[known]
    params = fit((x_all[known] - mean) / scale, y, hidden=args.hidden, steps=args.steps)
    p = predict(params, (x_all - mean) / scale)
    content = np.array([e == "content" for e in evals])
    boiler = np.array([e == "boilerplate" for e in evals])
    threshold = 0.99
    for th in np.arange(0.99, 0.5, -0.01):
        if (p[content] >= th).sum() / n_content * 100 > args.max_content:
            break
        threshold = float(th)
    if args.threshold is not None:
        threshold = args.threshold
    print(
        f"{len(y)} training lines; threshold {threshold:.2f}: content flags {(p[content] >= threshold).sum()} of "
        f"{n_content} dev content lines, furniture candidates flagged {(p[boiler] >= threshold).mean():.3f}"
    )
    for th in (0.99, 0.98, 0.97, 0.96, 0.95, 0.94, 0.92, 0.9):
        print(
            f"  at {th:.2f}: content flags {(p[content] >= th).sum()}, "
            f"boilerplate candidates flagged {(p[boiler] >= th).sum()} of {boiler.sum()}"
        )

    def r(a):
        return np.round(np.asarray(a, dtype=float), 4).tolist()

    model = {
        "threshold": round(threshold, 2),
        "features": list(noise_model.FEATURES),
        "mean": r(mean),
        "scale": r(scale),
        "w1": r(params["w1"]),
        "b1": r(params["b1"]),
        "w2": r(params["w2"]),
        "b2": round(float(params["b2"][0]), 4),
    }
    header = (
        "# Noise line model: a one-hidden-layer network over noise_model.FEATURES (standardised by\n"
        "# mean/scale). Written by bench/train_noise_model.py from the dev half of two public page\n"
        "# sets (weights only, no page text); do not edit by hand.\n"
    )
    args.out.write_text(
        header + yaml.safe_dump(model, sort_keys=False, default_flow_style=None, width=120), encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

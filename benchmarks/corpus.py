"""Generate market-news articles in English and French for benchmarks (not for accuracy).

Texts are assembled from templates and registry names, with random moves,
dates, quotes and boilerplate, so throughput is measured on text of the shape
the loader meets: several paragraphs, names, figures, attributions.
"""
from __future__ import annotations

import random
from pathlib import Path

from kg.loaders.reference import load_reference

EN = [
    "Shares of {a} closed down {p1}% on {day}, while {b} slipped {p2}% and {c} rose {p3}%.",
    "{a}, {b} and {c} fell {p1}%, {p2}% and {p3}%, respectively, as investors weighed the outlook for AI spending.",
    "\"The market is repricing the whole chain,\" said {person}, an analyst at {org}.",
    "The {index} lost {p2}% at the close, its worst day since March 2020.",
    "{a} said in a statement that demand for its products remained strong.",
    "{a} sells its chips to {b} and {c}, according to company filings.",
]
FR = [
    "L'action {a} a clôturé en baisse de {p1} % {jour}, tandis que {b} a cédé {p2} % et {c} a gagné {p3} %.",
    "{a}, {b} et {c} ont reculé respectivement de {p1} %, {p2} % et {p3} %.",
    "« Le marché revoit toute la chaîne de valeur », a déclaré {person}, analyste chez {org}.",
    "L'indice {index} a terminé en repli de {p2} %, sa pire séance depuis mars 2020.",
    "{a} a indiqué dans un communiqué que la demande restait solide.",
]
WIDGET = "NVDA 118.42 -16.97% | AMD 115.20 -6.37% | MU 90.12 -11.71%"


def _names(kind: str, rng: random.Random, pool: dict) -> str:
    return rng.choice(pool[kind])


def generate(directory: Path, n: int, seed: int = 11) -> list[Path]:
    rng = random.Random(seed)
    ents = load_reference().entities
    pool = {"company": [e.name for e in ents if e.type == "Company"],
            "org": [e.name for e in ents if e.type == "Organization"],
            "person": [e.name for e in ents if e.type == "Person"],
            "index": [e.name for e in ents if e.type == "MarketIndex"]}
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        fr = i % 2 == 1
        lines = [WIDGET, ""] if i % 5 == 0 else []
        for _ in range(rng.randint(6, 14)):
            tpl = rng.choice(FR if fr else EN)
            lines.append(tpl.format(
                a=_names("company", rng, pool), b=_names("company", rng, pool), c=_names("company", rng, pool),
                person=_names("person", rng, pool), org=_names("org", rng, pool), index=_names("index", rng, pool),
                p1=f"{rng.uniform(0.5, 20):.1f}".replace(".", "," if fr else "."),
                p2=f"{rng.uniform(0.1, 9):.1f}".replace(".", "," if fr else "."),
                p3=f"{rng.uniform(0.1, 5):.1f}".replace(".", "," if fr else "."),
                day=rng.choice(["Monday", "Tuesday", "Friday"]), jour=rng.choice(["lundi", "mardi", "hier"])))
            lines.append("")
        path = directory / f"gen-{i:05d}.md"
        path.write_text(f"---\npublished: 2025-01-{27 + i % 3:02d}\nlang: {'fr' if fr else 'en'}\n---\n"
                        + "\n".join(lines), encoding="utf-8")
        paths.append(path)
    return paths

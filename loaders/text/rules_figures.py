"""Company figures: revenue and headcount ("un chiffre d'affaires de 964,1 millions d'euros",
"employs about 30,000 people", "2 200 salariés")."""
from __future__ import annotations

import re

from kg.loaders.text.context import Context
from kg.loaders.text.rules_supply import _seller
from kg.loaders.text.segment import Sentence

REVENUE = re.compile(r"\b(chiffre d['’]affaires|revenues?|sales|ventes|turnover|recettes)\b", re.I)
STAFF = re.compile(r"^\s*(?:salariés|employés|collaborateurs|personnes|people|employees|staff|workers|"
                   r"emplois|jobs)\b", re.I)
STAFF_CUE = re.compile(r"\b(emploie|employs|compte|counts|has|a|effectifs?|workforce|headcount|staff of)\b", re.I)


def extract_figures(ctx: Context, sent: Sentence) -> None:
    if sent.headline:
        return
    quantities = ctx.quantities(sent)
    for cue in REVENUE.finditer(sent.text):
        at = sent.start + cue.end()
        money = [q for q in quantities if q.unit not in (None, "percent", "pp") and 0 <= q.start - at <= 60
                 and q.value >= 1e5]
        if not money:
            continue
        owner = _seller(ctx, sent, sent.start + cue.start())
        if owner is not None:
            q = money[0]
            ctx.add_fact(sent, "figures", ctx.use(owner), "revenue", value=q.value, unit=q.unit,
                         qualifier=q.qualifier, confidence=0.6)
    for q in quantities:
        if q.unit is not None or q.value < 10 or not STAFF.match(ctx.doc.text[q.end:q.end + 20]):
            continue
        if not STAFF_CUE.search(ctx.doc.text[max(sent.start, q.start - 40):q.start]):
            continue
        owner = _seller(ctx, sent, q.start)
        if owner is not None:
            ctx.add_fact(sent, "figures", ctx.use(owner), "employees", value=int(q.value), unit="count",
                         qualifier=q.qualifier, confidence=0.6)

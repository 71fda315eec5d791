"""The words that say which way a stock or index moved, and in which part of the session.

English and French market reports say "fell 3%", "a cédé 3 %", "3% lower", "en repli de 3 %",
"in early trading", "à la clôture". These tables and the two readers over them are kept apart
from the rules that tie a percentage to its company (kg.loaders.text.rules_moves and
moves_subjects), so adding a verb or a session cue is a change to a table, not to the rules.
"""
from __future__ import annotations

import re

from kg.loaders.text.quantities import Quantity

FALL = re.compile(r"\b(dévis\w*|fléchi\w*|affaiss\w*|pique du nez|nosediv\w*|gave up|gives up|surrender\w*|"
                  r"erod\w*|chut\w*|baiss\w*|recul\w*|gliss\w*|plong\w*|perd\w*|perdu|dégringol\w*|décroch\w*|"
                  r"c[èé]d\w*|abandonn\w*|effondr\w*|l[âa]ch\w*|tomb\w*|enfonc\w*|flanch\w*|fondu|repli\w*|"
                  r"fell|fall\w*|drop\w*|slid\w*|slip\w*|declin\w*|lost|los\w*|shed\w*|tumbl\w*|plung\w*|"
                  r"sank|sink\w*|slump\w*|tank\w*|crater\w*|retreat\w*|eased|dipp?\w*|down|lower|"
                  r"plummet\w*|sagg?\w*|skid\w*|collaps\w*|sell-?off|negative|en berne|dans le rouge)\b", re.I)
RISE = re.compile(r"\b(s.adjug\w*|adjug\w*|engrang\w*|apprécié\w*|popp\w*|rocket\w*|ticked up|"
                  r"repren\w*|regain\w*|recover\w*|récupér\w*|redress\w*|bondi\w*|bond\w*|grimp\w*|progress\w*|gagn\w*|augment\w*|hausse|s.envol\w*|envol\w*|"
                  r"rebond\w*|mont[éeé]\w*|avanc\w*|flamb\w*|pris|rose|rise\w*|rising|gain\w*|jump\w*|"
                  r"climb\w*|rall\w*|surg\w*|soar\w*|advanc\w*|up|higher|added|rebound\w*|spik\w*|leap\w*|"
                  r"edged up|firm\w*|positive|dans le vert)\b", re.I)
NOT_PRICE = re.compile(r"\b(revenu\w*|revenue\w*|sales|ventes|chiffre d.affaires|bénéfice\w*|profit\w*|"
                       r"earnings|margin\w*|marge\w*|market share|part\w* de marché|stake|participation|"
                       r"taux|rate\w*|inflation|croissance|growth|demand\w*|demande|production|"
                       r"dividend\w*|capex|investissement\w*|spending|dépenses|emploi\w*|jobs|"
                       r"effectif\w*|guidance|prévision\w*|forecast\w*|probabilit\w*|odds|chance\w*)\b", re.I)
SESSIONS = (
    ("premarket", re.compile(r"pre-?market|avant l.ouverture|en pré-?séance|before the (opening )?bell|"
                             r"pre-?open|avant-bourse|en avant-Bourse", re.I)),
    ("futures", re.compile(r"futures|contrats? à terme", re.I)),
    ("afterhours", re.compile(r"after-?hours|extended trading|après la clôture|after the bell|post-?market", re.I)),
    ("close", re.compile(r"\bclos\w*|at the close|\bended\b|\bfinish\w*|settl\w*|clôtur\w*|\bfini\b|"
                         r"fin de séance|en fin de journée|"
                         r"termin\w*|en clôture|à la clôture|(?<!earlier )(?<!later )in the session|sur la séance|"
                         r"for the day|on the day|sur la journée", re.I)),
    ("intraday", re.compile(r"early trad\w*|intraday|en séance|en cours de séance|at one point|"
                            r"as much as|jusqu.à|en début de séance|début de séance|earlier in the session|"
                            r"in morning trad\w*|midday|mid-?day|à la mi-séance|in afternoon trad\w*|"
                            r"in (early|late|morning|afternoon) (deals|trade)|lors de la séance|during the session|"
                            r"opening bell|at the open\b|after the open\b|à l['’]ouverture|dès l['’]ouverture|"
                            r"après l['’]ouverture|in the first (minutes|hour)|in late trading|en fin de séance|"
                            r"\b(?:by|at|as of|around) \d{1,2}(?::\d{2})?\s*a\.?m\b|\bvers \d{1,2} ?h ?\d{0,2}\b", re.I)),
)


AFTER_DIRECTION = re.compile(r"^\s*(?:,\s*(?:or|soit)\s[^,]{1,30},\s*|\([^)]{1,30}\)\s*)?(?:(?P<down>lower|down|in the red|plus bas|en baisse|dans le rouge|"
                             r"en recul|weaker|drop|decline|fall|loss|slide|plunge|slump|repli|baisse|chute|recul|"
                             r"dégringolade|plongeon|déclin)|(?P<up>higher|up|in the green|plus haut|en hausse|"
                             r"dans le vert|stronger|gain|rise|jump|rally|advance|rebound|hausse|progression|"
                             r"rebond|envolée|bond))\b", re.I)


def move_direction(text: str, q: Quantity, after: str = "") -> str | None:
    """`fell_by` or `rose_by`: a minus sign, a direction word right after the number, else the
    last verb before it; None when nothing says which way."""
    if q.value < 0:
        return "fell_by"
    m = AFTER_DIRECTION.match(after)
    if m:
        return "fell_by" if m.group("down") else "rose_by"
    if re.search(r"\boff\s*$", text):  # "Constellation Energy (CEG) off 6%"
        return "fell_by"
    hits = [(m.end(), "fell_by") for m in FALL.finditer(text)] + [(m.end(), "rose_by") for m in RISE.finditer(text)]
    return max(hits)[1] if hits else None


def move_session(before: str, after: str, q: Quantity, opening: str = "") -> str:
    """When the move happened (premarket, intraday, close...): the first cue after the number,
    in the clause before it, or in the sentence's opening; `unstated` rather than a guess."""
    clauses = re.split(r"(?:;|\band\b|\bet\b|\bbefore\b|\bavant de\b|\bthen\b|\bpuis\b)", before)
    local = clauses[-1]  # commas do not cut: "a terminé à 12'950,3 points, en repli de 0,9 %"
    for window in (after, local, opening):
        for name, cue in SESSIONS:
            if cue.search(window):
                return name
    if q.qualifier in ("as_much_as", "up_to"):
        return "intraday"
    return "unstated"  # no cue: say so rather than guess a close

"""Stock and index moves, and market-value changes, from market-report sentences.

Each percentage is tied to the nearest company or index on its left (or,
with "respectively", to the listed names in order); its direction comes from
the verb or sign before it, its session from cues around it (premarket, in
early trading, at the close, en séance, a clôturé), its date from the
sentence, paragraph or article. Numbers inside quotes, headlines and
non-price figures (revenue, market share, rates) are not moves.
"""
from __future__ import annotations

import re

from kg.loaders.text.context import ORG_TYPES, Context
from kg.loaders.text.gazetteer import Mention
from kg.loaders.text.quantities import Quantity
from kg.loaders.text.segment import Sentence

SUBJECT_TYPES = (*ORG_TYPES, "MarketIndex")
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
                         r"termin\w*|en clôture|à la clôture|in the session|sur la séance|"
                         r"for the day|on the day|sur la journée", re.I)),
    ("intraday", re.compile(r"early trad\w*|intraday|en séance|en cours de séance|at one point|"
                            r"as much as|jusqu.à|en début de séance|début de séance|earlier in the session|"
                            r"in morning trad\w*|midday|mid-?day|à la mi-séance|in afternoon trad\w*|"
                            r"in (early|late|morning|afternoon) (deals|trade)|lors de la séance|during the session|"
                            r"opening bell|at the open\b|after the open\b|à l['’]ouverture|dès l['’]ouverture|"
                            r"après l['’]ouverture|in the first (minutes|hour)|in late trading|en fin de séance", re.I)),
)
_RESPECTIVELY = re.compile(r"\b(respectively|respectivement|separately|individually|correspondingly)\b", re.I)
_QUOTE = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"")


def in_quotes(sent: Sentence) -> list[tuple[int, int]]:
    return [(sent.start + m.start(), sent.start + m.end()) for m in _QUOTE.finditer(sent.text)]


AFTER_DIRECTION = re.compile(r"^\s*(?:,\s*(?:or|soit)\s[^,]{1,30},\s*|\([^)]{1,30}\)\s*)?(?:(?P<down>lower|down|in the red|plus bas|en baisse|dans le rouge|"
                             r"en recul|weaker|drop|decline|fall|loss|slide|plunge|slump|repli|baisse|chute|recul|"
                             r"dégringolade|plongeon|déclin)|(?P<up>higher|up|in the green|plus haut|en hausse|"
                             r"dans le vert|stronger|gain|rise|jump|rally|advance|rebound|hausse|progression|"
                             r"rebond|envolée|bond))\b", re.I)


def _direction(text: str, q: Quantity, after: str = "") -> str | None:
    if q.value < 0:
        return "fell_by"
    m = AFTER_DIRECTION.match(after)
    if m:
        return "fell_by" if m.group("down") else "rose_by"
    hits = [(m.end(), "fell_by") for m in FALL.finditer(text)] + [(m.end(), "rose_by") for m in RISE.finditer(text)]
    return max(hits)[1] if hits else None


def _session(ctx: Context, before: str, after: str, q: Quantity, opening: str = "") -> str:
    clauses = re.split(r"(?:;|\band\b|\bet\b|\bbefore\b|\bavant de\b|\bthen\b|\bpuis\b)", before)
    local = clauses[-1]  # commas do not cut: "a terminé à 12'950,3 points, en repli de 0,9 %"
    for window in (after, local, opening):
        for name, cue in SESSIONS:
            if cue.search(window):
                return name
    if q.qualifier in ("as_much_as", "up_to"):
        return "intraday"
    return "unstated"  # no cue: say so rather than guess a close


_RELATIVE = re.compile(r"^\s*,?\s*(dont|qui|which|who|whose|that|, (a|an|the|un|une|le|la|l['’]))\b", re.I)
_STOCK_ANAPHORA = re.compile(r"\b(the chipmaker|the chip designer|the chip maker|the company|the group|"
                             r"the firm|le groupe|la société|le fabricant|le fondeur|le spécialiste|le concepteur|"
                             r"l['’]entreprise|le constructeur|l['’]équipementier|the index|l['’]indice|the benchmark|the gauge|the stock|the shares|its shares|its stock|their shares|le titre|"
                             r"l['’]action|ses actions|son action|son titre|leurs actions|the company['’]s shares|"
                             r"son cours|its share price|the group['’]s shares)\b", re.I)


_NAME_BEFORE_VERB = re.compile(
    r"(?:^|[\s,;(])(?:(?:shares|stock) (?:of|in) |(?:les )?actions? (?:de |d['’])|le titre (?:de |d['’])?)?"
    r"(?P<name>(?:[A-ZÀ-Ý][\w&.’'/\-]*[\w&]|[A-Z]{2,})(?:\s+(?:[A-ZÀ-Ý][\w&.’'/\-]*[\w&]|&|[A-Z]{2,})){0,3}"
    r"(?:\s\d{2,4})?)"
    r"(?:\s*\([^)]{1,24}\))?(?:['’]s)?\s+(?:shares\s+|stock\s+)?(?:a |ont |has |have |was |were |had |also |"
    r"encore |aussi )*$")
_NOT_NAMES = set("""the le la les un une des ce cette ces shares stocks stock investors markets market semiconductor chip
chips tech european asian american french german japanese chinese monday tuesday wednesday thursday friday
lundi mardi mercredi jeudi vendredi january february march april may june july august september october
november december janvier février mars avril mai juin juillet août septembre octobre novembre décembre wall
street bourse paris london tokyo europe asia in en at à au meanwhile pendant ailleurs elsewhere but mais and et
its their son sa ses leur it il elle they ils he she index indice sector secteur bitcoin ether ethereum gold
silver oil brent crude wti copper dollar euro yen yuan sterling pound treasuries treasury yields yield bonds
bond or argent pétrole baril cuivre livre obligations taux crypto cryptos""".split())


_NAME = (r"(?:[A-ZÀ-Ý][\w&.’'/\-]*[\w&]|[A-Z]{2,})(?:\s+(?:[A-ZÀ-Ý][\w&.’'/\-]*[\w&]|&|[A-Z]{2,}))"
         r"{0,3}(?:\s\d{2,4}\b)?")
_NAME_APPOSITION = re.compile(rf"(?:(?<![\w’'])(?<=^)|(?<=[.;:,]\s)|\b(?:et|and|while|tandis que|mais|but)\s+|"
                              rf"\b(?:[Ss]hares|[Ss]tock) (?:in|of) |\b(?:[Ll]es )?actions? (?:de |d['’]))"
                              rf"(?P<name>{_NAME})\s*,")
_INDEX_NAME = re.compile(r"\b(index|indice|composite|average|\d{2,4})\b", re.I)
_NAME_ELLIPSIS = re.compile(rf"^\s*(?:,|et|and|;)\s+(?P<name>{_NAME})\s+(?:de|by|of|d['’])?\s*$")


def _unknown_subject(ctx: Context, sent: Sentence, floor: int, q: Quantity) -> Mention | None:
    """A company the registry does not know, named right before its move ("Melexis a cédé 5,6 %"),
    before an apposition ("Melexis, le spécialiste ..., a terminé en baisse de 5,6 %"), or with
    the verb left out ("UCB a progressé de 1,8 % et Ahold Delhaize de 1,2 %")."""
    text = ctx.doc.text[floor:q.start]
    verb = list(FALL.finditer(text)) + list(RISE.finditer(text))
    m = _NAME_ELLIPSIS.match(text) if floor > sent.start else None
    if m is None and verb:
        head = text[:min(verb, key=lambda v: v.start()).start()]
        m = _NAME_BEFORE_VERB.search(head)
        if m is None:
            found = [x for i in range(len(head)) for x in [_NAME_APPOSITION.match(head, i)] if x]
            m = found[-1] if found else None
    if not m:
        return None
    name = m.group("name")
    words = name.split()
    if all(w.lower().strip("’'") in _NOT_NAMES for w in words) or words[0].lower() in _NOT_NAMES and len(words) == 1:
        return None
    while words and words[0].lower() in _NOT_NAMES:
        words = words[1:]
    name = " ".join(words)
    if not name[:1].isalpha() or not name[:1].isupper():
        return None
    start = floor + m.start("name") + m.group("name").find(name)
    if not name or ctx.mentions_in(start, start + len(name)):
        return None
    return ctx.new_entity(name, "MarketIndex" if _INDEX_NAME.search(name) else "Company", 0.55, start)


def _ellipsis(ctx: Context, floor: int, q: Quantity) -> bool:
    return bool(_NAME_ELLIPSIS.match(ctx.doc.text[floor:q.start]))


def _opening(ctx: Context, sent: Sentence) -> str:
    """Sentence-initial adverbials ("Ce mardi matin, en début de séance, ...") set the scene
    for every clause: the text before the first name, when it ends with a comma."""
    first = ctx.mentions_in(sent.start, sent.end)
    head = sent.text[:(first[0].start - sent.start) if first else 0]
    bare = re.sub(r"(?:\b(?:le|la|les|the)\s*|\bl['’])\s*$", "", head, flags=re.I).rstrip()
    return head if bare.endswith(",") and len(head) <= 90 else ""


def _pronoun_subject(text: str) -> bool:
    """'..., it sank 9.5%' / 'il a cédé 2 %': a pronoun right before the move's verb."""
    verbs = list(FALL.finditer(text)) + list(RISE.finditer(text))
    if not verbs:
        return False
    head = text[:min(verbs, key=lambda v: v.start()).start()]
    return bool(re.search(r"(?:^|[,;]\s*|\b(?:and|et|but|mais)\s+)(?:it|il|elle|they|ils)\s+"
                          r"(?:also\s+|then\s+|a\s+|ont\s+|has\s+|had\s+|aussi\s+)*$", head, re.I))


def _tradable(ctx: Context, m: Mention) -> bool:
    """Unlisted labs (DeepSeek, OpenAI) make news but have no share price to move."""
    ent = ctx.gazetteer.entities.get(m.entity)
    return ent is None or ent.properties.get("listed", True) is not False


def subject_of(ctx: Context, sent: Sentence, q: Quantity, floor: int) -> Mention | None:
    found = [m for m in ctx.mentions_in(floor, q.start, SUBJECT_TYPES) if _tradable(ctx, m)]
    if not found:
        unknown = _unknown_subject(ctx, sent, floor, q)
        if unknown is None and _pronoun_subject(ctx.doc.text[floor:q.start]):
            return ctx.last_move_subject
        if unknown is None and _STOCK_ANAPHORA.search(ctx.doc.text[floor:q.start]):
            head = ctx.doc.text[floor:q.start]
            index = re.search(r"index|indice|benchmark|gauge", head, re.I)
            firm = re.search(r"company|group|firm|chip|groupe|société|fabricant|fondeur|spécialiste|"
                             r"concepteur|entreprise|constructeur|équipementier", head, re.I)
            types = ("MarketIndex",) if index else ORG_TYPES if firm else SUBJECT_TYPES
            last = ctx.last_move_subject
            if last is not None and last.type in types:
                return last
            return ctx.last_of_type(sent.start, types)
        return unknown
    nearest = found[-1]
    for outer in found[:-1]:
        opener = _RELATIVE.match(ctx.doc.text[outer.end:nearest.start])
        if opener:
            close = ctx.doc.text.find(",", outer.end + opener.end(), q.start)
            if close != -1 and close >= nearest.end:
                return outer  # "Broadcom, dont les puces ... de Google, a chuté de 17 %"
    return nearest


def _percents(ctx: Context, sent: Sentence) -> list[Quantity]:
    quoted = in_quotes(sent)
    return [q for q in ctx.quantities(sent) if q.unit == "percent"
            and not any(a <= q.start < b for a, b in quoted) and abs(q.value) <= 100]


def _emit(ctx: Context, sent: Sentence, subject: Mention, q: Quantity, pred: str, session: str,
          rule: str = "moves", near: tuple[int, int] | None = None) -> None:
    ent = ctx.use(subject)
    ctx.last_move_subject = subject
    date = ctx.fact_date(sent, near=near or (q.start, q.end))
    qualifier = "as_much_as" if q.qualifier == "up_to" else q.qualifier  # "jusqu'à 9 %" is a peak
    ctx.add_fact(sent, rule, ent, pred, ctx.event(date), value=abs(q.value), unit="percent",
                 qualifier=qualifier, date=date, session=session,
                 confidence=0.85 if subject.method != "new" else 0.6)


_JOIN = re.compile(r"^\s*(?:,|et|and|,\s*et|,\s*and|;)\s*(?:de\s+|d['’]|of\s+|by\s+)?$", re.I)


def _runs(ctx: Context, percents: list[Quantity]) -> list[list[Quantity]]:
    """Percentages that follow each other in a list ("6,4 %, 5,1 % et 12,5 %")."""
    runs: list[list[Quantity]] = []
    for q in percents:
        if runs and _JOIN.match(ctx.doc.text[runs[-1][-1].end:q.start]):
            runs[-1].append(q)
        else:
            runs.append([q])
    return runs


def _respectively(ctx: Context, sent: Sentence, percents: list[Quantity]) -> list[Quantity]:
    """Emit the moves of a 'respectively' list; return the percentages left for the other rules."""
    cue = _RESPECTIVELY.search(sent.text)
    if not cue:
        return _parallel(ctx, sent, percents)
    at = sent.start + cue.start()
    for run in _runs(ctx, percents):
        near_before = 0 <= run[0].start - (sent.start + cue.end()) <= 6
        near_after = 0 <= at - run[-1].end <= 4
        if len(run) < 2 or not (near_before or near_after):
            continue
        floor = max([q.end for q in percents if q.end <= run[0].start], default=sent.start)
        names = list({m.entity: m for m in ctx.mentions_in(floor, run[0].start, SUBJECT_TYPES)
                      if _tradable(ctx, m)}.values())
        if len(names) < len(run):
            names = _listed_names(ctx, floor, run[0].start) or names
        if len(names) < len(run):
            continue
        names = names[-len(run):]
        text = ctx.doc.text[names[-1].end:run[0].start]
        after = ctx.doc.text[run[-1].end:sent.end]
        pred = _direction(text, run[0], re.sub(r"^[\s,]*(respectively|respectivement)", "", after)) or "fell_by"
        done = list(run)
        for m, q in zip(names, run):
            _emit(ctx, sent, m, q, "fell_by" if q.value < 0 else pred,
                  _session(ctx, text, after, q), "moves-respectively", (run[0].start, run[-1].end))
        for other in _runs(ctx, percents):
            if other is not run and len(other) == len(run) and other[0].start > run[-1].end:
                lead = ctx.doc.text[max(run[-1].end, other[0].start - 40):other[0].start]
                pred2 = _direction(lead, other[0], ctx.doc.text[other[-1].end:sent.end]) or pred
                for m, q in zip(names, other):  # "..., après des baisses de 8,6 %, 4,9 % et 8,3 % lundi"
                    _emit(ctx, sent, m, q, pred2, _session(ctx, lead, "", q), "moves-respectively",
                          (other[0].start, other[-1].end))
                done.extend(other)
        return [q for q in percents if q not in done]
    return percents


def _parallel(ctx: Context, sent: Sentence, percents: list[Quantity]) -> list[Quantity]:
    """'Micron and AMD fell 11% and 6%': as many names in one list as numbers in the next."""
    for run in _runs(ctx, percents):
        if len(run) < 2:
            continue
        floor = max([q.end for q in percents if q.end <= run[0].start], default=sent.start)
        names = [m for m in ctx.mentions_in(floor, run[0].start, SUBJECT_TYPES) if _tradable(ctx, m)]
        if len(names) != len(run) or len({m.entity for m in names}) != len(names):
            continue
        gaps = [ctx.doc.text[a.end:b.start] for a, b in zip(names, names[1:])]
        if not all(re.fullmatch(r"\s*(?:,|and|et|,\s*and|,\s*et)\s*", g) for g in gaps):
            continue
        text = ctx.doc.text[names[-1].end:run[0].start]
        pred = _direction(text, run[0], ctx.doc.text[run[-1].end:sent.end])
        if pred is None:
            continue
        for m, q in zip(names, run):
            _emit(ctx, sent, m, q, "fell_by" if q.value < 0 else pred, _session(ctx, text, "", q),
                  "moves-parallel", (run[0].start, run[-1].end))
        return [q for q in percents if q not in run]
    return percents


_LIST = re.compile(rf"(?P<list>{_NAME}(?:\s*,\s*{_NAME})*\s*,?\s+(?:and|et)\s+{_NAME})")


def _listed_names(ctx: Context, start: int, end: int) -> list[Mention]:
    """'Goodman Group and Macquarie Technology Group dropped ...': the names of a list, known or new."""
    text = ctx.doc.text[start:end]
    found = list(_LIST.finditer(text))
    if not found:
        return []
    lst = found[-1]
    out = []
    for part in re.finditer(rf"{_NAME}", lst.group("list")):
        if part.group(0) in ("and", "et"):
            continue
        at = start + lst.start("list") + part.start()
        known = [m for m in ctx.mentions_in(at, at + len(part.group(0)), SUBJECT_TYPES)]
        out.append(known[0] if known else ctx.new_entity(
            part.group(0), "MarketIndex" if _INDEX_NAME.search(part.group(0)) else "Company", 0.55, at))
    return out


def extract_moves(ctx: Context, sent: Sentence) -> None:
    if sent.headline:
        return
    percents = _respectively(ctx, sent, _percents(ctx, sent))
    if not percents:
        return
    floor, last_subject, last_pred = sent.start, None, None
    for i, q in enumerate(percents):
        subject = subject_of(ctx, sent, q, floor) or last_subject
        start = subject.end if subject and subject.end > floor else floor
        between = ctx.doc.text[start:q.start]
        if subject is None or NOT_PRICE.search(between):
            floor = q.end
            continue
        nxt = percents[i + 1].start if i + 1 < len(percents) else sent.end
        raw_after = ctx.doc.text[q.end:nxt]
        after = re.split(r"[,;]\s+(?:et |and |while |tandis |alors |mais |but )?(?=\S)|\b(?:before|avant de|then|puis)\b",
                         raw_after)[0]
        inherits = subject is last_subject or _ellipsis(ctx, floor, q)
        pred = _direction(between, q, raw_after) or (last_pred if inherits else None)
        if pred is None:
            floor = q.end
            continue
        _emit(ctx, sent, subject, q, pred, _session(ctx, between, after, q, _opening(ctx, sent)))
        floor, last_subject, last_pred = q.end, subject, pred

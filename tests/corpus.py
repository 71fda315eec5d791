"""Article corpora made in a test's tmp_path, and how to compare two built graph directories.

The articles are the 18 fixture articles (tests/fixtures/articles, with their sidecars); a
corpus of n articles cycles through them, each copy under its own name with a line of its own
appended, so every article has its own bytes (its own cache key) and extraction does real work.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from helpers import FIXTURES

ARTICLES = FIXTURES / "articles"
SUFFIXES = (".txt", ".md", ".html")


def fixture_articles() -> list[Path]:
    return sorted(p for p in ARTICLES.iterdir() if p.suffix in SUFFIXES and p.name != "README.md")


def _sidecar(article: Path) -> Path | None:
    side = article.with_name(article.stem + ".meta.yaml")
    return side if side.is_file() else None


def write_corpus(dst: Path, n: int, start: int = 0) -> list[Path]:
    """Articles number start .. start+n-1 in `dst` (made if needed); their paths."""
    dst.mkdir(parents=True, exist_ok=True)
    sources = fixture_articles()
    out = []
    for i in range(start, start + n):
        src = sources[i % len(sources)]
        name = f"n{i:03d}-{src.stem}"
        note = (f"\n<!-- copy {i} -->\n" if src.suffix == ".html" else
                f"\n\nThis is copy {i} of the story.\n")
        target = dst / f"{name}{src.suffix}"
        target.write_bytes(src.read_bytes() + note.encode())
        side = _sidecar(src)
        if side is not None:
            shutil.copyfile(side, dst / f"{name}.meta.yaml")
        out.append(target)
    return out


def graph_files(graph_dir: Path) -> dict[str, bytes]:
    """Every file of a built graph, by relative path: the extraction cache left out (it is a
    cache beside the graph, not part of it)."""
    return {str(p.relative_to(graph_dir)): p.read_bytes() for p in sorted(graph_dir.rglob("*"))
            if p.is_file() and ".cache" not in p.relative_to(graph_dir).parts}

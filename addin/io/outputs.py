"""Where the documents go and how a batch of them is written (SPEC §3.10, §5).

* the output folder: 设置「输出文件夹」(a folder inside the workbook's folder — never outside it,
  ``--out`` is the way to write elsewhere) or ``<book folder>/kpi4s-输出``, then
  ``<YYYY-MM>/<评估表|警告信>``;
* file names: :func:`safe_name` components, made unique per folder;
* :func:`run_jobs`: a batch of ``(render, path, payload)`` jobs, here or on a process pool;
* a batch is all or nothing: documents are rendered into a staging folder beside their place
  and moved there only when every one succeeded, the index last (:class:`Staging`);
* the month's index CSV (UTF-8 with BOM so Excel reads the Chinese; formula-looking cells
  neutralised) names the workbook that wrote it; a re-run removes only the files its own
  previous index lists and this run did not write again (:func:`previous_index`, :func:`prune`)
  — another workbook's files in a shared folder are never touched;
* :func:`template_dir`: the folder of the document templates (``workbook/``).

This layer knows nothing of what a document says: renderers are passed in as functions.
"""
from __future__ import annotations

import csv
import importlib.util
import os
import re
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path, PureWindowsPath
from typing import Any, Sequence

from udfs.parse import text_of

from .problems import BookError, Problem
from .procs import die_with_parent
from .save import WriteError, atomic_save, cause, temp_prefix
from .schema import OUTPUT_KEY, SETTINGS
from .text import clean_text

OUTPUT_ROOT = "kpi4s-输出"
FORMS_DIR = "评估表"
LETTERS_DIR = "警告信"
INDEX_NAME = "{month}_索引.csv"
FILE_COLUMN = "文件"           # the index's column naming each document
BOOK_COLUMN = "工作簿"         # … and the one naming the workbook that wrote it
DOC_SUFFIXES = (".xlsx", ".docx", ".pdf", ".csv")      # what pruning may remove (this month's only)
PARALLEL_MIN = 150          # documents in a batch before a process pool pays for its start-up

Job = tuple  # (render(path, payload) -> path, path, payload); payload: a context or a list of them

_BAD_FILE_CHARS = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|]+')
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


# --------------------------------------------------------------------------- names and folders
def safe_name(value: Any, limit: int = 40) -> str:
    """A file-name component: no path separators, control or reserved characters; never empty."""
    s = _BAD_FILE_CHARS.sub("_", clean_text(text_of(value)))
    s = re.sub(r"\s+", " ", s).strip(" ._")[:limit].strip(" ._")
    return s or "未命名"


def unique_name(name: str, seen: set) -> str:
    """``name``, or ``stem_2.ext``, ``stem_3.ext``… if already taken (case-insensitive); records it."""
    stem, suffix = os.path.splitext(name)
    cand, k = name, 2
    while cand.lower() in seen:
        cand, k = f"{stem}_{k}{suffix}", k + 1
    seen.add(cand.lower())
    return cand


def output_dir(book, month: str, kind: str) -> Path:
    """设置「输出文件夹」(relative to the book's folder, and inside it) or ``kpi4s-输出``, then
    ``<month>/<kind>``. Without a book file (values handed over in memory): the current folder.

    A 输出文件夹 that leads outside the book's folder (an absolute path, ``..``, a link
    pointing elsewhere) raises BookError naming the setting: a workbook never writes outside
    its own folder unless the command line's ``--out`` says so."""
    path = getattr(book, "path", None)
    base = Path(path).resolve().parent if path else Path.cwd()
    custom = text_of((getattr(book, "settings", None) or {}).get(OUTPUT_KEY))
    if not custom:
        return base / OUTPUT_ROOT / month / kind
    folder = (base / custom).resolve()
    outside = Path(custom).is_absolute() or PureWindowsPath(custom).is_absolute() or PureWindowsPath(custom).drive \
        or not folder.is_relative_to(base)
    if outside:
        row = book.setting_row(OUTPUT_KEY) if hasattr(book, "setting_row") else None
        raise BookError([Problem(SETTINGS, row, "值", f"{OUTPUT_KEY}「{custom}」不在工作簿所在的文件夹（{base}）之内；"
                                                      "kpi4s 只在工作簿所在的文件夹中写文件，请改为其中的子文件夹，"
                                                      "或在命令行用 --out 指定输出位置")])
    return folder / month / kind


def template_dir(name: str = "appraisal_form.xlsx") -> Path:
    """The folder holding the document template ``name``: the repository's ``workbook/`` or the
    installed ``workbook`` package."""
    here = Path(__file__).resolve().parents[2] / "workbook"
    if (here / name).exists():
        return here
    spec = importlib.util.find_spec("workbook")
    for loc in (spec.submodule_search_locations or []) if spec else []:
        if (Path(loc) / name).exists():
            return Path(loc)
    raise FileNotFoundError(f"找不到模板文件 {name}（workbook 文件夹）")


# --------------------------------------------------------------------------- the batch
def _weight(job: Job) -> int:
    payload = job[2]
    return len(payload) if isinstance(payload, list) else 1


def run_jobs(jobs: Sequence[Job], workers: int | None = None) -> list[Path]:
    """Run ``render(path, payload)`` for every job → the paths written, in job order.

    Small batches run here; from :data:`PARALLEL_MIN` documents on (and with more than one
    worker) they run on a process pool, in balanced chunks. ``render`` must be a module-level
    function (it is pickled by name); each process prepares its templates once.
    """
    jobs = list(jobs)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers > 1 and len(jobs) > 1 and sum(map(_weight, jobs)) >= PARALLEL_MIN:
        chunks = _balance(jobs, workers * 4)
        out: dict = {}
        with ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
            for chunk, paths in zip(chunks, pool.map(_run_chunk, [[j for _, j in c] for c in chunks])):
                out.update(zip((i for i, _ in chunk), paths))
        return [out[i] for i in range(len(jobs))]
    return _run_chunk(jobs)


def _balance(jobs: list, n: int) -> list[list]:
    """Jobs (with their index) in at most n bins of about equal weight, heaviest first."""
    order = sorted(range(len(jobs)), key=lambda i: -_weight(jobs[i]))
    bins: list = [[] for _ in range(min(n, len(jobs)))]
    load = [0] * len(bins)
    for i in order:
        b = load.index(min(load))
        bins[b].append((i, jobs[i]))
        load[b] += _weight(jobs[i])
    return [b for b in bins if b]


def _run_chunk(jobs: list) -> list[Path]:
    return [Path(render(path, payload)) for render, path, payload in jobs]


# --------------------------------------------------------------------------- index and pruning
def csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet shows as text: '=1+1' → "'=1+1" (plain numbers stay numbers)."""
    s = "" if value is None else clean_text(str(value))
    if s.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(s):
        return "'" + s
    return s


def write_index(path, header: Sequence[str], rows: Sequence[Sequence]) -> Path:
    """The month's index of documents: CSV, UTF-8 with BOM, written atomically."""
    def save(tmp):
        with open(tmp, "w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh)
            w.writerow([csv_cell(h) for h in header])
            w.writerows([csv_cell(v) for v in row] for row in rows)
    return atomic_save(save, path)


def index_path(folder: Path, month: str) -> Path:
    return Path(folder) / INDEX_NAME.format(month=month)


def previous_index(folder: Path, month: str, book: str) -> tuple[list[str], str | None]:
    """What the month's index in ``folder`` says: (files it lists for ``book``, the name of
    another workbook that wrote it, or None). An index from before the 工作簿 column counts
    as this book's; an unreadable index lists nothing."""
    path = index_path(folder, month)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error):
        return [], None
    owners = {(r.get(BOOK_COLUMN) or "").strip() for r in rows} - {""}
    other = next(iter(sorted(owners - {book})), None)
    files = [(r.get(FILE_COLUMN) or "").strip() for r in rows if (r.get(BOOK_COLUMN) or "").strip() in ("", book)]
    return [f for f in dict.fromkeys(files) if f and f == safe_file(f)], other


def safe_file(name: str) -> str:
    """A bare file name (an index cell naming ``../x`` or a folder names nothing we may delete)."""
    return "" if not name or name != Path(name).name or name in (".", "..") else name


def prune(folder: Path, listed, keep: set) -> list[Path]:
    """Remove the documents ``listed`` (file names from this book's previous index) that this
    run did not write again (``keep``: resolved paths), with their PDF copies — and the PDF
    copies this run did not make again. Other files are never touched."""
    removed = []
    folder = Path(folder)
    for name in listed:
        doc = folder / name
        for f in (doc, doc.with_suffix(".pdf")):
            if f.suffix.lower() in DOC_SUFFIXES and f.is_file() and not f.is_symlink() and f.resolve() not in keep:
                f.unlink()
                removed.append(f)
    return removed


class Staging:
    """A batch rendered beside its folder and put in place only when all of it succeeded.

    ``path(name)`` is where a job writes; :meth:`commit` moves every file to the folder (a
    rename each: no disk space needed); leaving the block without committing removes the
    staging folder, so a full disk or a failing document leaves the old set as it was."""

    def __init__(self, folder: Path, owner: str):
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.dir = Path(tempfile.mkdtemp(prefix=f"{temp_prefix(Path(owner))}staging-", dir=str(self.folder)))
        except OSError as exc:
            raise WriteError(self.folder, f"无法在此文件夹中写入：{cause(exc)}") from None

    def path(self, name: str) -> Path:
        return self.dir / name

    def commit(self, names) -> list[Path]:
        out = []
        try:
            for name in names:
                os.replace(self.dir / name, self.folder / name)
                out.append(self.folder / name)
        except OSError as exc:
            raise WriteError(self.folder / name, f"无法放入输出文件夹：{cause(exc)}") from None
        return out

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.dir, ignore_errors=True)


__all__ = ["OUTPUT_ROOT", "FORMS_DIR", "LETTERS_DIR", "INDEX_NAME", "PARALLEL_MIN", "BOOK_COLUMN", "FILE_COLUMN",
           "safe_name", "unique_name", "output_dir", "template_dir", "run_jobs", "csv_cell", "write_index", "index_path",
           "previous_index", "prune", "Staging"]

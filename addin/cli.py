"""The `kpi4s` command: the same macros as the Excel buttons, headless.

Exit codes: 0 done; 2 the input has problems (listed on stderr, nothing written); 3 a tool
the command needs is missing (LibreOffice for --pdf); 130 interrupted.
"""
from __future__ import annotations

import argparse
import logging
import sys

from addin import __version__
from addin.io.problems import BookError

log = logging.getLogger("kpi4s")


def _functions(_args) -> int:
    import udfs
    for name in udfs.__all__:
        doc = (getattr(udfs, name).__doc__ or "").strip().splitlines()
        print(f"{name:<14} {doc[0] if doc else ''}")
    return 0


def _report(args) -> int:
    from addin import macros
    run = macros.monthly_report(args.book, month=args.month, out_dir=args.out)
    if not args.quiet:
        print(run.summary)
        print(f"已写入 {run.paths[0]}")
    return 0


def _check(args) -> int:
    from addin import macros
    print(macros.check(args.book, month=args.month).summary)
    return 0


def _decompose(args) -> int:
    from addin import macros
    print(macros.decompose_targets(args.book, args.year, args.date).summary)
    return 0


def _documents(kind: str):
    """评估表 / 警告信: exit 3 (with what was written) when LibreOffice is needed for --pdf and missing."""
    def run(args) -> int:
        from addin import documents
        try:
            if kind == "forms":
                r = documents.appraisal_forms(args.book, month=args.month, out_dir=args.out, by=args.by, pdf=args.pdf)
            else:
                r = documents.warning_letters(args.book, month=args.month, out_dir=args.out, pdf=args.pdf)
        except RuntimeError as exc:
            if getattr(exc, "run", None) is not None:
                print(exc.run.summary)
            print(str(exc), file=sys.stderr)
            return 3
        print(r.summary)
        return 0
    return run


def _dms(args) -> int:
    from addin import macros
    run = macros.dms_import(args.book, args.exports, month=args.month, override=args.override, out_dir=args.out)
    if not args.quiet:
        print(run.summary)
    return 0


def _demo(args) -> int:
    from addin import demo                  # imported when run: the other commands start faster
    return demo.cli_demo(args)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kpi4s", description="kpi4s 绩效管理 — 4S店售后绩效考核 (Excel add-in, headless)")
    p.add_argument("--version", action="version", version=f"kpi4s {__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0, help="log progress (-v) and details (-vv) to stderr")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("functions", help="list the Excel worksheet functions")
    s.set_defaults(run=_functions)

    s = sub.add_parser("report", help="月度报告: score, grade, pay, actions and the report sheets")
    s.add_argument("book")
    s.add_argument("--month", help="YYYY-MM (default: the 设置 sheet's month)")
    s.add_argument("--out", help="write the result to this folder instead of updating BOOK")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(run=_report)

    s = sub.add_parser("check", help="validate the store workbook without writing anything")
    s.add_argument("book")
    s.add_argument("--month")
    s.set_defaults(run=_check)

    s = sub.add_parser("demo", help="write a sample store workbook and run the month end to end")
    s.add_argument("dir", nargs="?", default="kpi4s-demo")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(run=_demo)

    s = sub.add_parser("forms", help="评估表: the month's appraisal forms")
    s.add_argument("book")
    s.add_argument("--month")
    s.add_argument("--out")
    s.add_argument("--by", choices=["department", "employee"], default="department")
    s.add_argument("--pdf", action="store_true", help="also convert to PDF with LibreOffice")
    s.set_defaults(run=_documents("forms"))

    s = sub.add_parser("letters", help="警告信: warning letters and improvement plans for the month's actions")
    s.add_argument("book")
    s.add_argument("--month")
    s.add_argument("--out")
    s.add_argument("--pdf", action="store_true", help="also convert to PDF with LibreOffice")
    s.set_defaults(run=_documents("letters"))

    s = sub.add_parser("dms", help="导入DMS: KPI actuals computed from the DMS exports (repair orders, clocking, parts …)")
    s.add_argument("book")
    s.add_argument("exports", nargs="+", metavar="EXPORT", help=".csv/.xlsx/.xls export files, or folders of them")
    s.add_argument("--month", help="YYYY-MM or YYYY-MM:YYYY-MM (default: the 设置 sheet's month)")
    s.add_argument("--override", action="store_true", help="DMS figures win over actuals entered by hand in 月度实绩")
    s.add_argument("--out", help="write the result to this folder instead of updating BOOK")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(run=_dms)

    s = sub.add_parser("decompose", help="目标分解: fill the target sheets from the annual targets")
    s.add_argument("book")
    s.add_argument("--year", type=int)
    s.add_argument("--date", help="进度 as of this date (YYYY-MM-DD; default today)")
    s.set_defaults(run=_decompose)
    return p


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=(logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)],
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    try:
        return int(args.run(args) or 0)
    except BookError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""The `kpi4s` command: the same macros as the Excel buttons, headless.

Exit codes: 0 done; 2 the input has problems (listed on stderr, nothing written); 3 a tool
the command needs is missing (LibreOffice for --pdf); 4 the results could not be written
(another run holds the workbook, read-only file or folder, disk full, the book changed
meanwhile — the old files are unchanged); 1 an unexpected error (one line, details with -vv);
130 interrupted.
"""
from __future__ import annotations

import argparse
import logging
import sys

from addin import __version__
from addin.io.problems import BookError
from addin.io.save import WriteError, cause

log = logging.getLogger("kpi4s")


def _functions(_args) -> int:
    import udfs
    for name in udfs.__all__:
        doc = (getattr(udfs, name).__doc__ or "").strip().splitlines()
        print(f"{name:<14} {doc[0] if doc else ''}")
    return 0


def _report(args) -> int:
    from addin import macros
    override = None
    if getattr(args, "override", False):
        from addin.cycle.runs import who
        override = who(args.by, args.reason, need_reason=True)
    run = macros.monthly_report(args.book, month=args.month, out_dir=args.out, override=override)
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


def _cycle(kind: str):
    """The appraisal cycle (SPEC §9): goals, approve, payroll, appeals, year."""
    def run(args) -> int:
        from addin import macros
        from addin.cycle import appeals, approval, goals, payroll, year
        try:
            if kind == "goals":
                r = goals.goal_forms(args.book, month=args.month, out_dir=args.out, by=args.by, pdf=args.pdf)
            elif kind == "approve":
                if args.show:
                    print(approval.status_text(args.book, month=args.month))
                    return 0
                r = approval.approve(args.book, month=args.month, by=args.by, reject=args.reject, step=args.step,
                                     note=args.note or "")
            elif kind == "payroll":
                r = payroll.payroll(args.book, month=args.month, out_dir=args.out)
            elif kind == "appeals":
                if not args.apply:
                    print(appeals.register_text(args.book))
                    return 0
                r = macros.apply_appeals(args.book, args.by)
            else:
                r = year.year_end(args.book, year=args.year, out_dir=args.out, issue_date=args.date, pdf=args.pdf)
        except RuntimeError as exc:               # LibreOffice missing for --pdf: the files stand
            if getattr(exc, "run", None) is not None:
                print(exc.run.summary)
            print(str(exc), file=sys.stderr)
            return 3
        print(r.summary)
        return 0
    return run


def _group(args) -> int:
    """集团汇总: on a terminal a progress bar and a line per store (stderr); the summary on stdout."""
    from addin import macros
    from addin.render.text import store_line
    bar = None
    if not args.quiet and sys.stderr.isatty():
        import shutil

        from tqdm import tqdm
        size = shutil.get_terminal_size((100, 20))          # a terminal that reports no size (0 × 0): 100 × 20
        bar = tqdm(total=0, desc="读取门店", unit="店", file=sys.stderr, ncols=size.columns or 100,
                   nrows=size.lines or 20)

    def start(n: int) -> None:
        if bar is not None:
            bar.reset(total=n)

    def done(store) -> None:
        log.info("%s", store_line(store))
        if bar is not None:
            bar.write(store_line(store), file=sys.stderr)
            bar.set_postfix_str(store.store, refresh=False)
            bar.update(1)

    try:
        run = macros.group_report(args.stores, out=args.out, month=args.month, run=args.run_stores or None,
                                  archive=args.archive, workers=args.workers, on_done=done, on_start=start,
                                  full=args.full)
    finally:
        if bar is not None:
            bar.close()
    if not args.quiet:
        print(run.summary)
    return 0


def _demo(args) -> int:
    from addin import demo                  # imported when run: the other commands start faster
    return demo.cli_demo(args)


def _excel_install(args) -> int:
    from addin import excel_setup
    try:
        lines = excel_setup.install(args.xlstart, args.config, args.python)
    except RuntimeError as exc:
        print(str(exc), file=sys.stderr)
        return 3
    print("\n".join(lines))
    return 0


def _excel_doctor(args) -> int:
    from addin import excel_setup
    checks = excel_setup.doctor(args.xlstart, args.config)
    print("\n".join(c.line() for c in checks))
    missing = [c for c in checks if c.required and not c.ok]
    print(f"\n缺少 {len(missing)} 项，请按提示处理（多数可由 kpi4s excel install 完成）。" if missing else "\nExcel 环境完整。")
    return 3 if missing else 0


def _add_excel_commands(sub) -> None:
    s = sub.add_parser("excel", help="Excel desktop set-up: install the add-ins, check the set-up")
    ex = s.add_subparsers(dest="excel_command", metavar="install|doctor", required=True)
    for name, run, text in (("install", _excel_install, "install xlwings.xlam and kpi4s.xlam, write xlwings.conf"),
                            ("doctor", _excel_doctor, "print what the Excel set-up is missing")):
        e = ex.add_parser(name, help=text)
        e.add_argument("--xlstart", help="Excel's start-up folder (default: the user's XLSTART)")
        e.add_argument("--config", help="xlwings.conf to write/read (default: xlwings' user settings file)")
        if name == "install":
            e.add_argument("--python", help="the Python Excel should run (default: this one)")
        e.set_defaults(run=run)


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
    s.add_argument("--override", action="store_true",
                   help="recompute a month already in review (needs --by and --reason; recorded in 审批记录)")
    s.add_argument("--by", help="who overrides (with --override)")
    s.add_argument("--reason", help="why (with --override)")
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

    s = sub.add_parser("goals", help="目标设定表: the month's goal sheets (default: the month after 设置's month)")
    s.add_argument("book")
    s.add_argument("--month", help="the month goals are set for (YYYY-MM)")
    s.add_argument("--out")
    s.add_argument("--by", choices=["department", "employee"], default="department")
    s.add_argument("--pdf", action="store_true", help="also convert to PDF with LibreOffice")
    s.set_defaults(run=_cycle("goals"))

    s = sub.add_parser("approve", help="审批: move the month one step 草稿 → 部门确认 → 人力资源审核 → 总经理批准")
    s.add_argument("book")
    s.add_argument("--month")
    s.add_argument("--by", help="who approves (recorded in 审批记录)")
    s.add_argument("--step", help="the step expected next (部门确认 / 人力资源审核 / 总经理批准); refused if out of order")
    s.add_argument("--reject", action="store_true", help="退回: send the month back to 草稿")
    s.add_argument("--note", help="a remark for 审批记录")
    s.add_argument("--show", action="store_true", help="print the month's status and events, write nothing")
    s.set_defaults(run=_cycle("approve"))

    s = sub.add_parser("payroll", help="工资接口: the payroll hand-off of an approved month (.xlsx + .csv)")
    s.add_argument("book")
    s.add_argument("--month")
    s.add_argument("--out")
    s.set_defaults(run=_cycle("payroll"))

    s = sub.add_parser("appeals", help="员工申述: the appeals register; --apply re-runs months with accepted appeals")
    s.add_argument("book")
    s.add_argument("--apply", action="store_true")
    s.add_argument("--by", help="who applies them (recorded as the override of months in review)")
    s.set_defaults(run=_cycle("appeals"))

    s = sub.add_parser("year", help="年终资料: annual grades, awards, raises within the pool, 调薪通知书, GM summary")
    s.add_argument("book")
    s.add_argument("--year", type=int)
    s.add_argument("--out", help="folder for the letters")
    s.add_argument("--date", help="the letters' issue date (YYYY-MM-DD; default 设置「签发日期」, else today)")
    s.add_argument("--pdf", action="store_true", help="also convert the letters to PDF with LibreOffice")
    s.set_defaults(run=_cycle("year"))

    s = sub.add_parser("group", help="集团汇总: many store workbooks → one group workbook and the archive")
    s.add_argument("stores", nargs="*", metavar="STORE_BOOK_OR_FOLDER",
                   help="store workbooks and/or folders of them (default: the group workbook's 设置「门店工作簿」)")
    s.add_argument("--month", help="YYYY-MM (default: the group workbook's 设置, else the month most stores name)")
    s.add_argument("--out", help="the group workbook to write (default: ./kpi4s-集团汇总.xlsx; created if missing)")
    s.add_argument("--run", dest="run_stores", action="store_true",
                   help="run each store's 月度报告 first (writes the store workbooks)")
    s.add_argument("--archive", help="archive database: a file, or postgresql://… (default: beside the group workbook)")
    s.add_argument("--workers", type=int, help="processes reading the stores (default: one per core)")
    s.add_argument("--full", action="store_true",
                   help="read every store workbook again, even those unchanged since their month was archived")
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(run=_group)

    s = sub.add_parser("decompose", help="目标分解: fill the target sheets from the annual targets")
    s.add_argument("book")
    s.add_argument("--year", type=int)
    s.add_argument("--date", help="进度 as of this date (YYYY-MM-DD; default today)")
    s.set_defaults(run=_decompose)

    _add_excel_commands(sub)
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
    except WriteError as exc:
        print(str(exc), file=sys.stderr)
        return 4
    except BookError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except MemoryError:
        print("内存不足，未写入任何内容；请关闭其他程序后重试，或把历史数据移到另一个工作簿。", file=sys.stderr)
        return 1
    except OSError as exc:
        log.debug("unexpected OS error", exc_info=True)
        print(f"文件操作失败，未写入任何内容：{cause(exc)}（{exc.filename or ''}）", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - the one place nothing may pass as a traceback
        log.debug("unexpected error", exc_info=True)
        print(f"kpi4s 内部错误，未写入任何内容（{type(exc).__name__}）；用 kpi4s -vv 重新运行可看到详情，"
              "请把它发给维护人员。", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

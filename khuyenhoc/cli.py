"""The ``khuyenhoc`` command: parses arguments and calls the package."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from khuyenhoc import __version__
from khuyenhoc.errors import DataValidationError, KhuyenhocError, UsageError
from khuyenhoc.i18n import DEFAULT_LANG, LANGS, indicator_label, level_name, text

SHAPES = ("auto", "three-tier", "two-tier")  # khuyenhoc.sample.SHAPES, named here so --help does not import pandas

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _default_data() -> Path:
    from khuyenhoc.paths import SAMPLE_DATA

    return SAMPLE_DATA


def _print_validation_error(error: DataValidationError, lang: str, verbose: bool = False) -> None:
    from khuyenhoc.cli_report import validation_report

    source = error.problems["file"].iloc[0] if len(error.problems) else ""
    print(validation_report(source, problems=error.problems, lang=lang, verbose=verbose), file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    from khuyenhoc.cli_report import validation_report
    from khuyenhoc.table import load_table

    table = load_table(args.path, sheet=args.sheet, lang=args.lang, lineage=args.lineage)
    if len(table.warnings):
        print(validation_report(table.source, warnings=table.warnings, lang=args.lang, verbose=args.verbose))
    units = table.frame["unit_id"].nunique()
    print(text("valid", args.lang, rows=len(table.frame), units=units, years=", ".join(map(str, table.years))))
    if table.lineage is not None:
        print(text("valid.lineage", args.lang, rows=len(table.lineage.links), source=table.lineage.source))
    else:
        _print_reform_without_lineage(table, args.lang)
    _print_checks(table, args.lang)
    return EXIT_OK


def _print_reform_without_lineage(table, lang: str) -> None:
    """Years of a reorganisation without a lineage table: what the reports will compare, and how to give the lineage
    when some unit cannot be compared without it (the reports' own rule: ``reform_of``)."""
    from khuyenhoc.paths import lineage_path
    from khuyenhoc.reports.reform import ended_levels, reform_of

    for year, levels in ended_levels(table).items():
        reform = reform_of(table, year)
        if reform is None:
            continue
        said = text("valid.no_lineage", lang, year=year, previous=year - 1, levels=", ".join(level_name(level, lang) for level in sorted(levels)))
        if reform.needs_lineage:
            said += " " + text("valid.no_lineage_how", lang, beside=lineage_path(table.source).name)
        print(said)


SHOWN_CHECKS = 10  # figures to check printed by validate; `khuyenhoc run` lists them all in a file


def _print_checks(table, lang: str) -> None:
    """The figures that moved implausibly from the year before (data checks, not errors): their count and the first
    ``SHOWN_CHECKS``; the rest counted, with the file ``khuyenhoc run`` lists them in."""
    from khuyenhoc.findings import table_checks
    from khuyenhoc.formatting import format_number
    from khuyenhoc.reports.formatted import check_message
    from khuyenhoc.runner.checks import CHECKS_FILE

    checks = table_checks(table)
    if not checks:
        return
    print(text("checks.found_inline", lang, count=format_number(len(checks), 0, lang)))
    for check in checks[:SHOWN_CHECKS]:
        print(f"  {check_message(check, lang)}")
    if len(checks) > SHOWN_CHECKS:
        print(text("checks.more", lang, count=format_number(len(checks) - SHOWN_CHECKS, 0, lang), file=CHECKS_FILE[lang]))


def cmd_indicators(args: argparse.Namespace) -> int:
    from khuyenhoc.cli_report import indicator_rows, indicator_table
    from khuyenhoc.excel_export import csv_text, export_excel, indicator_sheet
    from khuyenhoc.indicators import SCOPE_ALL, compute, reported, to_json
    from khuyenhoc.table import load_table

    if args.format == "xlsx" and not args.out:
        raise UsageError(text("cli.xlsx_needs_out", args.lang))
    if args.out:
        _refuse_existing([Path(args.out)], args.force, args.lang)
    table = load_table(args.data or _default_data(), sheet=args.sheet, lang=args.lang, lineage=args.lineage)
    scope = args.unit or SCOPE_ALL
    values = compute(table, args.year, scope, lang=args.lang)
    if args.format == "json":
        document = to_json(args.year, scope, values)
        document["scope_type"] = "all" if scope == SCOPE_ALL else "area" if table.tree.has_children(scope, args.year) else "unit"
        document["illustrative"] = table.illustrative
        document["synthetic"] = table.synthetic
        _emit(json.dumps(document, ensure_ascii=False, indent=2) + "\n", args)
    elif args.format == "csv":  # with a byte-order mark: Excel opens it with the diacritics intact
        _emit(csv_text(indicator_rows(values, args.lang)), args)
    elif args.format == "xlsx":
        path = export_excel(indicator_sheet(values, args.lang), args.out, sheet_name=str(args.year))
        print(text("indicators.written", args.lang, path=path))
    else:
        names = table.unit_names
        if scope == SCOPE_ALL:
            scope_label = text("scope.all", args.lang)
        else:
            kind = "scope.area" if table.tree.has_children(scope, args.year) else "scope.unit"
            scope_label = text(kind, args.lang, name=names.get(scope, scope), unit_id=scope)
        print(text("indicators.title", args.lang, year=args.year, scope=scope_label))
        for note in table.notes(args.lang):
            print(note)
        print(indicator_table(reported(values), args.lang))  # a table for reading: no rows of "—" for groups not in the data
    return EXIT_OK


def _emit(content: str, args: argparse.Namespace) -> None:
    """Print ``content``, or write it to ``--out`` (UTF-8, whole or not at all)."""
    if args.out:
        from khuyenhoc.fsutil import atomic_write_text

        print(text("indicators.written", args.lang, path=atomic_write_text(args.out, content)))
    else:
        print(content, end="")


def cmd_targets(args: argparse.Namespace) -> int:
    from khuyenhoc.indicators import SCOPE_ALL
    from khuyenhoc.reports.target_text import format_target
    from khuyenhoc.targets import targets_in_use

    chain: list[str | None] = [None]
    scope_label = text("scope.all", args.lang)
    table = None
    if args.unit or args.data:
        from khuyenhoc.table import load_table

        table = load_table(args.data or _default_data(), sheet=args.sheet, lang=args.lang, lineage=args.lineage)
    if args.unit:
        from khuyenhoc.targets import scope_chain

        if not table.tree.exists(args.unit, args.year):
            raise KhuyenhocError(text("error.no_unit", args.lang, unit=args.unit, year=args.year))
        chain = scope_chain(table, args.unit, args.year) if args.unit != SCOPE_ALL else [None]
        scope_label = text("scope.unit", args.lang, name=table.unit_names.get(args.unit, args.unit), unit_id=args.unit)
    targets = targets_in_use(args.targets, args.lang, table.unit_names if args.data else None)  # unit ids checked against given data
    if targets.warnings:
        import pandas as pd

        from khuyenhoc.errors import PROBLEM_COLUMNS
        from khuyenhoc.cli_report import validation_report

        print(validation_report(str(args.targets), warnings=pd.DataFrame(list(targets.warnings), columns=PROBLEM_COLUMNS), lang=args.lang))
    in_force = targets.in_force(args.year, chain)
    print(text("targets.title", args.lang, year=args.year, scope=scope_label))
    if not in_force:
        print(text("targets.none", args.lang, year=args.year))
    for indicator, target in in_force.items():
        whose = target.unit_id or text("targets.national", args.lang)
        print(f"{indicator_label(indicator, args.lang)}: {text('targets.value_by', args.lang, value=format_target(target.value, args.lang), year=target.year)}"
              f" — {whose} — {target.source}")
    return EXIT_OK


def _refuse_existing(paths: Sequence[Path], force: bool, lang: str) -> None:
    """Refuse to replace a file that is already there (a filled-in workbook, say) unless ``--force``."""
    for path in paths:
        if os.path.isdir(path):  # not a file to replace, with or without --force
            raise KhuyenhocError(text("error.is_folder", lang, path=path))
        if not force and os.path.lexists(path):
            raise KhuyenhocError(text("error.exists", lang, path=path))


def cmd_template(args: argparse.Namespace) -> int:
    from khuyenhoc.input_template import write_template

    if args.units_from:
        return _unit_workbooks(args)
    if args.path is None or args.year is not None or args.out or args.area:
        raise UsageError(text("cli.template_usage", args.lang))
    if Path(args.path).suffix.lower() != ".xlsx":
        raise UsageError(text("error.template_suffix", args.lang))
    _refuse_existing([Path(args.path)], args.force, args.lang)
    print(text("template.written", args.lang, path=write_template(args.path, args.lang)))
    return EXIT_OK


def _unit_workbooks(args: argparse.Namespace) -> int:
    """``template --units-from DATA --year Y --out DIR``: a pre-filled workbook per unit."""
    from khuyenhoc.commune_workbooks import write_unit_workbooks

    if args.path is not None:
        raise UsageError(text("cli.template_both", args.lang, path=args.path))
    if args.year is None or not args.out:
        raise UsageError(text("cli.template_needs", args.lang))
    written = write_unit_workbooks(args.units_from, args.year, args.out, area=args.area, force=args.force, lang=args.lang)
    print(text("workbooks.written", args.lang, count=len(written.paths), year=written.year, folder=args.out, source_year=written.source_year))
    return EXIT_OK


def cmd_collect(args: argparse.Namespace) -> int:
    from khuyenhoc.collect import collect
    from khuyenhoc.collect_report import Outputs, detail_lines, totals_lines, write_collection

    if Path(args.out).suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError(text("cli.collect_out", args.lang))
    if args.area and not args.expect:
        raise UsageError(text("cli.collect_area", args.lang))
    outputs = Outputs.beside(args.out)
    collection = collect(args.inputs, expect=args.expect, area=args.area, exclude={outputs.merged, outputs.tracking}, lang=args.lang)
    feedback = write_collection(collection, outputs, force=args.force, lang=args.lang)
    print("\n".join(totals_lines(collection, args.lang)))
    details = detail_lines(collection, args.lang)
    if details:
        print("\n".join(details))
    if collection.merged is not None:
        print(text("collect.written", args.lang, path=outputs.merged, rows=len(collection.merged), files=len(collection.merged_files)))
    else:
        print(text("collect.nothing_merged", args.lang, path=outputs.merged))
    print(text("collect.summary_written", args.lang, path=outputs.tracking))
    if feedback:
        print(text("collect.feedback_written", args.lang, folder=outputs.feedback_dir))
    return EXIT_OK if collection.complete else EXIT_FAILED


def _redeliver_interrupts(unraisable) -> None:
    """An interrupt that landed inside a callback Python cannot raise from (a garbage-collector hook of dask,
    say) would be lost and the run would not stop: deliver it to the main thread again instead of printing it."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        import _thread

        _thread.interrupt_main()
        return
    sys.__unraisablehook__(unraisable)


def _interrupt(signum: int, _frame: object) -> None:
    from khuyenhoc.runner.lifeline import wind_down_deadline

    wind_down_deadline()  # the run winds down like Ctrl-C, and ends within the grace period even if a worker hangs
    raise KeyboardInterrupt


def cmd_run(args: argparse.Namespace) -> int:
    import time

    from rich.console import Console

    from khuyenhoc.runner import RunOptions, run_batch
    from khuyenhoc.runner.console import RichProgress, closing_report

    if args.jobs is not None and args.jobs < 1:
        raise UsageError(text("cli.jobs", args.lang))
    if not args.cell_timeout >= 0:  # negative or NaN
        raise UsageError(text("cli.cell_timeout", args.lang))
    _check_text_options({"--org": args.org, "--place": args.place}, args.lang)
    if args.scheduler:
        from khuyenhoc.runner.cluster import check_address

        check_address(args.scheduler, args.lang)
    options = RunOptions(data=Path(args.data) if args.data else _default_data(), out_dir=Path(args.out), years=args.years or None,
                         units=False if args.units is None else args.units, areas=args.areas or None, lang=args.lang, force=args.force,
                         notebooks_dir=Path(args.notebooks) if args.notebooks else None,
                         scheduler=args.scheduler, sheet=args.sheet, targets=Path(args.targets) if args.targets else None,
                         lineage=Path(args.lineage) if args.lineage else None,
                         org=args.org, place=args.place,
                         cell_timeout=args.cell_timeout if 0 < args.cell_timeout < float("inf") else None)  # 0 = no limit
    if args.jobs:
        options.jobs = args.jobs
    console = Console(stderr=False, highlight=False)
    from khuyenhoc.runner import lifeline

    lifeline.farewell = text("run.interrupted", args.lang)
    sys.unraisablehook = _redeliver_interrupts
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # a stopped run (or a closed terminal) winds down like Ctrl-C
        signal.signal(signum, _interrupt)
    started = time.perf_counter()
    outcome = run_batch(options, progress=RichProgress(console, args.lang))
    closing_report(console, outcome, args.out, time.perf_counter() - started, args.lang)
    return outcome.exit_code


OPTION_TEXT_LIMIT = 1000  # characters of --org or --place: the Word report carries them whole (its properties cut at 255)


def _check_text_options(options: dict[str, str | None], lang: str) -> None:
    """Refuse, before anything runs, an option text a report cannot carry: control characters, or absurd length."""
    from khuyenhoc.safetext import control_characters

    for option, value in options.items():
        if value is None:
            continue
        if control_characters(value):
            raise UsageError(text("cli.option_control", lang, option=option, chars=", ".join(control_characters(value))))
        if len(value) > OPTION_TEXT_LIMIT:
            raise UsageError(text("cli.option_too_long", lang, option=option, length=len(value), limit=OPTION_TEXT_LIMIT))


def _year_range(value: str) -> range:
    """'2005-2024' or '2013' → the years, inclusive."""
    first, _, last = value.partition("-")
    try:
        start, end = int(first), int(last or first)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YEAR or FIRST-LAST, got {value!r}") from None
    if end < start:
        raise argparse.ArgumentTypeError(f"the last year comes before the first: {value!r}")
    return range(start, end + 1)


def cmd_sample(args: argparse.Namespace) -> int:
    from khuyenhoc.paths import lineage_path
    from khuyenhoc.sample import SYNTHETIC_ORIGIN, synthetic_lineage, synthetic_table, write_sample_files
    from khuyenhoc.table import origin_path

    if args.units < 1:
        raise UsageError("--units must be at least 1")
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError("the synthetic table is written as CSV or XLSX: give a path ending in .csv or .xlsx")
    lineage = synthetic_lineage(args.units, args.years, shape=args.shape)
    beside = [lineage_path(out)] if len(lineage) and out.suffix.lower() == ".csv" else []
    _refuse_existing([out, origin_path(out), *beside], args.force, args.lang)
    frame = synthetic_table(args.units, args.years, seed=args.seed, shape=args.shape)
    origin = dict(SYNTHETIC_ORIGIN, units=args.units, years=[args.years.start, args.years.stop - 1], seed=args.seed, shape=args.shape)
    path = write_sample_files(out, frame, origin, lineage)
    print(text("sample.written", args.lang, path=path, rows=len(frame)))
    for written in beside:
        print(text("sample.lineage_written", args.lang, path=written, rows=len(lineage)))
    return EXIT_OK


def shared_options() -> dict[str, argparse.ArgumentParser]:
    """The options several commands share, each written once (argparse parent parsers): ``lang``; ``sheet`` and
    ``lineage`` of a data file; ``data`` (the bundled sample by default) with its sheet."""

    def parent() -> argparse.ArgumentParser:
        return argparse.ArgumentParser(add_help=False)

    lang, sheet, lineage, data = parent(), parent(), parent(), parent()
    lang.add_argument("--lang", choices=sorted(LANGS), default=DEFAULT_LANG, help="language of the output (default: vi)")
    data.add_argument("--data", help="CSV or XLSX file (default: the bundled illustrative sample)")
    for holder in (data, sheet):  # the sheet of --data, or of a file named otherwise (validate's path, targets' --data)
        holder.add_argument("--sheet", help="sheet name (XLSX; default: the first sheet)")
    lineage.add_argument("--lineage", metavar="FILE",
                         help="lineage table (CSV or XLSX: Năm, Mã đơn vị cũ, Mã đơn vị mới, Tỷ lệ): changes compare each unit and area with "
                              "its predecessors (default: the data workbook's sheet 'Kế thừa', else NAME-ke-thua.csv beside the data, if any)")
    return {"lang": lang, "sheet": sheet, "lineage": lineage, "data": data}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="khuyenhoc", description="Analytics for Hội Khuyến học yearly reports.")
    parser.add_argument("--version", action="version", version=f"khuyenhoc {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    shared = shared_options()
    lang, sheet, lineage, data = shared["lang"], shared["sheet"], shared["lineage"], shared["data"]

    validate = commands.add_parser("validate", help="check a data file against the input contract", parents=[sheet, lineage, lang])
    validate.add_argument("path", help="CSV or XLSX file")
    validate.add_argument("--verbose", action="store_true", help="show each problem's rule id too (e.g. [fractional])")
    validate.set_defaults(handler=cmd_validate)

    indicators = commands.add_parser("indicators", help="print the indicators of a year", parents=[data, lineage, lang])
    indicators.add_argument("--year", type=int, required=True)
    indicators.add_argument("--unit", help="a unit_id: an area (its own row and every unit below it that year) or one unit's own row; default: the whole file")
    indicators.add_argument("--format", choices=["table", "csv", "json", "xlsx"], default="table",
                            help="table (default), csv (UTF-8 with a byte-order mark, for Excel), json, or xlsx (needs --out)")
    indicators.add_argument("--out", metavar="FILE", help="write to FILE instead of printing (csv, json, xlsx)")
    indicators.add_argument("--force", action="store_true", help="replace --out if it exists")
    indicators.set_defaults(handler=cmd_indicators)

    targets = commands.add_parser("targets", help="print the learning-society targets in force for a year (and a unit's scope)",
                                  parents=[sheet, lineage, lang])
    targets.add_argument("--year", type=int, required=True)
    targets.add_argument("--unit", help="a unit_id: its own plan, then its parents', then the national figure apply")
    targets.add_argument("--targets", metavar="FILE", help="a targets CSV (own plans) over the national targets of Quyết định 387/QĐ-TTg")
    targets.add_argument("--data", help="CSV or XLSX file, to know the unit's parents (default: the bundled sample)")
    targets.set_defaults(handler=cmd_targets)

    template = commands.add_parser("template", help="write an empty input workbook (XLSX) for commune staff, or a pre-filled one per unit",
                                   parents=[lang])
    template.add_argument("path", nargs="?", help="where to write the empty .xlsx template")
    template.add_argument("--units-from", metavar="DATA", help="a validated data file: write one pre-filled workbook per unit into --out")
    template.add_argument("--year", type=int, help="with --units-from: the year to collect (units of that year, else of the latest year before it)")
    template.add_argument("--out", metavar="DIR", help="with --units-from: the folder for the workbooks (<unit_id>.xlsx)")
    template.add_argument("--area", metavar="ID", help="with --units-from: only this area and every unit below it")
    template.add_argument("--force", action="store_true", help="replace files that exist")
    template.set_defaults(handler=cmd_template)

    collect = commands.add_parser("collect", help="merge the workbooks units sent back: check each, merge the valid ones, write feedback for the rest",
                                  parents=[lang])
    collect.add_argument("inputs", nargs="+", metavar="DIR|FILE", help="folders (their files, not sub-folders) and files (XLSX or CSV)")
    collect.add_argument("--out", required=True, metavar="FILE",
                         help="the merged table: merged.csv or merged.xlsx (the tracking CSV and feedback folder go beside it)")
    collect.add_argument("--expect", metavar="DATA", help="a data file: name the units of the year (as template --units-from makes them) that sent no file")
    collect.add_argument("--area", metavar="ID", help="with --expect: expect only this area and every unit below it")
    collect.add_argument("--force", action="store_true", help="replace the merged table, the tracking CSV and feedback notes if they exist")
    collect.set_defaults(handler=cmd_collect)

    sample = commands.add_parser("sample", help="write a synthetic national-scale table (for trying scale and benchmarks)", parents=[lang])
    sample.add_argument("--units", type=int, required=True, help="commune-level units")
    sample.add_argument("--years", type=_year_range, required=True, metavar="FIRST-LAST", help="for example 2005-2024")
    sample.add_argument("--out", required=True, help="CSV or XLSX file to write (an origin record marks it synthetic); crossing the reform, "
                                                     "the lineage of its mergers goes beside a CSV (NAME-ke-thua.csv) or on the sheet 'Kế thừa'")
    sample.add_argument("--seed", type=int, default=0, help="random seed (default 0); the same seed gives the same table")
    sample.add_argument("--shape", choices=SHAPES, default="auto",
                        help="three-tier (province, district, commune), two-tier (province, commune), or auto (default): "
                             "three tiers before 2025 and two from 2025, districts dissolved and a few communes merged across it")
    sample.add_argument("--force", action="store_true", help="replace the CSV and its origin record if they exist")
    sample.set_defaults(handler=cmd_sample)

    run = commands.add_parser("run", help="run the yearly notebooks and publish HTML reports", parents=[data, lineage, lang])
    run.add_argument("--targets", metavar="FILE",
                     help="targets file (indicator, year, value, source[, unit_id]) over the national targets of QĐ 387/QĐ-TTg")
    run.add_argument("--org", help="the association issuing the Word reports, e.g. 'Hội Khuyến học tỉnh An Hòa' (default: each area's name)")
    run.add_argument("--place", help="where the Word reports are signed, e.g. 'An Hòa' (default: the origin record's place or the area's name)")
    run.add_argument("--years", type=int, nargs="+", metavar="Y",
                     help="years of the yearly reports (default: every year in the data); the trend always covers every year")
    run.add_argument("--units", nargs="*", metavar="ID",
                     help="also run unit profiles: of every commune and year, or only of the communes named")
    run.add_argument("--areas", nargs="*", metavar="ID",
                     help="area reports (every unit with units below it) to run: all by default, or only those named")
    run.add_argument("--out", default="reports", help="output folder (default: reports)")
    run.add_argument("--jobs", type=int, help="notebooks run at once (default: number of cores)")
    run.add_argument("--force", action="store_true", help="re-run even what is unchanged")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="run on a Dask cluster: tcp://HOST:PORT of a running scheduler, or 'local' for a LocalCluster of --jobs workers")
    run.add_argument("--notebooks", metavar="DIR", help="folder with your own annual_summary, unit_profile and trends notebooks (default: the bundled ones)")
    run.add_argument("--cell-timeout", type=float, default=600.0, metavar="SECONDS",
                     help="fail a notebook whose cell runs longer than this (default: 600; 0 = no limit; negative values are refused)")
    run.set_defaults(handler=cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 fine, 1 invalid data or failed runs, 2 usage)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    lang = getattr(args, "lang", DEFAULT_LANG)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except DataValidationError as error:
        _print_validation_error(error, lang, getattr(args, "verbose", False))
        return EXIT_FAILED
    except UsageError as error:
        print(f"khuyenhoc: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KhuyenhocError as error:
        print(f"khuyenhoc: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"khuyenhoc: {text('cli.interrupted', lang)}", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `khuyenhoc indicators ... | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as error:  # the last line of defence: no tracebacks for users
        if os.environ.get("KHUYENHOC_DEBUG"):
            raise
        print(f"khuyenhoc: {text('cli.unexpected', lang, error=f'{type(error).__name__}: {error}')}", file=sys.stderr)
        return EXIT_FAILED


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()

"""Command line: ``stackwise-analysis corpus|audit|report|rules|history|waive``; parses
options, calls the API."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence

import pandas as pd

from . import __version__
from .constants import (
    DEFAULT_ARTICLE_PAGES,
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    FAIL_ON,
    SEVERITIES,
)
from .exceptions import StackwiseError

FAIL_ON_CHOICES = list(FAIL_ON)
DEFAULT_CORPUS = "data/articles"

_EPILOG = """exit codes: 0 clean, 1 findings at or above --fail-on (waived ones never count), 2 bad
usage, unreadable corpus or malformed style guide or waivers file, 3 a notebook failed (report
only).

examples:
  stackwise-analysis corpus data/articles
  stackwise-analysis audit data/articles --metadata data/catalog.csv --format csv > findings.csv
  stackwise-analysis report --fail-on warning --quiet
  stackwise-analysis rules --styleguide my_rules.yml
  stackwise-analysis audit big/archive --cache .audit-cache --scheduler tcp://dask:8786
  stackwise-analysis report --new-only --fail-on blocker   # fail on new blockers only
  stackwise-analysis history --keep 30
  stackwise-analysis audit data/articles --format sarif > findings.sarif
  stackwise-analysis waive --from reports/latest/findings.xlsx --reviewer "R. Osei"
  stackwise-analysis waive --list
"""


def _common(parser: argparse.ArgumentParser, corpus_positional: bool = True) -> None:
    if corpus_positional:
        parser.add_argument("path", help="folder of articles (.txt/.md/.html, read "
                            "recursively), or one file")
    parser.add_argument("--metadata", metavar="CSV", help="catalog CSV keyed by article_id "
                        "(category, author, published, last_reviewed)")
    parser.add_argument("--styleguide", metavar="YAML", help="your style guide; its keys "
                        "override the house defaults")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="worker processes (default: all cores)")
    parser.add_argument("--quiet", action="store_true", help="no progress output on stderr")


def _scale(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run the per-article audit on "
                        "this Dask scheduler (e.g. tcp://10.0.0.5:8786) instead of local "
                        "processes")
    parser.add_argument("--cache", metavar="DIR", help="keep parsed files and per-article "
                        "results here; a re-run reads only files that changed and audits "
                        "only articles that changed (all of them when a rule changed)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stackwise-analysis",
        description="Load, audit and report on the Stackwise article corpus.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    corpus = sub.add_parser("corpus", help="summarise a corpus: labels, missing sections, "
                            "files that could not be read")
    _common(corpus)
    corpus.add_argument("--json", action="store_true", help="print JSON instead of tables")

    audit = sub.add_parser("audit", help="run every audit and print the findings")
    _common(audit)
    _scale(audit)
    audit.add_argument("--format", choices=["table", "csv", "json", "sarif"], default="table",
                       help="output format (default: table; sarif for code-review tools)")
    audit.add_argument("--fail-on", choices=FAIL_ON_CHOICES, default="blocker",
                       help="exit 1 when a finding is at or above this severity "
                       "(default: blocker)")
    audit.add_argument("--min-severity", choices=SEVERITIES, default="info",
                       help="only print findings at or above this severity")
    audit.add_argument("--as-of", metavar="YYYY-MM-DD", help="judge staleness as of this "
                       "day (default: today)")
    _waivers_option(audit)

    report = sub.add_parser("report", help="run the notebook suite and publish HTML, CSV and "
                            "Excel reports under --out", epilog=_EPILOG,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    report.add_argument("--corpus", default=DEFAULT_CORPUS,
                        help=f"folder or file of articles (default: {DEFAULT_CORPUS})")
    _common(report, corpus_positional=False)
    _scale(report)
    report.add_argument("--out", default="reports", help="where run folders are published "
                        "(default: reports)")
    report.add_argument("--fail-on", choices=FAIL_ON_CHOICES, default="blocker",
                        help="exit 1 when a finding is at or above this severity "
                        "(default: blocker)")
    report.add_argument("--notebooks", metavar="NAMES",
                        help="comma-separated notebook names to run (default: all)")
    report.add_argument("--notebooks-dir", metavar="DIR",
                        help="run your own notebooks instead of the packaged ones")
    report.add_argument("--as-of", metavar="YYYY-MM-DD", help="judge staleness as of this day")
    _history_options(report)
    report.add_argument("--article-pages", type=int, default=DEFAULT_ARTICLE_PAGES, metavar="N",
                        help="write a review page for at most N flagged articles, worst first "
                             f"(default {DEFAULT_ARTICLE_PAGES:,}; 0 for none)")
    _waivers_option(report)

    rules = sub.add_parser("rules", help="list every house rule with its audit, level and "
                           "description")
    rules.add_argument("--styleguide", metavar="YAML", help="your style guide; its keys "
                       "override the house defaults")
    rules.add_argument("--format", choices=["table", "json"], default="table",
                       help="output format (default: table)")
    _history_command(sub)
    _waive_command(sub)
    return parser


def _waivers_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--waivers", metavar="PATH", help="reviewers' decisions (default: "
                        "waivers.yml in the current folder, when there is one)")


def _waive_command(sub) -> None:
    waive = sub.add_parser("waive", help="add the decisions a reviewer filled in on "
                           "findings.xlsx to waivers.yml, or list the waivers")
    what = waive.add_mutually_exclusive_group(required=True)
    what.add_argument("--from", dest="from_xlsx", metavar="XLSX", help="a findings.xlsx "
                      "whose decision, reason and expires columns a reviewer filled in")
    what.add_argument("--list", action="store_true", help="print the waivers: expired, "
                      "expiring within 14 days, active")
    waive.add_argument("--reviewer", metavar="NAME", help="who decided (with --from)")
    _waivers_option(waive)
    waive.add_argument("--styleguide", metavar="YAML", help="your style guide (its "
                       "review.max_waiver_days)")
    waive.add_argument("--as-of", metavar="YYYY-MM-DD", help="the day of the decisions and "
                       "of expiry (default: today)")


def _history_options(report: argparse.ArgumentParser) -> None:
    where = report.add_mutually_exclusive_group()
    where.add_argument("--history", metavar="PATH", help="history store to compare with and "
                       "record the run in (default: OUT/history.duckdb)")
    where.add_argument("--no-history", action="store_true", help="neither compare with nor "
                       "record in a history store (every finding is new)")
    report.add_argument("--new-only", action="store_true", help="exit 1 only for findings "
                        "new since the previous run (at or above --fail-on)")


def _history_command(sub) -> None:
    history = sub.add_parser("history", help="list the recorded report runs; --keep N "
                             "deletes old run folders")
    history.add_argument("--out", default="reports", help="where the run folders are "
                         "(default: reports)")
    history.add_argument("--history", metavar="PATH", help="the history store (default: "
                         "OUT/history.duckdb)")
    history.add_argument("--format", choices=["table", "csv", "json"], default="table",
                         help="output format (default: table)")
    history.add_argument("--keep", type=int, metavar="N", help="delete all but the newest N "
                         "run folders (never the one latest points to); their rows stay in "
                         "the history store")


def _as_of(value: str | None):
    if value is None:
        return None
    try:
        return pd.Timestamp(value).date()
    except ValueError:
        raise StackwiseError(f"--as-of {value!r} is not a date (use YYYY-MM-DD)") from None


def _load(args):
    from .corpus import load_corpus

    return load_corpus(args.path, metadata=args.metadata, styleguide=args.styleguide,
                       jobs=args.jobs, progress=False if args.quiet else None,
                       cache=getattr(args, "cache", None))


@contextlib.contextmanager
def _client(args):
    """A Dask client for ``--scheduler`` (closed afterwards), or None; a scheduler that
    cannot be reached is a usage error (exit 2), not a traceback."""
    if not args.scheduler:
        yield None
        return
    from concurrent.futures import CancelledError

    from distributed import Client
    from distributed.comm.core import CommClosedError
    from distributed.scheduler import KilledWorker

    try:
        client = Client(args.scheduler, timeout="10s")
    except ValueError as exc:  # no port, an http:// address
        raise StackwiseError(f"--scheduler {args.scheduler!r} is not a Dask scheduler "
                             f"address ({exc}); give tcp://HOST:PORT, e.g. "
                             "tcp://10.0.0.5:8786") from None
    except (OSError, TimeoutError) as exc:
        raise StackwiseError(f"cannot reach the Dask scheduler at {args.scheduler}: {exc}"
                             ) from None
    # The client logs a lost connection with tracebacks; the one line below says it.
    client_log = logging.getLogger("distributed.client")
    level = client_log.level
    client_log.setLevel(logging.CRITICAL)
    try:
        with client:
            yield client
    except (CancelledError, KilledWorker, CommClosedError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StackwiseError(f"lost the Dask scheduler at {args.scheduler} mid-run "
                             f"({reason}); check the cluster and run again") from None
    finally:
        client_log.setLevel(level)


def _print_table(title: str, frame: pd.DataFrame) -> None:
    print(f"\n{title}")
    print(frame.to_string(index=False) if len(frame) else "  (none)")


def cmd_corpus(args) -> int:
    from .summary import corpus_summary

    corpus = _load(args)
    tables = corpus_summary(corpus, _styleguide(args))
    if args.json:
        payload = {"articles": len(corpus.articles), "errors": len(corpus.errors),
                   **{name: json.loads(frame.to_json(orient="records"))
                      for name, frame in tables.items()}}
        print(json.dumps(payload, indent=2))
    else:
        print(f"{len(corpus.articles)} articles, {len(corpus.errors)} files not read "
              f"({corpus.root})")
        unmatched = int((corpus.errors["error"] == "metadata_unmatched").sum())
        if unmatched:
            print(f"{unmatched} catalog row(s) match no article: their dates and flags are "
                  "not used (listed below)")
        _print_table("Articles per risk level", tables["risk_levels"])
        _print_table("Articles missing each house section", tables["missing_sections"])
        _print_table("Files that could not be read", tables["errors"])
    return EXIT_OK if len(corpus.articles) else EXIT_USAGE


def _styleguide(args):
    from .styleguide import load_styleguide

    return load_styleguide(args.styleguide)


def cmd_audit(args) -> int:
    from .audits import audit
    from .csv_export import write_csv

    corpus = _load(args)
    if corpus.articles.empty:
        raise StackwiseError(f"no article could be read from {args.path}")
    with _client(args) as client:
        result = audit(corpus, _styleguide(args), as_of=_as_of(args.as_of), jobs=args.jobs,
                       client=client, cache=args.cache,
                       progress=False if args.quiet else None)
    _apply_waivers(args, result)
    shown = result.at_or_above(args.min_severity)
    if args.format == "sarif":
        from .sarif import sarif_log

        print(json.dumps(sarif_log(shown, corpus.articles, result.styleguide,
                                   root=corpus.root, version=__version__), indent=1))
    elif args.format == "csv":
        write_csv(shown, sys.stdout)
    elif args.format == "json":
        print(shown.to_json(orient="records", indent=2))
    else:
        columns = ["article_id", "check", "severity", "section", "line", "message"]
        with pd.option_context("display.max_colwidth", 100, "display.width", 200):
            print(shown[columns].to_string(index=False) if len(shown) else "No findings.")
        counts = result.findings["severity"].value_counts().reindex(SEVERITIES, fill_value=0)
        print(f"\n{len(result.scorecard)} articles audited: "
              + ", ".join(f"{n} {s}" for s, n in counts.items())
              + (f"; {len(corpus.errors)} file(s) not read (the corpus command says why)"
                 if len(corpus.errors) else "")
              + (f"; {n} waived" if (n := int((result.findings["status"] == "waived").sum()))
                 else ""), file=sys.stderr)
    counted = result.at_or_above(args.fail_on) if args.fail_on != "never" else ()
    if len(counted) and (counted["status"] != "waived").any():
        return EXIT_FINDINGS
    return EXIT_OK


def _apply_waivers(args, result) -> None:
    """Mark the findings ``waivers.yml`` waives (status ``waived``, else ``new``) and add
    the ``review.*`` findings of expired and stale waivers."""
    from .review.waivers import apply_waivers, default_waivers_path, load_waivers, with_status

    path = default_waivers_path(args.waivers)
    decisions = [] if path is None else load_waivers(path, result.styleguide)
    applied = apply_waivers(result.findings, decisions, result.styleguide,
                            today=_as_of(args.as_of),
                            source=path.name if path is not None else "waivers.yml")
    status = pd.Series("new", index=applied.findings.index).mask(applied.waived, "waived")
    result.findings = with_status(applied.findings, status.astype("string"))


def cmd_waive(args) -> int:
    from pathlib import Path

    from .review import waivers

    path = _waive_file(args.waivers)
    guide = _styleguide(args)
    today = _as_of(args.as_of) or None
    existing = waivers.load_waivers(path, guide) if path.is_file() else []
    if args.list:
        table = waivers.waiver_table(existing, today)
        with pd.option_context("display.max_colwidth", 60, "display.width", 200):
            print(table.to_string(index=False) if len(table) else f"No waivers in {path}.")
        return EXIT_OK
    if not args.reviewer or not args.reviewer.strip():
        raise StackwiseError("waive --from needs --reviewer NAME: who decided")
    new = waivers.decisions_from_xlsx(Path(args.from_xlsx), args.reviewer.strip(), guide,
                                      today=today)
    if not new:
        print(f"no new decisions in {args.from_xlsx}; {path} unchanged", file=sys.stderr)
        return EXIT_OK
    waivers.write_waivers(path, waivers.merge_decisions(existing, new))
    print(f"{len(new)} decision(s) added to {path}", file=sys.stderr)
    return EXIT_OK


def _waive_file(given):
    """``waive`` writes ``--waivers``, else ``waivers.yml`` here (created if missing)."""
    from pathlib import Path

    from .review.waivers import DEFAULT_WAIVERS

    return Path(given) if given else Path(DEFAULT_WAIVERS)


def cmd_rules(args) -> int:
    table = _styleguide(args).rule_table()
    if args.format == "json":
        print(json.dumps([{k: (None if pd.isna(v) else v) for k, v in row.items()}
                          for row in table.to_dict(orient="records")], indent=2))
        return EXIT_OK
    columns = ["id", "audit", "level", "description"]
    widths = [max(len(c), *table[c].str.len()) for c in columns[:-1]]
    for row in [columns, *table[columns].itertuples(index=False, name=None)]:
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=False))
              + "  " + row[-1])
    links = table.dropna(subset=["link"])
    if len(links):
        print("\nread more:")
        for check, link in zip(links["id"], links["link"], strict=True):
            print(f"  {check}: {link}")
    return EXIT_OK


def cmd_report(args) -> int:
    from . import report

    with _client(args) as client:
        result = report.run(
            args.corpus, metadata=args.metadata, styleguide=args.styleguide, out=args.out,
            fail_on=args.fail_on, jobs=args.jobs,
            notebooks=[n.strip() for n in args.notebooks.split(",")] if args.notebooks else None,
            notebooks_dir=args.notebooks_dir, quiet=args.quiet, as_of=_as_of(args.as_of),
            client=client, cache=args.cache,
            history=False if args.no_history else (args.history or True),
            new_only=args.new_only, article_pages=args.article_pages,
            waivers=_waivers_path(args))
    if result.index_path is not None:
        print(result.index_path)
    return result.exit_code


def _waivers_path(args):
    from .review.waivers import default_waivers_path

    return default_waivers_path(args.waivers)


def _os_error(exc: OSError) -> str:
    """One line for an OSError: the file, what went wrong and what to do."""
    where = f"{exc.filename}: " if exc.filename else ""
    hint = {errno.ENOSPC: "; free some space or write elsewhere",
            errno.EROFS: "; write to another folder",
            errno.EACCES: "; check the permissions"}.get(exc.errno, "")
    return f"{where}{exc.strerror or exc}{hint}"


def cmd_history(args) -> int:
    from pathlib import Path

    from . import report
    from .review import history
    from .tables import history_table

    if args.keep is not None:
        if args.keep < 1:
            raise StackwiseError(f"--keep {args.keep}: keep at least one run folder")
        for folder in report.prune_runs(args.out, args.keep):
            print(f"deleted {folder}", file=sys.stderr)
    runs = history.runs(Path(args.history) if args.history
                        else Path(args.out) / report.HISTORY_FILE)
    if args.format == "csv":
        runs.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        print(runs.to_json(orient="records", indent=2, date_format="iso"))
    else:
        print(history_table(runs).to_string(index=False) if len(runs) else "No runs recorded.")
    return EXIT_OK


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler's timeout, ``kill``): unwinds like Ctrl-C, so a report run
    removes its staging folder and leaves earlier runs and ``latest`` as they were."""


def _terminate(signum, frame):
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = {"corpus": cmd_corpus, "audit": cmd_audit, "report": cmd_report,
               "rules": cmd_rules, "history": cmd_history, "waive": cmd_waive}[args.command]
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        return handler(args)
    except BrokenPipeError:
        # ``... | head`` stopped reading: end quietly as other Unix tools do, with the
        # status a SIGPIPE would give, and no second error when Python flushes stdout
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE
    except (FileNotFoundError, NotADirectoryError) as exc:
        print(f"stackwise-analysis: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StackwiseError as exc:
        print(f"stackwise-analysis: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # a full disk, a read-only or missing folder, mid-run
        print(f"stackwise-analysis: error: {_os_error(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        print("stackwise-analysis: " + ("terminated" if isinstance(exc, Terminated)
                                        else "interrupted"), file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130


if __name__ == "__main__":
    sys.exit(main())

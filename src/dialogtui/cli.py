"""The `dialogtui` command: the TUI by default, and subcommands for scripts and cron."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dialogtui import __version__, config, words
from dialogtui.argparse_sv import VERSION_TEXT, SwedishArgumentParser
from dialogtui.domain import YEAR_MAX, YEAR_MIN
from dialogtui.errors import UserError
from dialogtui.store import DatabaseError, Store, StoreError

if TYPE_CHECKING:
    pass

# The interchange module (and with it pydantic's JSON machinery) loads only for import/export.
FORMATS = ("json", "csv")


def _open_store(path: Path, *, create: bool = False, read_only: bool = False) -> Store:
    """The database at `path`, which must exist: a mistyped --db in a cron job must fail
    loudly, not report an empty new database as "nothing to do". Only `demo` and the first
    start of the default database create one."""
    return Store(path, create=create, read_only=read_only)


def _create_store(path: Path, *, shared: bool) -> Store:
    """Create (or open) the database at `path`, making its folder first: shared with the group
    (0770) for a database the user named, the user's own (0700) for the user data folder."""
    from dialogtui.fileio import PRIVATE_DIR_MODE, SHARED_DIR_MODE, file_error, make_dirs

    try:
        make_dirs(path.parent, SHARED_DIR_MODE if shared else PRIVATE_DIR_MODE)
    except OSError as exc:
        raise file_error(exc, path.parent, "skapa mappen") from None
    return _open_store(path, create=True)


def _open_default_or_named(args: argparse.Namespace) -> Store:
    """For the TUI: a named database must exist; the default one is created on the first start,
    in the user's own data folder (0700)."""
    named = config.explicit_db_path(args.db)
    if named is not None:
        return _open_store(named)
    return _create_store(config.default_db_path(), shared=False)


def _warn_permissions(store: Store) -> list[str]:
    problem = store.permission_problem()
    if problem:
        print(f"Varning: {problem}", file=sys.stderr)
    return [problem] if problem else []


def _daily_backup(store: Store, warnings: list[str]) -> None:
    """The day's backup; whatever goes wrong with it is a warning, never the end of the app."""
    from dialogtui.maintenance import daily_backup

    if store.read_only:
        return  # a reader's backup would be a copy nobody asked for, in a folder not theirs
    try:
        daily_backup(store, config.today())
    except UserError as exc:
        warnings.append(f"Dagens säkerhetskopia kunde inte skrivas: {exc}")
    except Exception as exc:
        from dialogtui import crashlog

        warnings.append(f"Dagens säkerhetskopia kunde inte skrivas. {crashlog.report(exc)}")


def run_tui(store: Store, warnings: list[str]) -> int:
    # An empty NO_COLOR means "not set" (no-color.org); Textual would otherwise honour it.
    if os.environ.get("NO_COLOR") == "":
        del os.environ["NO_COLOR"]
    # Textual is imported only here, so that import/export from cron never loads it.
    from dialogtui.app import DialogApp

    app = DialogApp(store, today=config.today(), warnings=warnings)
    app.run()
    if app.crash_message:
        # The TUI never prints a traceback: the error is in a private log, and this says where.
        print(f"dialogtui: {app.crash_message}", file=sys.stderr)
    return app.return_code or 0


def cmd_open(args: argparse.Namespace) -> int:
    store = _open_default_or_named(args)
    warnings = _warn_permissions(store)
    if store.read_only_reason:
        warnings.append(store.read_only_reason)
    _daily_backup(store, warnings)
    return run_tui(store, warnings)


def cmd_demo(args: argparse.Namespace) -> int:
    from dialogtui import demo

    named = config.explicit_db_path(args.db)
    path = named or config.demo_db_path()
    store = _create_store(path, shared=named is not None)
    warnings = _warn_permissions(store)
    if demo.fill(store, config.today(), seed=args.seed):
        print(f"Skapade demodatabasen {path} ({store.count_initiatives()} initiativ).")
    if args.no_open:
        return 0
    return run_tui(store, warnings)


def cmd_init(args: argparse.Namespace) -> int:
    """A new, empty database where `--db` or DIALOGTUI_DB says (the jump host's shared file).

    Every other command refuses a missing file, so that a mistyped path is never read as an
    empty database; creating one is therefore a command of its own, which refuses a file that
    is already there rather than adopt or replace it."""
    named = config.explicit_db_path(args.db)
    path = named or config.default_db_path()
    if path.exists() or path.is_symlink():
        raise StoreError(
            f"{path} finns redan; `dialogtui init` skapar bara en ny databas och rör aldrig en "
            "befintlig fil. `dialogtui check` kontrollerar den som finns."
        )
    store = _create_store(path, shared=named is not None)
    try:
        _warn_permissions(store)
    finally:
        store.close()
    print(f"Skapade en ny, tom databas: {path}")
    return 0


def _format_of(path: str, explicit: str | None) -> str:
    # One place decides, for one file as for a batch (an .ods is told what to do, too).
    from dialogtui.intake import format_of

    return format_of(path, explicit)


def cmd_import(args: argparse.Namespace) -> int:
    files: list[str] = args.files
    single = len(files) == 1 and not Path(files[0]).is_dir()
    if not single or _format_of(files[0], args.format) == "xlsx":
        return _import_batch(args)
    from dialogtui.interchange import InterchangeError, audit_notes, notes, parse

    args.file = files[0]
    fmt = _format_of(args.file, args.format)
    try:
        raw = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        from dialogtui.errors import os_error_text

        raise InterchangeError(f"Kan inte läsa {args.file}: {os_error_text(exc)}.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InterchangeError(f"{args.file} är inte UTF-8; spara filen som UTF-8.") from None
    reason = " ".join((args.reason or "").split())
    initiatives = parse(text, fmt, reason)
    store = _open_store(config.resolve_db_path(args.db))
    _warn_permissions(store)
    # The reason goes with the records that needed it, as the stage key's does.
    ids = store.create_initiatives(initiatives, notes=audit_notes(initiatives, "", reason))
    print(f"Importerade {len(ids)} initiativ till {store.path}.")
    for note in notes(initiatives):
        print(f"Obs: {note}", file=sys.stderr)
    from dialogtui import intake

    # As after several files: the open overlaps and the panel cap that the new records make.
    intake.print_overlaps(store, ids, sys.stdout, config.today())
    return 0


# --- registrations as files (issue 16): the template, and imports of several files ---------------


def _import_batch(args: argparse.Namespace) -> int:
    """Several files, a folder, or a workbook: all read first, one transaction, then overlaps."""
    from dialogtui import intake

    reason = " ".join((args.reason or "").split())
    batch = intake.read_batch(intake.expand(args.files), args.format, config.today(), reason)
    store = _open_store(config.resolve_db_path(args.db))
    _warn_permissions(store)
    similar = intake.check_duplicates(store, batch)
    if similar and not args.allow_duplicates:
        raise intake.ImportRefused(
            "\n".join(
                [
                    "Liknar redan registrerade (samma beställare, liknande titel, samma dagar):",
                    *similar,
                    "Inget importerades. Ta bort filen, eller kör igen med --allow-duplicates "
                    "för att lägga till dem ändå.",
                ]
            )
        )
    for line in similar:
        print(f"Varning: {line}", file=sys.stderr)
    ids = intake.add(store, batch, reason)
    files = len(batch.sources)
    print(f"Importerade {len(ids)} initiativ från {words.count(files, 'fil')} till {store.path}.")
    from dialogtui.interchange import notes

    for source in batch.sources:
        for note in notes(source.initiatives):
            print(f"Obs: {source.name}: {note}", file=sys.stderr)
    intake.print_overlaps(store, ids, sys.stdout, config.today())
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from dialogtui import catalog, units
    from dialogtui.fileio import protect_database
    from dialogtui.template import DEFAULT_SEND_TO, write_template

    # The template opens no database, but is never to be written over the one in use either.
    database = config.resolve_db_path(args.db)
    if database.exists():
        protect_database(database)
    data = write_template(
        units.offered_names(), catalog.segments(), args.send_to or DEFAULT_SEND_TO
    )
    code = _deliver(data, args.output, binary=True)
    if not args.send_to:
        # Without it the instructions name a role, not an address: units would have to ask.
        print(
            f"Obs: instruktionerna säger bara ”Skicka filen till {DEFAULT_SEND_TO}”; ange "
            "--send-to, t.ex. en e-postadress, så vet beställarna vart de skickar den.",
            file=sys.stderr,
        )
    return code


# ------------------------------------------------------------------------------------------------


def _deliver(data: bytes, output: str | None, binary: bool = False) -> int:
    """Write an export to standard out, or to a file with no access for others."""
    if output in (None, "-") and binary and sys.stdout.isatty():
        raise UserError(
            "Skriver inte en binär fil (xlsx) till terminalen; ange -o FIL.xlsx, "
            "eller skicka vidare med > FIL.xlsx."
        )
    if output in (None, "-"):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    from dialogtui.fileio import write_private

    written = write_private(Path(output), data)
    print(f"Skrev {written}.", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from dialogtui.exports import export_all

    store = _open_store(config.resolve_db_path(args.db))
    return _deliver(export_all(store, args.format), args.output, binary=args.format == "xlsx")


def cmd_overlaps(args: argparse.Namespace) -> int:
    from dialogtui.coordination import write_overlaps_json, write_overlaps_text

    if args.rest_days is not None and args.rest_days < 0:
        raise StoreError("--rest-days: vilotiden ska vara ett heltal, 0 eller mer.")
    store = _open_store(config.resolve_db_path(args.db))
    # Streamed: a dense region has millions of overlapping pairs, and none is held for long.
    write = write_overlaps_json if args.json else write_overlaps_text
    write(store, sys.stdout, args.rest_days, args.include_coordinated, today=config.today())
    return 0


def cmd_todo(args: argparse.Namespace) -> int:
    import json

    from dialogtui.coordination import load_state, todo_list
    from dialogtui.todo import KIND_LABELS

    store = _open_store(config.resolve_db_path(args.db))
    today = config.today()
    items = todo_list(store, today, load_state(store, today=today))
    if args.json:
        payload = [item.to_json() for item in items]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return 0
    if not items:
        sys.stdout.write("Inget att göra just nu.\n")
        return 0
    kind = None
    for item in items:
        if item.kind != kind:
            kind = item.kind
            sys.stdout.write(f"\n{KIND_LABELS[kind]}\n")
        sys.stdout.write(f"  #{item.initiative_id} {item.title}: {item.text}\n")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from dialogtui.reports import to_csv, to_markdown, to_xlsx, year_report

    store = _open_store(config.resolve_db_path(args.db))
    report = year_report(
        args.year if args.year is not None else config.today().year,
        store.initiatives(),
        store.evaluations(),
        store.feedback_promises(),
        as_of=config.today(),
    )
    if args.format == "xlsx":
        return _deliver(to_xlsx(report), args.output, binary=True)
    else:
        data = (to_csv(report) if args.format == "csv" else to_markdown(report)).encode("utf-8")
    return _deliver(data, args.output)


def cmd_backup(args: argparse.Namespace) -> int:
    from dialogtui.maintenance import new_backup

    store = _open_store(config.resolve_db_path(args.db))
    if args.dest == "-":
        return _backup_to_stdout(store)
    if args.dest is None:
        target = new_backup(store, store.now())
    elif Path(args.dest).is_dir():
        target = new_backup(store, store.now(), folder=Path(args.dest))
    else:
        target = store.backup_to(Path(args.dest))
    print(f"Säkerhetskopia: {target}")
    return 0


def _backup_to_stdout(store: Store) -> int:
    """`dialogtui backup -`: the backup as bytes on standard out, for a pipe or a redirect."""
    import tempfile

    if sys.stdout.isatty():
        raise StoreError(
            "En säkerhetskopia är binär och skrivs inte till terminalen; "
            "styr om den: dialogtui backup - > kopia.db"
        )
    with tempfile.TemporaryDirectory(prefix="dialogtui-") as folder:
        copy = store.backup_to(Path(folder) / "kopia.db")
        with copy.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                sys.stdout.buffer.write(chunk)
    sys.stdout.flush()
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from dialogtui.fileio import is_database_file
    from dialogtui.maintenance import new_backup

    source = Path(args.file)
    # Not verified on opening: a database whose schema is broken is what a restore is for.
    store = Store(config.resolve_db_path(args.db), create=False, verify=False)
    if store.read_only_reason:
        raise StoreError(f"{store.read_only_reason} Inget återställdes.")
    if is_database_file(source, store.path):
        raise StoreError("Säkerhetskopian är databasen själv; ange en annan fil.")
    others = store.present()
    if others and not args.force:
        who = ", ".join(sorted({f"{p.user} (pid {p.pid} på {p.host})" for p in others}))
        print(
            f"dialogtui: databasen är öppen just nu för {who}. Be dem avsluta, eller kör med"
            " --force om du vet att de inte sparar något. Inget återställdes.",
            file=sys.stderr,
        )
        return 1
    store.check_backup(source)
    # What the restore replaces is kept, so that a restore of the wrong file can be undone.
    safety = new_backup(store, store.now(), "fore-aterstallning")
    store.restore_from(source)
    print(f"Återställde {store.path} från {source}.")
    print(f"Det som fanns innan finns kvar i {safety}.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    # Read-only: a check never changes the file, not even to upgrade or adopt it.
    store = _open_store(config.resolve_db_path(args.db), read_only=True)
    problems = store.check()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{store.path}: {len(problems)} problem.", file=sys.stderr)
        return 1
    print(f"{store.path}: inga problem (schemaversion {store.schema_version()}).")
    return 0


def _year(text: str) -> int:
    """A report's year: four digits in the range dates may have, so that "27" is not the
    year 27."""
    if not text.strip().isdigit() or not YEAR_MIN <= int(text) <= YEAR_MAX:
        raise argparse.ArgumentTypeError(
            f"”{text}” går inte; ange ett år från {YEAR_MIN} till {YEAR_MAX}, t.ex. 2026"
        )
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    db_help = f"databasfil (annars ${config.ENV_DB}, annars {config.default_db_path()})"
    # --db is accepted before and after the subcommand; SUPPRESS keeps a later one from
    # resetting an earlier one to None.
    common = SwedishArgumentParser(add_help=False)
    common.add_argument("--db", metavar="FIL", help=db_help, default=argparse.SUPPRESS)

    parser = SwedishArgumentParser(
        prog="dialogtui",
        description="Koordinatörens verktyg för invånardialog i Region Halland.",
        parents=[common],
    )
    parser.add_argument(
        "--version", action="version", version=f"dialogtui {__version__}", help=VERSION_TEXT
    )
    parser.set_defaults(handler=cmd_open)
    sub = parser.add_subparsers(title="kommandon", metavar="KOMMANDO")

    demo = sub.add_parser(
        "demo", parents=[common], help="öppna en demodatabas med ett års dialoger"
    )
    demo.add_argument("--seed", type=int, default=2026, help="slumpfrö för demodatan")
    demo.add_argument("--no-open", action="store_true", help="skapa databasen men öppna den inte")
    demo.set_defaults(handler=cmd_demo)

    init = sub.add_parser(
        "init", parents=[common], help="skapa en ny, tom databas (t.ex. den delade på servern)"
    )
    init.set_defaults(handler=cmd_init)

    imp = sub.add_parser(
        "import",
        parents=[common],
        help="läs in initiativ: anmälningar (xlsx), JSON, CSV",
        description="Läser in initiativ från ifyllda anmälningsmallar (xlsx), en xlsx-export, "
        "JSON eller CSV. Alla filer läses först; har någon fel importeras inget.",
    )
    imp.add_argument(
        "files",
        nargs="+",
        metavar="FIL",
        help="filer att läsa, eller en mapp med anmälningar (.xlsx); - för standard in",
    )
    imp.add_argument(
        "--format", choices=(*FORMATS, "xlsx"), help="json, csv eller xlsx (annars filändelsen)"
    )
    imp.add_argument(
        "--allow-duplicates",
        action="store_true",
        help="lägg till anmälningar som liknar redan registrerade ändå",
    )
    imp.add_argument(
        "--reason",
        metavar="SKÄL",
        help="skäl att ändå importera initiativ i skedet genomförande eller senare, som en import"
        " inte kan visa klara (sparas i historiken)",
    )
    imp.set_defaults(handler=cmd_import)

    tpl = sub.add_parser(
        "template",
        help="skriv anmälningsmallen (xlsx) som beställarna fyller i",
        description="Skriver ”Anmälan av invånardialog”, en Excel-arbetsbok som en beställare "
        "fyller i och skickar till koordinatören. Läs in ifyllda med dialogtui import.",
    )
    tpl.add_argument("-o", "--output", metavar="FIL", help="fil att skriva, t.ex. anmalan.xlsx")
    tpl.add_argument(
        "--send-to",
        metavar="TEXT",
        help="vart beställarna skickar anmälan (står i instruktionerna), t.ex. en e-postadress",
    )
    tpl.set_defaults(handler=cmd_template)

    exp = sub.add_parser("export", parents=[common], help="skriv ut alla initiativ")
    exp.add_argument(
        "--format",
        choices=(*FORMATS, "ics", "xlsx"),
        required=True,
        help="json, csv, ics eller xlsx",
    )
    exp.add_argument("-o", "--output", metavar="FIL", help="fil att skriva (annars standard ut)")
    exp.set_defaults(handler=cmd_export)

    ovl = sub.add_parser(
        "overlaps", parents=[common], help="initiativ som når samma invånare samtidigt"
    )
    ovl.add_argument("--json", action="store_true", help="JSON enligt DESIGN.md")
    ovl.add_argument("--rest-days", type=int, metavar="N", help="vilotid i dagar för denna körning")
    ovl.add_argument(
        "--include-coordinated", action="store_true", help="ta med överlapp som är samordnade"
    )
    ovl.set_defaults(handler=cmd_overlaps)

    todo = sub.add_parser("todo", parents=[common], help="att göra: försenat och snart")
    todo.add_argument("--json", action="store_true", help="som JSON, t.ex. för cron och e-post")
    todo.set_defaults(handler=cmd_todo)

    rep = sub.add_parser("report", parents=[common], help="årsrapport per beställare och metod")
    rep.add_argument(
        "--year",
        type=_year,
        default=None,
        metavar="ÅR",
        help=f"året, {YEAR_MIN}–{YEAR_MAX} (annars i år)",
    )
    rep.add_argument(
        "--format", choices=("md", "csv", "xlsx"), default="md", help="md (förvalt), csv eller xlsx"
    )
    rep.add_argument("-o", "--output", metavar="FIL", help="fil att skriva (annars standard ut)")
    rep.set_defaults(handler=cmd_report)

    bak = sub.add_parser("backup", parents=[common], help="skriv en säkerhetskopia")
    bak.add_argument("dest", nargs="?", metavar="MÅL", help="fil eller mapp (annars backups/)")
    bak.set_defaults(handler=cmd_backup)

    res = sub.add_parser("restore", parents=[common], help="ersätt databasen med en säkerhetskopia")
    res.add_argument("file", metavar="FIL", help="säkerhetskopian att återställa från")
    res.add_argument(
        "--force", action="store_true", help="även om andra har databasen öppen just nu"
    )
    res.set_defaults(handler=cmd_restore)

    chk = sub.add_parser("check", parents=[common], help="kontrollera databasfilen")
    chk.set_defaults(handler=cmd_check)
    return parser


def _keep_group_rights() -> int:
    """Files this process creates give the group what the owner has, and others nothing;
    returns the umask it replaced.

    SQLite creates the -wal/-shm files with the database's mode minus the umask: under the
    usual 022 the group could not write them, and under 000 everybody could read them.
    """
    previous = os.umask(0o007)
    os.umask((previous & ~0o070) | 0o007)
    return previous


def main(argv: Sequence[str] | None = None) -> int:
    previous = _keep_group_rights()
    try:
        return _main(argv)
    finally:
        _flush_output()
        os.umask(previous)  # for callers in the same process (tests, scripts)


def _flush_output() -> None:
    """Write what is still buffered while a reader who has left can be let go quietly.

    `dialogtui todo | head -1`: output to a pipe is buffered, and Python's own flush at exit
    would meet the closed pipe and print "Exception ignored … BrokenPipeError" (English, exit
    120). The reader leaving is no error of ours."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _discard_output()


def _discard_output() -> None:
    # What is left in the buffer goes nowhere, so that the flush at exit succeeds.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "db"):
        args.db = None
    try:
        return int(args.handler(args))
    except UserError as exc:
        print(f"dialogtui: {exc}", file=sys.stderr)
        return 1
    except DatabaseError as exc:
        print(f"dialogtui: {database_error(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `dialogtui overlaps | head`: the reader has left, which is no error of ours.
        _discard_output()
        return 0
    except OSError as exc:
        from dialogtui.errors import os_error_text

        where = f" {exc.filename}" if exc.filename else ""
        print(
            f"dialogtui: filen{where} gick inte att använda: {os_error_text(exc)}.", file=sys.stderr
        )
        return 1
    except Exception as exc:
        # Never a traceback on the terminal: it is logged, privately, and the user told where.
        from dialogtui import crashlog

        print(f"dialogtui: {crashlog.report(exc)}", file=sys.stderr)
        return 2


def database_error(exc: DatabaseError) -> str:
    """An SQLite error the store did not turn into words, in Swedish."""
    from dialogtui.store import describe_database_error

    return describe_database_error(exc)


if __name__ == "__main__":
    sys.exit(main())

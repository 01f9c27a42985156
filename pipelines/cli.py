"""The `kim` command: generate demo data, build and publish the warehouse, query it read-only."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.calendar import Quarter
from pipelines.config import apply_offline_environment, get_settings

# Scale 1 is the statewide volume (~200k cases, >1M events); 10× is already far beyond any real state.
MAX_SCALE = 10.0


def _quarter(text: str) -> Quarter:
    try:
        return Quarter.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' ist keine Zahl.") from None
    if not 0 < value <= MAX_SCALE:
        raise argparse.ArgumentTypeError(f"--scale muss größer als 0 und höchstens {MAX_SCALE:g} sein.")
    return value


def _command_generate(args: argparse.Namespace) -> int:
    from pipelines.generator import GeneratorError, generate

    settings = get_settings()
    out_dir = Path(args.out).resolve() if args.out else settings.landing_dir
    last = args.to or Quarter.last_complete(settings.stichtag)
    if args.from_ > last:
        print(f"Fehler: --from {args.from_} liegt nach --to {last}.", file=sys.stderr)
        return 2
    try:
        summary = generate(
            out_dir, scale=args.scale, seed=args.seed, first=args.from_, last=last, defects=args.defects
        )
    except GeneratorError as error:
        print(f"Fehler: {error}", file=sys.stderr)
        return 1
    print(summary.format_german())
    return 0


def _command_build(args: argparse.Namespace) -> int:
    from pipelines.build import build_all

    settings = get_settings()
    if not settings.landing_dir.exists():
        print(
            f"Fehler: Der Eingangsordner {settings.landing_dir} existiert nicht. "
            "Erzeugen Sie Demodaten mit `kim generate` oder legen Sie Lieferungen dort ab.",
            file=sys.stderr,
        )
        return 1
    print(f"Lade Lieferungen aus {settings.landing_dir} …")
    summary = build_all(settings, reprocess=args.neu)
    print(summary.format_german())
    return 0 if summary.ok else 1


def _command_sql(args: argparse.Namespace) -> int:
    import duckdb

    from pipelines.sql_shell import WarehouseMissingError, interactive, run_query

    settings = get_settings()
    published_db = settings.ministry_db if args.ministerium else settings.published_db
    try:
        if args.abfrage is None:
            return interactive(published_db)
        run_query(published_db, args.abfrage)
    except WarehouseMissingError as error:
        print(f"Fehler: {error}", file=sys.stderr)
        return 1
    except duckdb.Error as error:
        print(f"Fehler in der Abfrage: {error}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kim",
        description="KIM-Monitor: Demodaten erzeugen, Lieferungen laden, Warehouse aufbauen und veröffentlichen.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="BEFEHL")

    generate = commands.add_parser(
        "generate",
        help="Realistische Demodaten für alle 54 KIM-Kommunen in den Eingangsordner schreiben.",
        description="Schreibt vertragskonforme Lieferpakete für jede Kommune und jedes Quartal.",
    )
    generate.add_argument(
        "--scale", type=_scale, default=1.0, help="Volumenfaktor (1 = landesweit realistisch)."
    )
    generate.add_argument("--seed", type=int, default=42, help="Startwert; gleicher Wert = gleiche Dateien.")
    generate.add_argument(
        "--from",
        dest="from_",
        type=_quarter,
        default=Quarter(2021, 1),
        help="Erstes Quartal (Standard 2021-Q1).",
    )
    generate.add_argument(
        "--to",
        type=_quarter,
        default=None,
        help="Letztes Quartal (Standard: letztes abgeschlossenes Quartal).",
    )
    generate.add_argument("--out", default=None, help="Zielordner (Standard: $KIM_DATA_DIR/landing).")
    generate.add_argument(
        "--defects",
        action="store_true",
        help="Zusätzlich fehlerhafte Lieferpakete aller Fehlerarten schreiben (Fehlerkorpus für Tests, "
        "beschrieben in defects.json neben ground_truth.json).",
    )
    generate.set_defaults(handler=_command_generate)

    build = commands.add_parser(
        "build",
        help="Alle Lieferungen im Eingangsordner laden, Kennzahlen bauen und das Warehouse veröffentlichen.",
    )
    build.add_argument(
        "--neu", action="store_true", help="Auch bereits geladene Lieferungen erneut verarbeiten."
    )
    build.set_defaults(handler=_command_build)

    sql = commands.add_parser(
        "sql",
        help="SQL-Abfragen auf dem veröffentlichten Warehouse (schreibgeschützt).",
        description="Führt eine Abfrage aus oder öffnet ohne Abfrage eine interaktive SQL-Konsole; liest "
        "immer den zuletzt veröffentlichten Stand, schreibgeschützt: kim.duckdb mit statistischer "
        "Geheimhaltung, mit --ministerium den vollständigen Stand kim_ministerium.duckdb.",
    )
    sql.add_argument(
        "abfrage", nargs="?", default=None, help='SQL-Abfrage, z. B. "select * from marts.kommunen".'
    )
    sql.add_argument(
        "--ministerium",
        action="store_true",
        help="Den vollständigen Stand ohne Geheimhaltung lesen (nur für die Rolle des Ministeriums).",
    )
    sql.set_defaults(handler=_command_sql)
    return parser


def main(argv: list[str] | None = None) -> int:
    apply_offline_environment()
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())

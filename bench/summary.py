"""The working group's half-yearly summary (issue 7): `build_summary` and its files, timed.

    python bench/summary.py                            # 1,000 and 10,000 reports, each in its own process
    python bench/summary.py --reports 10000 --profile  # one size, and where build_summary's time goes

For each size N, seeds a fresh temporary SESSIONS_DIR (migrated) with a region: 3 sectors,
12 units, 8 municipalities with 2 areas each, 25 services and 20 summary themes (5
followed); N professionals' reports written over 2024–2025 (Helsinki time), each with a
nature, a category (5 % none), an area (10 % none), a service (10 % none), 0–3 support
needs, 0–2 themes and its "received" log entry; N/2 street notes with an area text (org
area names, sometimes typed differently, the deployment's own area names, or nothing) and
0–2 themes; two workshops with 6 themes and 150 items each; 12 development targets. The
rows are inserted in bulk (the form's rules are not what is measured, nor is the seeding).

Then, for the region and one municipality (Pori and its two areas), over the half-year
--from … --to (default the first half of 2025, about a quarter of the reports):

- `summaries.build_summary(period, scope)`: median of --runs after one warm-up, each run on
  a fresh session as a request would have; and how many SQL statements one run makes;
- `summary_export.export_csv` and `summary_export.document_html(target="file")`: median of
  --runs;
- `summary_export.export_pdf`: once, when N <= --pdf-up-to (by default for both sizes: the
  summary holds counts, so its PDF hardly grows with N);

and the sizes of the files and the process's peak resident memory (`ru_maxrss`). Prints the
machine and a Markdown table; writes the rows as JSON to bench/results/. With several sizes
each runs in a child process, so that one size's peak memory is not the other's. Exit status
1 if `build_summary` took over 2 s.
"""
from __future__ import annotations

import argparse
import cProfile
import hashlib
import importlib
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(ROOT))

# The report-export benchmark beside this file (on the path when run as a script) records
# the machine, counts PDF pages and reads the peak memory the same way.
from report_export import machine, pdf_pages, peak_rss_mb  # noqa: E402

BUILD_TARGET_S = 2.0
HELSINKI = ZoneInfo("Europe/Helsinki")
SPAN = (date(2024, 1, 1), date(2025, 12, 31))
SECTORS = {
    "Perhe- ja sosiaalipalvelut": ["Aikuissosiaalityö", "Lastensuojelu", "Perhetyö", "Vammaispalvelut"],
    "Terveyspalvelut": ["Päihdeklinikka", "Mielenterveyspoliklinikka", "Terveysneuvonta", "Kotisairaala"],
    "Ikääntyneiden palvelut": ["Kotihoito", "Palveluohjaus", "Omaishoidon tuki", "Asumispalvelut"],
}
MUNICIPALITIES = ["Pori", "Rauma", "Ulvila", "Harjavalta", "Kankaanpää", "Eura", "Huittinen", "Kokemäki"]
SERVICES = ["Päihdepalvelut", "Lastensuojelu", "Työikäisten sosiaalipalvelut", "Mielenterveyspalvelut",
            "Kotihoito", "Vammaispalvelut", "Perheneuvola", "Kasvatus- ja perheneuvonta", "Aikuissosiaalityö",
            "Asumispalvelut", "Omaishoito", "Sosiaalipäivystys", "Kriisityö", "Nuorisopalvelut",
            "Koulukuraattorit", "Opiskeluhuolto", "Neuvola", "Terveysasemat", "Suun terveydenhuolto",
            "Kuntoutus", "Työllisyyspalvelut", "Talous- ja velkaneuvonta", "Maahanmuuttajapalvelut",
            "Lähisuhdeväkivaltatyö", "Etsivä nuorisotyö"]
THEMES = ["Asunnottomuus", "Nuorten päihteet", "Yksinäisyys", "Ahdistus", "Toimeentulo-ongelmat",
          "Yhteistyö toimii", "Vertaistuki", "Jonotusajat", "Digipalvelut", "Liikkuminen maaseudulla",
          "Lähisuhdeväkivalta", "Koulupudokkaat", "Omaishoitajien jaksaminen", "Velkaantuminen",
          "Kotoutuminen", "Ruoka-apu", "Matalan kynnyksen palvelut", "Mielenterveys", "Harrastukset",
          "Perheiden tuki"]
FOLLOWED = {"Asunnottomuus", "Nuorten päihteet", "Yksinäisyys", "Velkaantuminen", "Koulupudokkaat"}
WORDS = ("asiakas odottaa kauan asunto vuokra kela hakemus päihde nuori perhe lapsi yksin velka ruoka "
         "palvelu puuttuu jono aika lääkäri hoitaja verkosto yhteistyö toimii hyvin huonosti kasvaa "
         "lisääntynyt vähentynyt koulu kiusaaminen työtön toimeentulo mielenterveys ahdistus kotihoito "
         "omainen väsynyt apu tarvitaan kunta alue keskusta kylä bussi matka").split()


def text(rng: random.Random, low: int, high: int) -> str:
    """A few to a few dozen words."""
    return " ".join(rng.choices(WORDS, k=rng.randint(low, high))).capitalize() + "."


def moment(rng: random.Random) -> datetime:
    """A random Helsinki wall-clock moment in SPAN, as UTC."""
    days = (SPAN[1] - SPAN[0]).days + 1
    day = SPAN[0] + timedelta(days=rng.randrange(days))
    local = datetime(day.year, day.month, day.day, rng.randint(7, 22), rng.randrange(60), tzinfo=HELSINKI)
    return local.astimezone(timezone.utc)


def seed(reports: int, seed_value: int) -> dict:
    """The region, `reports` reports and reports/2 street notes, two workshops, the targets.

    Returns {"pori": the first municipality's id, "rows": {table: rows inserted}}.
    """
    from sqlalchemy import insert

    from workshop.extensions import db
    from workshop.models import (Account, Area, DevelopmentTarget, Item, ItemKind, Observation, ObservationEvent,
                                 ObservationNeed, ObservationStatus, ObservationTheme, Role, Sector, Service,
                                 StreetCategory, StreetNature, StreetNote, StreetNoteTheme, SummaryTheme,
                                 SupportNeed, TargetStatus, Theme, Unit)
    from workshop.wall import boards
    from workshop.workshops import create_workshop

    rng = random.Random(seed_value)
    worker = Account(username="katu", username_key="katu", password_hash="!", role=Role.WORKER)
    db.session.add(worker)
    sectors = [Sector(name=name, position=position) for position, name in enumerate(SECTORS, start=1)]
    units = [Unit(sector=sector, name=name, position=position)
             for sector in sectors for position, name in enumerate(SECTORS[sector.name], start=1)]
    municipalities = [Area(name=name, position=10 * position) for position, name in enumerate(MUNICIPALITIES)]
    areas = municipalities + [Area(name=f"{town.name}, {side} alue", municipality=town, position=town.position + n)
                              for town in municipalities for n, side in enumerate(("pohjoinen", "eteläinen"), 1)]
    services = [Service(name=name, position=position) for position, name in enumerate(SERVICES, start=1)]
    themes = [SummaryTheme(name=name, followed=name in FOLLOWED,
                           conclusion=f"{name}: {text(rng, 15, 40)}" if position % 3 else "")
              for position, name in enumerate(THEMES)]
    db.session.add_all([*sectors, *units, *areas, *services, *themes])
    db.session.commit()
    unit_ids, area_ids = [unit.id for unit in units], [area.id for area in areas]
    service_ids, theme_ids = [service.id for service in services], [theme.id for theme in themes]
    # A few themes are mentioned much more than the rest, as in life.
    theme_weights = [1 / (rank + 1) for rank in range(len(theme_ids))]
    natures, nature_weights = list(StreetNature), [0.3, 0.55, 0.15]
    needs, categories = list(SupportNeed), list(StreetCategory)

    def themes_of() -> set[int]:
        return set(rng.choices(theme_ids, theme_weights, k=rng.choice([0, 1, 1, 2])))

    observations, events, need_rows, theme_rows = [], [], [], []
    for number in range(1, reports + 1):
        written = moment(rng)
        observations.append({
            "id": number, "number": f"B-{number:06d}-{rng.getrandbits(32):08x}", "uuid": str(uuid.uuid4()),
            "body_hash": hashlib.sha256(str(number).encode()).hexdigest(), "unit_id": rng.choice(unit_ids),
            "nature": rng.choices(natures, nature_weights)[0],
            "category": None if rng.random() < 0.05 else rng.choice(categories),
            "description": text(rng, 10, 80), "proposal": text(rng, 0, 30),
            "area_id": None if rng.random() < 0.1 else rng.choice(area_ids),
            "service_id": None if rng.random() < 0.1 else rng.choice(service_ids),
            "status": ObservationStatus.RECEIVED, "written_at": written, "created_at": written,
            "updated_at": written})
        events.append({"observation_id": number, "status": ObservationStatus.RECEIVED, "created_at": written})
        need_rows += [{"observation_id": number, "need": need} for need in rng.sample(needs, rng.randint(0, 3))]
        theme_rows += [{"observation_id": number, "theme_id": theme_id} for theme_id in themes_of()]

    note_areas = ([area.name for area in areas] + [area.name.upper() for area in municipalities]
                  + [f" {area.name.lower()} " for area in municipalities])
    street_areas = ["Keskusta", "Itäinen alue", "Läntinen alue", "Pohjoinen alue", "Eteläinen alue"]
    notes, note_theme_rows = [], []
    for number in range(1, reports // 2 + 1):
        written = moment(rng)
        roll = rng.random()
        area = rng.choice(note_areas) if roll < 0.7 else rng.choice(street_areas) if roll < 0.85 else ""
        notes.append({"id": number, "uuid": str(uuid.uuid4()), "body_hash": hashlib.sha256(b"n%d" % number).hexdigest(),
                      "account_id": worker.id, "text": text(rng, 5, 40),
                      "nature": rng.choices(natures, nature_weights)[0], "category": rng.choice(categories),
                      "area": area, "written_at": written, "created_at": written})
        note_theme_rows += [{"street_note_id": number, "theme_id": theme_id} for theme_id in themes_of()]

    for model, rows in ((Observation, observations), (ObservationEvent, events), (ObservationNeed, need_rows),
                        (ObservationTheme, theme_rows), (StreetNote, notes), (StreetNoteTheme, note_theme_rows)):
        if rows:
            db.session.execute(insert(model), rows)
    db.session.commit()

    items = 0
    for title in ("Päiväkeskus Kalliola", "Nuorten talo Porin keskusta"):
        workshop = create_workshop(title, "Pori", "fi")
        board_ids = [board.id for board in boards(workshop)]
        workshop_themes = [Theme(workshop_id=workshop.id, name=name, position=position)
                           for position, name in enumerate(["Ruoka", "Aukioloajat", "Turvallisuus", "Asuminen",
                                                            "Terveys", "Kohtaaminen"])]
        db.session.add_all(workshop_themes)
        db.session.flush()
        rows = []
        for position in range(150):
            created = moment(rng)
            rows.append({"workshop_id": workshop.id, "uuid": str(uuid.uuid4()), "body_hash": "z" * 64,
                         "kind": ItemKind.NOTE, "board_id": rng.choice(board_ids),
                         "theme_id": rng.choice(workshop_themes).id if rng.random() < 0.9 else None,
                         "position": position, "text": text(rng, 3, 20), "created_at": created,
                         "hidden_at": created if rng.random() < 0.03 else None})
        db.session.execute(insert(Item), rows)
        items += len(rows)
    statuses = list(TargetStatus)
    db.session.add_all([DevelopmentTarget(target=f"Kehittämiskohde {position}: {text(rng, 4, 12)}",
                                          partners="Sosiaalityö, kunnat", actions=text(rng, 10, 40),
                                          responsible="Työryhmä", schedule="2026", indicator=text(rng, 3, 8),
                                          status=rng.choice(statuses), position=position,
                                          summary_theme_id=rng.choice(theme_ids) if position % 2 else None,
                                          observation_id=rng.randint(1, reports) if position % 3 == 0 else None)
                        for position in range(12)])
    db.session.commit()
    return {"pori": municipalities[0].id,
            "rows": {"reports": len(observations), "needs": len(need_rows), "report_themes": len(theme_rows),
                     "street_notes": len(notes), "note_themes": len(note_theme_rows), "workshop_items": items}}


def timed(function, runs: int, before=None) -> tuple[float, object]:
    """The median seconds of `runs` calls (`before()` runs untimed ahead of each), and the last result."""
    seconds, result = [], None
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


class StatementCounter:
    """Counts the SQL statements sent to the database while it is on."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.count, self.on = 0, False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args):
        if self.on:
            self.count += 1

    def during(self, function):
        self.count, self.on = 0, True
        try:
            function()
        finally:
            self.on = False
        return self.count


def measure(args, reports: int) -> list[dict]:
    """Seed a fresh database with `reports` reports and measure both scopes; the table's rows."""
    from workshop import create_app, summaries, summary_export
    from workshop.config import sqlite_url
    from workshop.extensions import db
    from workshop.periods import Period
    from workshop.startup import apply_migrations

    period = Period(date.fromisoformat(args.period_from), date.fromisoformat(args.period_to))
    rows = []
    with tempfile.TemporaryDirectory(prefix="kuulluksi-summary-") as sessions_dir:
        app = create_app({"SESSIONS_DIR": sessions_dir, "SQLALCHEMY_DATABASE_URI": sqlite_url(sessions_dir),
                          "EXPORTS_DIR": str(Path(sessions_dir) / "exports")})
        apply_migrations(app)
        with app.test_request_context("/"):
            start = time.perf_counter()
            seeded = seed(reports, args.seed)
            db.session.remove()
            print(f"N={reports}: seeded {seeded['rows']} in {time.perf_counter() - start:.1f} s; "
                  f"peak RSS {peak_rss_mb():.0f} MB", flush=True)
            counter = StatementCounter(db.engine)
            scopes = [("region", summaries.parse_scope("region")),
                      ("municipality (Pori)", summaries.parse_scope(f"municipality:{seeded['pori']}"))]
            for name, scope in scopes:
                def build():
                    return summaries.build_summary(period, scope)

                db.session.remove()
                build()  # warm-up: the first call imports and compiles what every later one reuses
                build_s, summary = timed(build, args.runs, before=db.session.remove)
                db.session.remove()
                statements = counter.during(build)
                if args.profile and scope.kind == "region":
                    db.session.remove()
                    profiler = cProfile.Profile()
                    profiler.runcall(build)
                    print(f"-- cProfile of build_summary, {name}, N={reports} (cumulative, top 25)")
                    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)
                csv_s, csv = timed(lambda: summary_export.export_csv(summary), args.runs)
                html_s, html = timed(lambda: summary_export.document_html(summary, target="file"), args.runs)
                row = {"reports_seeded": reports, "scope": name, "period": f"{period.start} – {period.end}",
                       "reports": summary.source("reports").count,
                       "street_notes": summary.source("street_notes").count,
                       "build_s": round(build_s, 3), "statements": statements, "csv_s": round(csv_s, 4),
                       "csv_kb": round(len(csv) / 1024, 1), "html_s": round(html_s, 3),
                       "html_kb": round(len(html.encode()) / 1024), "pdf_s": None, "pdf_kb": None,
                       "pdf_pages": None}
                if reports <= args.pdf_up_to:
                    importlib.import_module("weasyprint")  # its half-second import is not the export's time
                    pdf_s, pdf = timed(lambda: summary_export.export_pdf(summary), 1)
                    row.update(pdf_s=round(pdf_s, 2), pdf_kb=round(len(pdf) / 1024), pdf_pages=pdf_pages(pdf))
                row["peak_rss_mb"] = round(peak_rss_mb())
                print(f"N={reports}, {name}: build_summary {build_s:.3f} s ({statements} statements), "
                      f"CSV {csv_s:.4f} s, HTML {html_s:.3f} s, PDF {row['pdf_s']} s", flush=True)
                rows.append(row)
    return rows


def table(rows: list[dict]) -> str:
    """The rows as a Markdown table."""
    header = ("N reports", "scope", "reports / notes in period", "build_summary s", "SQL statements", "CSV s",
              "CSV kB", "HTML s", "HTML kB", "PDF s", "PDF kB", "PDF pages", "peak RSS MB")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        values = (f"{row['reports_seeded']:,}", row["scope"], f"{row['reports']:,} / {row['street_notes']:,}",
                  row["build_s"], row["statements"], row["csv_s"], row["csv_kb"], row["html_s"], row["html_kb"],
                  "—" if row["pdf_s"] is None else row["pdf_s"], "—" if row["pdf_kb"] is None else row["pdf_kb"],
                  "—" if row["pdf_pages"] is None else row["pdf_pages"], row["peak_rss_mb"])
        lines.append("| " + " | ".join(str(value) for value in values) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, nargs="+", default=[1000, 10000],
                        help="sizes N: professionals' reports over two years (street notes: N/2)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of build_summary, CSV and HTML (median)")
    parser.add_argument("--pdf-up-to", type=int, default=10000, help="make the PDF (once) only when N <= this")
    parser.add_argument("--from", dest="period_from", default="2025-01-01")
    parser.add_argument("--to", dest="period_to", default="2025-06-30")
    parser.add_argument("--profile", action="store_true", help="print cProfile of one region build_summary")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rows-to", help=argparse.SUPPRESS)  # a child process's rows go here as JSON
    args = parser.parse_args()

    if args.rows_to is None:
        print(f"machine: {machine()}; load average before: {os.getloadavg()[0]:.2f}", flush=True)
    if len(args.reports) == 1:
        rows = measure(args, args.reports[0])
    else:
        rows = []
        for reports in args.reports:
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                child = [sys.executable, __file__, "--reports", str(reports), "--runs", str(args.runs),
                         "--pdf-up-to", str(args.pdf_up_to), "--from", args.period_from, "--to", args.period_to,
                         "--seed", str(args.seed), "--rows-to", out.name] + ["--profile"] * args.profile
                subprocess.run(child, check=True)
                rows += json.loads(Path(out.name).read_text())
    if args.rows_to is not None:
        Path(args.rows_to).write_text(json.dumps(rows))
        return 0

    load_after = round(os.getloadavg()[0], 2)
    print(table(rows))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"summary-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(
        {"machine": machine(), "load_average_after": load_after, "rows": rows}, indent=2))
    print(f"load average after: {load_after} (other work on the machine slows every figure)")
    slow = [row for row in rows if row["build_s"] > BUILD_TARGET_S]
    for row in slow:
        print(f"!! build_summary {row['build_s']} s > {BUILD_TARGET_S} s: N={row['reports_seeded']}, {row['scope']}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())

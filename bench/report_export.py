"""Report export: the HTML file, the PDF and the zip of a big workshop, timed.

    python bench/report_export.py                      # 1,000 notes, 200 drawings, 8 themes
    python bench/report_export.py --pictures full      # every format with the full-size pictures

Seeds a fresh temporary SESSIONS_DIR (migrated) with one workshop: 1,000 sticky notes and
200 drawings spread over 8 themes. The drawings are real: coloured finger strokes on a
transparent 1080 × 1920 canvas (a phone's drawing pad), saved as PNG and put through
`images.process_image` and `images.store_image` exactly as `contributions.submit` stores
them. The rows are inserted directly (the rules' per-item checks and pushes are not what
is measured). Then `report.create_draft` assembles the draft, and each export is timed:
`report_export.document_html(target="file")` (median of --html-runs), `export_pdf` (median
of --pdf-runs) and `export_markdown_zip` (once).

Prints the machine, the seeding time and one table row: seconds for HTML and PDF, the sizes
of the three files, and the process's peak resident memory (`ru_maxrss`). Writes the row as
JSON to bench/results/. Exit status 1 if a target is missed (HTML 2 s, PDF 20 s).
"""
from __future__ import annotations

import argparse
import hashlib
import importlib
import io
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(ROOT))

HTML_TARGET_S = 2.0
PDF_TARGET_S = 20.0
CANVAS = (1080, 1920)
INK = [(29, 53, 87), (164, 22, 26), (27, 94, 32), (230, 120, 0), (80, 40, 120), (20, 20, 20)]
THEMES = ["Ruoka", "Aukioloajat", "Turvallisuus", "Asuminen", "Terveys", "Kohtaaminen", "Raha", "Vapaa-aika"]
WORDS = ("aamupuuro kahvi jono ovi henkilökunta kuuntelee lämmin paikka suihku pesukone yö kylmä "
         "lääkäri aika odottaa kauan ystävä apu asunto vuokra kela hakemus puhelin laturi sauna "
         "ruoka loppuu aikaisin ilta viikonloppu suljettu avoinna turvallinen pelottaa riita "
         "rauhallinen kiitos hyvä huono parempi enemmän vähemmän tarvitaan toivoisin").split()


def machine() -> str:
    """The CPU model and count, and the Python version, for the record."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}"


def note_text(rng: random.Random) -> str:
    """A sticky note: a few words, sometimes a sentence or two (at most 200 characters)."""
    words = rng.choices(WORDS, k=rng.choice([3, 5, 8, 12, 20, 28]))
    return (" ".join(words).capitalize() + rng.choice([".", "!", "?", ""]))[:200]


def drawing_png(rng: random.Random) -> bytes:
    """A finger drawing: a few thick coloured strokes on a transparent phone-sized canvas."""
    from PIL import Image, ImageDraw

    canvas = Image.new("RGBA", CANVAS, (0, 0, 0, 0))
    pen = ImageDraw.Draw(canvas)
    for _ in range(rng.randint(8, 30)):
        x, y = rng.uniform(0, CANVAS[0]), rng.uniform(0, CANVAS[1])
        points = [(x, y)]
        for _ in range(rng.randint(10, 60)):
            x = min(max(x + rng.uniform(-40, 40), 0), CANVAS[0])
            y = min(max(y + rng.uniform(-40, 40), 0), CANVAS[1])
            points.append((x, y))
        pen.line(points, fill=(*rng.choice(INK), 255), width=rng.choice([6, 10, 16, 24]), joint="curve")
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG")
    return buffer.getvalue()


def seed(app, notes: int, drawings: int, seed_value: int):
    """Fill a workshop with `notes` notes and `drawings` drawings over the themes; make the draft."""
    from workshop import images, report
    from workshop.actors import Actor
    from workshop.contributions import media_dir
    from workshop.extensions import db
    from workshop.models import Account, Item, ItemKind, Theme
    from workshop.wall import boards
    from workshop.workshops import create_workshop

    rng = random.Random(seed_value)
    workshop = create_workshop("Päiväkeskus Kalliola, kevät 2027", "Kallio", "fi")
    workshop.topic = "Mitä päiväkeskuksessa pitäisi muuttaa?"
    account = Account(username="bench", username_key="bench", password_hash="!")
    db.session.add(account)
    themes = [Theme(workshop_id=workshop.id, name=name, position=position, description=f"Mitä sanottiin: {name}")
              for position, name in enumerate(THEMES)]
    db.session.add_all(themes)
    db.session.flush()
    board_ids = [board.id for board in boards(workshop)]

    def item(kind: ItemKind, position: int, text: str, **fields) -> Item:
        return Item(workshop_id=workshop.id, uuid=str(uuid.uuid4()), body_hash=hashlib.sha256(text.encode()).hexdigest(),
                    kind=kind, board_id=rng.choice(board_ids), theme_id=rng.choice(themes).id, position=position,
                    text=text, **fields)

    for position in range(notes):
        db.session.add(item(ItemKind.NOTE, position, note_text(rng)))
    for number in range(drawings):
        stored = images.store_image(images.process_image(drawing_png(rng)), media_dir())
        db.session.add(item(ItemKind.DRAWING, notes + number, f"Piirros {number + 1}: {note_text(rng)[:80]}",
                            image_name=stored.name, thumb_name=stored.thumb_name, image_width=stored.width,
                            image_height=stored.height))
    db.session.commit()
    return report.create_draft(workshop, Actor(account=account))


def timed(function, runs: int) -> tuple[float, object]:
    """The median seconds of `runs` calls, and the last result."""
    seconds, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def pdf_pages(pdf: bytes) -> int | None:
    """The PDF's page count as poppler's `pdfinfo` reads it (None without poppler-utils)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        try:
            info = subprocess.run(["pdfinfo", file.name], capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return int(found.group(1)) if found else None


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--drawings", type=int, default=200)
    parser.add_argument("--html-runs", type=int, default=5)
    parser.add_argument("--pdf-runs", type=int, default=2)
    parser.add_argument("--pictures", choices=["shipped", "full", "thumb"], default="shipped",
                        help="what the exports embed: as shipped (report_export._export_file), or every "
                             "format the full pictures, or every format the thumbnails")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()

    from workshop import create_app, report_export
    from workshop.config import sqlite_url
    from workshop.startup import apply_migrations

    # The comparisons behind report_export._export_file's choice (docs/performance.md).
    if args.pictures == "full":
        report_export._export_file = lambda picture, target: picture.image_name
    elif args.pictures == "thumb":
        report_export._export_file = lambda picture, target: picture.thumb_name

    print(f"machine: {machine()}; load average before: {os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="kuulluksi-export-") as sessions_dir:
        app = create_app({"SESSIONS_DIR": sessions_dir, "SQLALCHEMY_DATABASE_URI": sqlite_url(sessions_dir),
                          "EXPORTS_DIR": str(Path(sessions_dir) / "exports")})
        apply_migrations(app)
        with app.test_request_context("/"):
            start = time.perf_counter()
            draft = seed(app, args.notes, args.drawings, args.seed)
            print(f"seeded {args.notes} notes and {args.drawings} drawings in {time.perf_counter() - start:.1f} s",
                  flush=True)
            html_s, html = timed(lambda: report_export.document_html(draft, target="file"), args.html_runs)
            html_rss = peak_rss_mb()
            importlib.import_module("weasyprint")  # its half-second import is not the export's time

            pdf_s, pdf = timed(lambda: report_export.export_pdf(draft), args.pdf_runs)
            zip_s, archive = timed(lambda: report_export.export_markdown_zip(draft), 1)
            pages = pdf_pages(pdf)
    row = {
        "pictures": args.pictures, "notes": args.notes, "drawings": args.drawings,
        "html_s": round(html_s, 3), "pdf_s": round(pdf_s, 2), "zip_s": round(zip_s, 3),
        "html_mb": round(len(html.encode()) / 1e6, 2), "pdf_mb": round(len(pdf) / 1e6, 2),
        "zip_mb": round(len(archive) / 1e6, 2), "pdf_pages": pages,
        "rss_after_html_mb": round(html_rss), "peak_rss_mb": round(peak_rss_mb()), "machine": machine(),
        "load_average_after": round(os.getloadavg()[0], 2),
    }
    header = ("pictures", "HTML s", "PDF s", "zip s", "HTML MB", "PDF MB", "zip MB", "PDF pages", "peak RSS MB")
    values = (row["pictures"], row["html_s"], row["pdf_s"], row["zip_s"], row["html_mb"], row["pdf_mb"],
              row["zip_mb"], row["pdf_pages"], row["peak_rss_mb"])
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    print("| " + " | ".join(str(value) for value in values) + " |")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"report-export-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(json.dumps(row, indent=2))
    missed = [f"HTML {html_s:.2f} s > {HTML_TARGET_S} s"] * (html_s > HTML_TARGET_S) + \
             [f"PDF {pdf_s:.1f} s > {PDF_TARGET_S} s"] * (pdf_s > PDF_TARGET_S)
    print(f"load average after: {row['load_average_after']} (other work on the machine slows every figure)")
    for miss in missed:
        print(f"!! target missed: {miss}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

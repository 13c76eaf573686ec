"""A workshop's archive: `flask archive export CODE` and `flask archive import FILE`.

A workshop with everything in it (notes, a drawing and a photo, dots, a theme, a survey, a
topic, an idea and its follow-up, a report with pictures, a comment round, a published
page, a street note) is exported, imported on a second machine that has a workshop of its
own (so every id differs), exported again, and the two archives compared with their ids
replaced by their order. The second machine's wall and public page must show the same.
Then the refusals: a file that is not an archive, a damaged one, one from another
migration or a newer version, a code that is taken; nothing is written by any of them.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import uuid
import zipfile
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy
from flask_babel import force_locale
from sqlalchemy import func, select

from workshop import (archive, create_app, followup, gatherings, ideas, lifecycle, phases, reader_feedback, report,
                      report_export, report_links, report_rounds, street, surveys, topics, votes, wall)
from workshop.actors import Actor
from workshop.contributions import submit
from workshop.extensions import db
from workshop.models import Account, Item, Report, Role, SectionKind, StreetNote, UTCDateTime, Workshop
from workshop.problems import Problem
from workshop.report_render import picture_reference
from workshop.startup import apply_migrations
from workshop.workshops import create_workshop

from .conftest import POSTGRES_SERVER, PostgresTestDatabase, Room, make_config, make_picture
from .servers import postgres_admin
from .test_report_export import seed_report

# -- two machines ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def other_postgres(migrated_database, tmp_path_factory):
    """With TEST_POSTGRES_URL: a second migrated database (a copy of the first), for the module."""
    if not POSTGRES_SERVER:
        yield None
        return
    template = migrated_database.url.rsplit("/", 1)[1]
    name = f"{template}_other"
    url = f"{POSTGRES_SERVER}/{name}"
    try:
        postgres_admin(POSTGRES_SERVER, f"CREATE DATABASE {name} TEMPLATE {template}")
    except sqlalchemy.exc.OperationalError:  # someone is still connected to the template: migrate anew
        postgres_admin(POSTGRES_SERVER, f"CREATE DATABASE {name}")
        migrating = create_app(make_config(tmp_path_factory.mktemp("other"), SQLALCHEMY_DATABASE_URI=url))
        apply_migrations(migrating)
        with migrating.app_context():
            db.engine.dispose()
    yield url
    postgres_admin(POSTGRES_SERVER, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def second_app(tmp_path, migrated_database, other_postgres):
    """Another machine: its own database, pictures and exports, and two accounts of the same
    names as the first machine's ("paula" the facilitator, "ville" the outreach worker)."""
    root = tmp_path / "other"
    (root / "sessions").mkdir(parents=True)
    if other_postgres:
        url = other_postgres
    else:
        shutil.copyfile(migrated_database, root / "sessions" / "kuulluksi.sqlite3")
        url = "sqlite:///" + str(root / "sessions" / "kuulluksi.sqlite3")
    app = create_app(make_config(root, SQLALCHEMY_DATABASE_URI=url))
    yield app
    with app.app_context():
        db.engine.dispose()
    if other_postgres:
        empty_postgres(other_postgres)


def empty_postgres(url: str) -> None:
    """Delete every row of the second PostgreSQL database (as after every test of the first)."""
    emptied = PostgresTestDatabase(url)
    emptied.empty()
    emptied.close()


def add_account(name: str, role: Role = Role.FACILITATOR) -> Account:
    """A staff account without a usable password (these tests never log in)."""
    account = Account(username=name, username_key=name.casefold(), password_hash="!", role=role)
    db.session.add(account)
    db.session.commit()
    return account


def photo(room: Room, actor, caption: str):
    """Submit a photo (a real JPEG) with `caption`."""
    data = {"uuid": str(uuid.uuid4()), "kind": "photo", "text": caption, "board_id": room.boards[1].id}
    return submit(room.workshop, actor, data, image=make_picture("JPEG", (320, 240), (20, 160, 90))).item


def build_rich_workshop(app) -> str:
    """Make a workshop with something in every part through the rules; return its join code."""
    with app.test_request_context("/"):
        paula, ville = add_account("paula"), add_account("ville", Role.WORKER)
        staff = Actor(account=paula)
        workshop = create_workshop("Päiväkeskus Kalliola", "Kallio", created_by=paula)
        room = Room(workshop, wall.boards(workshop), staff)
        gatherings.create(workshop, staff, {"title": "Maanantai", "held_on": "2026-11-23"})
        alice = room.participant()
        topics.propose(workshop, alice, {"uuid": str(uuid.uuid4()), "text": "Aamut päiväkeskuksessa"})
        question = votes.create_question(workshop, staff, {"title": "Mikä on tärkeintä?",
                                                           "options": ["Ruoka", "Lepo", "Seura"]})
        votes.cast(workshop, alice, {"uuid": str(uuid.uuid4()), "option_id": question.options[1].id})
        survey = surveys.create_survey(workshop, staff, {"kind": "multi", "title": "Mistä pidät?",
                                                         "options": ["Kahvi", "Sauna", "Lehdet"]}).item
        surveys.answer(workshop, staff, survey.id, {"uuid": str(uuid.uuid4()),
                                                    "choices": [survey.options[0].id, survey.options[2].id]})
        phases.show_on_projector(workshop, staff, f"survey-{survey.id}")
        seeded = seed_report(room)
        shot = photo(room, alice, "Puiston penkki aamulla")
        theme = db.session.get(Item, seeded.drawing.id).theme_id
        idea = ideas.create(workshop, staff, {"statement": "Aamupuuroa riittää kaikille", "theme_ids": [theme],
                                              "item_ids": [seeded.drawing.id]})
        followup.create_from_ideas(workshop, staff)
        section = next(part for part in report.live_sections(seeded.report) if part.kind == SectionKind.THEME)
        report.save_section(workshop, staff, section.id, {
            "base_version": section.version, "title": section.title,
            "body": section.body + "\n\nKuva puistosta:\n\n" + picture_reference(shot)})
        round_ = report_rounds.open_round(workshop, staff, {})
        comment = report_rounds.add_comment(workshop, alice, {"uuid": str(uuid.uuid4()), "section_id": section.id,
                                                              "text": "Hyvä kuva"}).item
        report_rounds.agree(workshop, staff, comment.id)
        report_rounds.close_round(workshop, staff, round_.id)
        report_links.create_link(workshop, staff, "reader", "Palvelupäällikkö")
        published = report_export.publish(workshop, staff)
        reader_feedback.send(published, {"text": "Kiitos raportista"})
        directory = report_export.export_dir(published)
        directory.mkdir(parents=True)
        # Any bytes do (the archive carries the files as they are); making a real PDF takes seconds.
        (directory / report_export.file_name(published, "pdf")).write_bytes(b"%PDF-1.7 the report\n")
        note = street.file_note(Actor(account=ville), {
            "uuid": str(uuid.uuid4()), "text": "Nuori kysyi yöpaikkaa", "nature": "negative",
            "category": "social_problems", "workshop_id": workshop.id,
            "written_at": (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()}).note
        street.put_on_wall(staff, note.id, {"workshop_id": workshop.id, "board_id": room.boards[2].id})
        assert idea.id and db.session.scalar(select(func.count()).select_from(StreetNote)) == 1
        return workshop.join_code


def fill_other_workshop(app) -> None:
    """The second machine's own workshop, so the imported rows get other ids."""
    with app.app_context():
        paula = add_account("paula")
        add_account("ville", Role.WORKER)
        staff = Actor(account=paula)
        workshop = create_workshop("Toinen paja", created_by=paula)
        room = Room(workshop, wall.boards(workshop), staff)
        gatherings.create(workshop, staff, {"title": "Tiistai"})
        for text in ("yksi", "kaksi", "kolme"):
            room.note(room.participant(), text)
        votes.create_question(workshop, staff, {"title": "Kumpi?", "options": ["Tämä", "Tuo"]})
        surveys.create_survey(workshop, staff, {"kind": "choice", "title": "Kumpi?", "options": ["Tämä", "Tuo"]})


def run(app, *args):
    """Run `flask archive …` on `app` in English (the command line speaks Finnish by default);
    the result (its exit code and output)."""
    with app.app_context(), force_locale("en"):
        return app.test_cli_runner().invoke(args=["archive", *args])


# -- comparing two archives --------------------------------------------------------------------


def canonical(path: Path) -> dict:
    """An archive's content with every id replaced by the row's place in its table, and every
    picture or report file name by its bytes' hash: equal for the same workshop anywhere."""
    with zipfile.ZipFile(path) as opened:
        data = json.loads(opened.read("data.json"))
        files = {name: hashlib.sha256(opened.read(name)).hexdigest() for name in opened.namelist()}
    tables = data["tables"]
    order = {name: {row["id"]: place for place, row in enumerate(rows)} for name, rows in tables.items()
             if rows and "id" in rows[0]}

    def place(table: str, old):
        return ("#", table, order.get(table, {}).get(old, "missing")) if old is not None else None

    def pictures(text):
        return re.sub(r"picture:(\d+)", lambda m: f"picture:#{place('item', int(m.group(1)))[2]}", text or "")

    entities = {"topic": "topic_proposal"}
    workshop_id = tables["workshop"][0]["id"]
    # An item a street note became on the wall has a UUID made from the note's and the workshop's id.
    from_notes = {str(uuid.uuid5(uuid.UUID(note["uuid"]), f"workshop-{workshop_id}")): place("street_note", note["id"])
                  for note in tables["street_note"]}
    result = {}
    for name, rows in tables.items():
        table = db.metadata.tables[name]
        out = []
        for row in rows:
            row = dict(row)
            for column in table.columns:
                keys = list(column.foreign_keys)
                if column.primary_key and not keys:
                    row[column.name] = place(name, row[column.name])
                elif keys and keys[0].column.table.name in tables:
                    row[column.name] = place(keys[0].column.table.name, row[column.name])
                elif column.name in ("image_name", "thumb_name") and row[column.name]:
                    row[column.name] = files["media/" + row[column.name]]
            if name == "item" and row["uuid"] in from_notes:
                row["uuid"] = from_notes[row["uuid"]]
            if name == "change":
                row["entity_id"] = place(entities.get(row["entity"], row["entity"]), row["entity_id"])
            if name == "workshop":
                kind, _, number = row["projector"].partition("-")
                row["projector"] = [kind, place(kind, int(number))] if number else kind
            if name == "survey_answer":
                row["choices"] = [place("survey_option", int(part)) for part in row["choices"].split(",") if part]
            if name == "comment_round":
                row["snapshot"] = [{**section, "section_id": place("report_section", section["section_id"]),
                                    "body": pictures(section["body"])} for section in json.loads(row["snapshot"])]
            for column in ("body", "answer_text", "quote", "text"):
                if name in ("report_section", "section_version", "report", "suggestion") and column in row:
                    row[column] = pictures(row[column])
            out.append(row)
        result[name] = out

    def hashes(folder: str) -> list[str]:
        return sorted(digest for name, digest in files.items() if name.startswith(folder))

    return {"tables": result, "exports": hashes("exports/"), "media": hashes("media/")}


def picture_hash(client, url: str) -> str:
    """The SHA-256 of the picture served at `url` (the served file closed again)."""
    response = client.get(url)
    assert response.status_code == 200, url
    try:
        return hashlib.sha256(response.get_data()).hexdigest()
    finally:
        response.close()


def wall_seen(app, code: str) -> dict:
    """What a phone that joins sees: items (kind, text, picture bytes' hash), boards, themes,
    surveys and the projector's view, with the ids left out."""
    client = app.test_client()
    assert client.get(f"/j/{code}").status_code == 200
    changes = client.get(f"/api/w/{code}/changes").get_json()["changes"]
    by_id = {(change["type"], change["id"]): change for change in changes}
    seen = {"items": [], "boards": sorted(c["title"] for c in changes if c["type"] == "board")}
    for change in changes:
        if change["type"] == "item" and not change.get("gone") and not change.get("pending"):
            image = change.get("image")
            picture = picture_hash(client, image["url"]) if image else None
            seen["items"].append((change["kind"], change["text"], by_id[("board", change["board_id"])]["title"],
                                  picture))
        if change["type"] == "workshop":
            view, _, number = change["projector"].partition("-")
            seen["projector"] = by_id[(view, int(number))]["title"] if number else view
    seen["items"].sort(key=repr)
    return seen


def public_article(app, code: str) -> tuple[str, list[str]]:
    """The published report's article, and the hashes of the pictures it shows."""
    with app.app_context():
        key = db.session.scalar(select(Report.public_key).join(Workshop).where(Workshop.join_code == code))
    client = app.test_client()
    page = client.get(f"/r/{key}").get_data(as_text=True)
    article = re.search(r"<article\b.*?</article>", page, re.S).group(0)
    sources = re.findall(r'<img[^>]* src="([^"]+)"', article)
    pictures = [picture_hash(client, source.replace("&amp;", "&")) for source in sources]
    return article, pictures


# -- the round trip -------------------------------------------------------------------------------


def test_an_imported_workshop_is_the_same_on_the_other_machine(app, second_app, tmp_path):
    code = build_rich_workshop(app)
    fill_other_workshop(second_app)
    first = tmp_path / "first.zip"
    exported = run(app, "export", code, "-o", str(first))
    assert exported.exit_code == 0, exported.output
    assert str(first) in exported.output

    imported = run(second_app, "import", str(first))
    assert imported.exit_code == 0, imported.output
    assert code in imported.output
    second = tmp_path / "second.zip"
    assert run(second_app, "export", code, "-o", str(second)).exit_code == 0

    with app.app_context():
        original = canonical(first)
    with second_app.app_context():
        again = canonical(second)
        # The ids did change: the other machine's own workshop came first.
        assert db.session.scalar(select(Workshop.id).where(Workshop.join_code == code)) != json.loads(
            zipfile.ZipFile(first).read("data.json"))["tables"]["workshop"][0]["id"]
    assert again == original
    with second_app.app_context():  # the audit log says what was done (newest first)
        assert [event.action for event in lifecycle.audit_events()] == ["workshop.exported", "workshop.imported"]
    tables = original["tables"]
    for name in ("item", "dot", "theme", "survey_answer", "topic_proposal", "idea_item", "report_section",
                 "section_version", "comment_round", "comment", "comment_agreement", "report_link",
                 "reader_feedback", "development_target", "street_note", "change", "gathering"):
        assert tables[name], name
    assert len(original["media"]) == 6 and len(original["exports"]) == 1  # 3 pictures, their thumbnails
    assert any(isinstance(row["uuid"], tuple) for row in tables["item"])  # the street note on the wall

    seen = wall_seen(app, code)
    assert seen["projector"] == "Mistä pidät?" and len(seen["items"]) == 4  # two are hidden
    assert wall_seen(second_app, code) == seen
    article, pictures = public_article(app, code)
    assert public_article(second_app, code) == (article, pictures)
    assert "Puiston penkki aamulla" in article and len(pictures) == 2

    with second_app.app_context():
        # The street note is on the imported wall: putting it there again finds that item.
        imported = db.session.scalar(select(Workshop).where(Workshop.join_code == code))
        note = db.session.scalar(select(StreetNote).where(StreetNote.workshop_id == imported.id))
        paula = db.session.scalar(select(Account).where(Account.username == "paula"))
        items = db.session.scalar(select(func.count()).select_from(Item))
        with pytest.raises(Problem, match="jo tämän työpajan seinällä") as refused:
            street.put_on_wall(Actor(account=paula), note.id,
                               {"workshop_id": imported.id, "board_id": wall.boards(imported)[2].id})
        assert refused.value.status == 409
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Item)) == items


def test_the_manifest_describes_the_archive(app, small_archive, tmp_path):
    content, code = small_archive
    with zipfile.ZipFile(io.BytesIO(content)) as opened:
        manifest = json.loads(opened.read("manifest.json"))
        items = json.loads(opened.read("data.json"))["tables"]["item"]
        members = set(opened.namelist())
        for name, checksum in manifest["files"].items():
            assert hashlib.sha256(opened.read(name)).hexdigest() == checksum
    assert members == set(manifest["files"]) | {"manifest.json"}
    pictures = {"media/" + item[column] for item in items for column in ("image_name", "thumb_name") if item[column]}
    assert len(pictures) == 2 and {name for name in members if name.startswith("media/")} == pictures
    with app.app_context():
        assert manifest["alembic_revision"] == archive.database_revision()
    assert manifest["app"] == "kuulluksi" and manifest["format"] == archive.FORMAT_VERSION
    assert manifest["workshop"] == {"code": code, "title": "Paja"}
    assert manifest["counts"]["item"] == 2 and manifest["counts"]["participant"] == 2
    assert datetime.fromisoformat(manifest["exported_at"]).tzinfo is not None


def test_the_default_file_name_has_the_code_and_the_date(app, tmp_path, monkeypatch):
    with app.app_context():
        code = create_workshop("Paja").join_code
    monkeypatch.chdir(tmp_path)
    result = run(app, "export", code.lower())
    assert result.exit_code == 0, result.output
    expected = f"kuulluksi-{code}-{datetime.now(timezone.utc):%Y%m%d}.zip"
    assert (tmp_path / expected).is_file()


def test_an_unknown_code_is_refused(app, tmp_path):
    result = run(app, "export", "XXXXXX", "-o", str(tmp_path / "a.zip"))
    assert result.exit_code == 1 and "No workshop has the code XXXXXX" in result.output
    assert not (tmp_path / "a.zip").exists()


# -- accounts are per machine -------------------------------------------------------------------


def test_accounts_are_linked_by_name_or_to_the_owner(app, second_app, tmp_path):
    with app.app_context():
        anna, ville = add_account("anna"), add_account("ville", Role.WORKER)
        workshop = create_workshop("Paja", created_by=anna)
        code, workshop_id = workshop.join_code, workshop.id
        street.file_note(Actor(account=ville), {
            "uuid": str(uuid.uuid4()), "text": "Yöpaikka puuttuu", "nature": "negative",
            "category": "social_problems", "workshop_id": workshop_id,
            "written_at": (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()})
    target = tmp_path / "a.zip"
    assert run(app, "export", code, "-o", str(target)).exit_code == 0
    with second_app.app_context():
        add_account("ANNA")  # the same name, typed in another case
        add_account("olli")

    refused = run(second_app, "import", str(target))
    assert refused.exit_code == 1 and "ville" in refused.output and "--owner" in refused.output
    assert run(second_app, "import", str(target), "--owner", "nobody").exit_code == 1

    result = run(second_app, "import", str(target), "--owner", "olli")
    assert result.exit_code == 0, result.output
    with second_app.app_context():
        imported = db.session.scalar(select(Workshop).where(Workshop.join_code == code))
        assert imported.created_by.username == "ANNA"
        note = db.session.scalar(select(StreetNote).where(StreetNote.workshop_id == imported.id))
        assert note.account.username == "olli"


# -- refusals: nothing written -------------------------------------------------------------------


def rezip(source: Path, target: Path, change) -> Path:
    """A copy of the archive `source` with `change(members)` applied to its members' bytes."""
    with zipfile.ZipFile(source) as opened:
        members = {name: opened.read(name) for name in opened.namelist()}
    change(members)
    with zipfile.ZipFile(target, "w") as written:
        for name, content in members.items():
            written.writestr(name, content)
    return target


def manifest_edit(**fields):
    def change(members):
        members["manifest.json"] = json.dumps({**json.loads(members["manifest.json"]), **fields}).encode()
    return change


def tamper_picture(members):
    name = next(name for name in members if name.startswith("media/"))
    members[name] = members[name][:-1] + b"!"


def drop_picture(members):
    del members[next(name for name in members if name.startswith("media/"))]


def add_member(members):
    members["media/../../evil.png"] = b"x"


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory, migrated_database, other_postgres) -> tuple[bytes, str]:
    """The archive of a small workshop (a note and a drawing), made once for the module on a
    machine of its own: its bytes and the workshop's code."""
    root = tmp_path_factory.mktemp("small")
    (root / "sessions").mkdir()
    if other_postgres:
        url = other_postgres
    else:
        shutil.copyfile(migrated_database, root / "sessions" / "kuulluksi.sqlite3")
        url = "sqlite:///" + str(root / "sessions" / "kuulluksi.sqlite3")
    machine = create_app(make_config(root, SQLALCHEMY_DATABASE_URI=url))
    with machine.app_context():
        paula = add_account("paula")
        workshop = create_workshop("Paja", created_by=paula)
        room = Room(workshop, wall.boards(workshop), Actor(account=paula))
        room.note(room.participant(), "Kahvi on hyvää")
        submit(workshop, room.participant(), {"uuid": str(uuid.uuid4()), "kind": "drawing", "text": "Talo",
                                              "board_id": room.boards[0].id}, image=make_picture())
        code = workshop.join_code
    result = run(machine, "export", code, "-o", str(root / "a.zip"))
    assert result.exit_code == 0, result.output
    with machine.app_context():
        db.engine.dispose()
    if other_postgres:
        empty_postgres(other_postgres)
    return (root / "a.zip").read_bytes(), code


@pytest.fixture
def exported(small_archive, tmp_path) -> tuple[Path, str]:
    """The small workshop's archive as a file of this test, and the workshop's code."""
    content, code = small_archive
    target = tmp_path / "a.zip"
    target.write_bytes(content)
    yield target, code


def state(app) -> tuple[int, int, list[str]]:
    """How many workshops and items the machine has, and its picture files."""
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Workshop)),
                db.session.scalar(select(func.count()).select_from(Item)),
                sorted(path.name for path in Path(app.config["MEDIA_DIR"]).iterdir()))


@pytest.mark.parametrize("change, message", [
    (None, "is not a Kuulluksi archive (not a zip file)"),
    (tamper_picture, "the checksum of media/"),
    (drop_picture, "is missing"),
    (add_member, "is not in its manifest"),
    (manifest_edit(format=archive.FORMAT_VERSION + 1), "newer version of Kuulluksi"),
    (manifest_edit(app="other"), "is not a Kuulluksi archive"),
    (lambda members: members.pop("manifest.json"), "has no manifest.json"),
    (manifest_edit(alembic_revision="0000_old"), "at migration 0000_old, but this database is at"),
])
def test_a_bad_archive_is_refused_in_one_line_and_nothing_is_written(exported, app, tmp_path, change, message):
    source, _code = exported
    if change is None:
        bad = tmp_path / "bad.zip"
        bad.write_bytes(b"This is a text file, not a zip.\n")
    else:
        bad = rezip(source, tmp_path / "bad.zip", change)
    before = state(app)
    result = run(app, "import", str(bad))
    assert result.exit_code == 1
    assert message in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert state(app) == before


def test_a_taken_code_is_refused_unless_a_new_one_is_asked_for(exported, app):
    source, code = exported
    assert run(app, "import", str(source)).exit_code == 0
    before = state(app)
    refused = run(app, "import", str(source))
    assert refused.exit_code == 1 and f"code {code} exists here already" in refused.output
    assert "--new-code" in refused.output and state(app) == before

    result = run(app, "import", str(source), "--new-code")
    assert result.exit_code == 0, result.output
    with app.app_context():
        codes = set(db.session.scalars(select(Workshop.join_code)))
        new_code = (codes - {code}).pop()
        assert new_code in result.output and len(codes) == 2
        names = set(db.session.scalars(select(Item.image_name).where(Item.image_name.is_not(None))))
    # Two workshops never share a picture file: taking one back would remove the other's.
    assert len(names) == 2 and all((Path(app.config["MEDIA_DIR"]) / name).is_file() for name in names)


def test_a_failure_half_way_leaves_no_rows_and_no_files(exported, app, monkeypatch):
    source, _code = exported
    before = state(app)

    def broken(self, table, rows, outside):
        if table.name == "item":
            raise sqlalchemy.exc.IntegrityError("INSERT", {}, Exception("the disk hiccupped"))
        return original(self, table, rows, outside)

    original = archive._Importer._insert
    monkeypatch.setattr(archive._Importer, "_insert", broken)
    result = run(app, "import", str(source))
    assert result.exit_code == 1 and "Nothing was imported" in result.output
    assert state(app) == before


# -- values as JSON ------------------------------------------------------------------------------


@pytest.mark.parametrize("column_type, value, as_json", [
    (UTCDateTime(), datetime(2026, 11, 23, 17, 5, 1, 123456, tzinfo=timezone.utc), "2026-11-23T17:05:01.123456+00:00"),
    (UTCDateTime(), datetime(2026, 11, 23, 19, 5, tzinfo=timezone(timedelta(hours=2))), "2026-11-23T17:05:00+00:00"),
    (sqlalchemy.Date(), date(2026, 2, 28), "2026-02-28"),
    (sqlalchemy.LargeBinary(), b"\x00\xffbytes", "AP9ieXRlcw=="),
    (sqlalchemy.Numeric(10, 3), Decimal("12.340"), "12.340"),
    (sqlalchemy.Enum(Role, native_enum=False, values_callable=lambda members: [m.value for m in members]),
     Role.WORKER, "worker"),
    (sqlalchemy.Boolean(), True, True),
    (sqlalchemy.String(), "ääkköset ja \"lainaus\"", "ääkköset ja \"lainaus\""),
    (sqlalchemy.Integer(), None, None),
])
def test_values_survive_json_exactly(column_type, value, as_json):
    column = sqlalchemy.Column("value", column_type)
    encoded = archive.to_json_value(value)
    assert encoded == as_json
    decoded = archive.from_json_value(column, json.loads(json.dumps(encoded)))
    assert decoded == value and type(decoded) is type(value)

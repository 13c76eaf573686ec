"""No participant's network address or browser reaches the database, the files, the logs or an export.

The real server (`python run.py`, behind a pretend reverse proxy so that the phone's address
is a distinctive one) serves a phone that joins, posts a note and a camera photo, makes
mistakes (a wrong code, bad input, a page that does not exist) and is refused by a flood
limit. Then every byte the server wrote (database files, pictures, its log) and a whole
archive of the workshop are searched for the phone's address and user agent.
"""
from __future__ import annotations

import io
import subprocess
import sys
import uuid
import zipfile

import pytest
import requests

from .conftest import API_HEADERS, gps_photo
from .servers import ROOT, Server
from .test_crash_replay import create_workshop_over_http

#: Documentation addresses (RFC 5737, RFC 3849) and a user agent found nowhere else.
PHONE_IP = "203.0.113.77"
PHONE_IPV6 = "2001:db8::77"
PHONE_AGENT = "Mozilla/5.0 (Linux; Android 9; KuulluksiTestPhone-7f3a) Chrome/99.0"
TRACES = [PHONE_IP.encode(), PHONE_IPV6.encode(), b"KuulluksiTestPhone-7f3a"]


@pytest.fixture
def server(tmp_path):
    server = Server(tmp_path / "sessions", {"PROXY_COUNT": "1", "DEVICE_WRITE_BURST": "3",
                                            "DEVICE_WRITES_PER_MINUTE": "1"})
    server.start()
    yield server
    server.stop()


def phone_session(address: str) -> requests.Session:
    """A phone behind the pretend proxy: its address arrives in X-Forwarded-For."""
    session = requests.Session()
    session.headers.update({"User-Agent": PHONE_AGENT, "X-Forwarded-For": address})
    return session


def test_the_phones_address_and_browser_are_nowhere(server, tmp_path):
    code = create_workshop_over_http(requests.Session(), server)["code"]
    phone, other = phone_session(PHONE_IP), phone_session(PHONE_IPV6)
    assert phone.get(f"{server.url}/j/NOTHER", timeout=10).status_code == 404  # a wrong code first
    assert phone.get(f"{server.url}/j/{code}", timeout=10).ok
    assert other.get(f"{server.url}/j/{code}", timeout=10).ok
    api = f"{server.url}/api/w/{code}"
    board = next(c for c in phone.get(f"{api}/changes", timeout=10).json()["changes"] if c["type"] == "board")
    note = {"uuid": str(uuid.uuid4()), "kind": "note", "board_id": board["id"], "text": "Lisää iltapäivystystä"}
    assert phone.post(f"{api}/items", json=note, headers=API_HEADERS, timeout=10).status_code == 201
    photo = phone.post(f"{api}/items", headers=API_HEADERS, timeout=10,
                       data={"uuid": str(uuid.uuid4()), "kind": "photo", "board_id": str(board["id"])},
                       files={"image": ("IMG_0001.jpg", gps_photo((320, 240)), "image/jpeg")})
    assert photo.status_code == 201, photo.text
    assert other.post(f"{api}/items", json={**note, "uuid": str(uuid.uuid4())}, headers=API_HEADERS,
                      timeout=10).status_code == 201
    assert phone.post(f"{api}/items", json={"uuid": "x"}, headers=API_HEADERS, timeout=10).status_code == 422
    assert phone.post(f"{api}/items", json={**note, "uuid": str(uuid.uuid4())}, headers=API_HEADERS,
                      timeout=10).status_code == 429  # the flood limit's fourth write
    assert phone.get(f"{server.url}/no-such-page", timeout=10).status_code == 404
    server.stop()

    archive = tmp_path / "workshop.zip"
    exported = subprocess.run([sys.executable, "-m", "flask", "--app", "workshop", "archive", "export", code,
                               "-o", str(archive)], cwd=ROOT, capture_output=True, text=True, timeout=120,
                              env={**server.environment(), "FLASK_APP": "workshop"})
    assert exported.returncode == 0, exported.stderr
    with zipfile.ZipFile(archive) as opened:
        members = {name: opened.read(name) for name in opened.namelist()}
    assert any(name.startswith("media/") for name in members), "the photo is in the archive"

    written = {str(path.relative_to(tmp_path)): path.read_bytes()
               for path in tmp_path.rglob("*") if path.is_file() and path != archive}
    assert any(name.endswith(".log") for name in written) and any("sqlite3" in name for name in written)
    for place, content in {**written, **{f"archive:{name}": data for name, data in members.items()}}.items():
        for trace in TRACES:
            assert trace not in content, f"{trace!r} found in {place}"
    media = [data for name, data in members.items() if name.startswith("media/")]
    assert all(b"PhoneMaker" not in data and b"Exif" not in data[:64] for data in media)
    assert io.BytesIO(media[0]).read(2) == b"\xff\xd8"

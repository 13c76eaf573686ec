"""The server's floor: `run.py` with the note handler replaced by one that stores nothing.

    python bench/wall_latency.py --floor --phones 50 200 --mode gevent

`add_item` here numbers the note, sends it to the workshop's rooms and acknowledges it,
exactly as the real handler does after its commit, but without a database, the rules or
Flask's request work. Whatever latency the benchmark measures against this server is what
the web server, Flask-SocketIO, the WebSocket library and the load clients cost on their
own: no change to the app's code can bring the real numbers below it.
"""
import itertools
import os
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    if os.environ.get("SOCKETIO_ASYNC_MODE", "gevent") == "gevent":
        from gevent import monkey

        monkey.patch_all()  # before anything else imports the standard library's sockets
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)

    import workshop.api.events  # noqa: F401  (the real handlers first; add_item is replaced below)
    from workshop import changes
    from workshop.extensions import socketio

    numbers = itertools.count(1_000_000)

    def add_item(data):
        """Number the note and push it to both audiences of the benchmark's only workshop."""
        seq = next(numbers)
        entity = {"type": "item", "id": seq, "kind": "note", "board_id": data["board_id"], "theme_id": None,
                  "position": seq, "text": data["text"], "colour": "yellow", "from_paper": False, "image": None,
                  "created_at": None}
        for audience in changes.AUDIENCES:
            socketio.emit(changes.CHANGE_EVENT, {"seq": seq, "entity": entity}, to=changes.room(1, audience))
        return {"ok": True, "status": 201, "item": entity}

    socketio.on_event("add_item", add_item)
    sys.argv = [str(ROOT / "run.py")]
    runpy.run_path(str(ROOT / "run.py"), run_name="__main__")

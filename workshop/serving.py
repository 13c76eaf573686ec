"""The production web servers `run.py` starts, one per SOCKETIO_ASYNC_MODE.

- gevent (the default): gevent's WSGI server, one process and one thread; WebSockets
  through gevent-websocket, whose frame writer costs a fifth less CPU per message than
  simple-websocket's and halves the 95th percentile at 200 listeners (docs/performance.md).
  Works on Linux, macOS and Windows laptops.
- threading: gunicorn's threaded worker, a thread per connection (Linux and macOS only;
  `pip install gunicorn`).

docs/performance.md has the measurements behind the choice. Both servers write no request
log: it would put every participant's IP address in the terminal.
"""
from __future__ import annotations

import socket
import threading

from flask import Flask

#: Threads of the gunicorn worker in threading mode: every open WebSocket keeps one busy.
GUNICORN_THREADS = 500


def without_websocket_compression(wsgi_app):
    """Wrap a WSGI app so that WebSockets are opened without permessage-deflate.

    Browsers offer the extension and simple-websocket always accepts it, which makes the
    server compress every change separately for every phone: about 10 % of its CPU time
    for a few hundred bytes saved per message on a local Wi-Fi. (Node's Socket.IO server
    leaves it off by default for the same reason.) Without the offer, nothing is negotiated.
    """

    def app(environ, start_response):
        environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return wsgi_app(environ, start_response)

    return app


def serve_gevent(app: Flask, host: str, port: int, chores=None) -> None:
    """Serve with gevent's pywsgi until Ctrl+C. The standard library must be patched already.

    `chores(app)`, if given, runs in a greenlet beside the server (see `startup.every_day`).
    """
    import gevent
    from gevent import pywsgi
    from geventwebsocket.handler import WebSocketHandler

    hub = gevent.get_hub()
    hub.NOT_ERROR = (*hub.NOT_ERROR, KeyboardInterrupt)  # Ctrl+C stops the server without a report

    class Environ(pywsgi.WSGISecureEnviron):
        # If gevent prints a request's environment with an unexpected error, it shows none
        # of it (by default it would show the client's address).
        default_whitelist_keys = ()

    class Handler(WebSocketHandler):
        def handle(self):
            # Send each change at once: with Nagle's algorithm a second small message to the
            # same phone (the ack after the change) waits for the phone's delayed ACK, ~40 ms.
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().handle()

        def log_request(self):
            # gevent-websocket logs every plain request with the client's address: no.
            pass

        def log_error(self, msg, *args):
            # gevent names the client's address when it refuses a malformed request.
            super().log_error(msg, *("-" if arg == self.client_address else arg for arg in args))

    class Server(pywsgi.WSGIServer):
        secure_environ_class = Environ

    app.wsgi_app = without_websocket_compression(app.wsgi_app)
    if chores is not None:
        gevent.spawn(chores, app)
    Server((host, port), app, handler_class=Handler, log=None).serve_forever()


def run_off_the_loop(function, *args):
    """Run CPU-heavy `function(*args)` where it does not stop the server from serving others.

    Under gevent every connection shares one thread: decoding a photo (a tenth of a
    second or more) there would freeze every wall and phone meanwhile, so it runs in
    gevent's thread pool (Pillow releases the GIL while it decodes). Elsewhere each request
    has its own thread already and the call is made directly.
    """
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return function(*args)
    if not monkey.is_module_patched("threading"):
        return function(*args)
    import gevent

    return gevent.get_hub().threadpool.apply(function, args)


def serve_threads(app: Flask, host: str, port: int, chores=None) -> None:
    """Serve with one gunicorn worker process and a thread per connection until Ctrl+C.

    `chores(app)`, if given, runs in a thread of the worker process (not of gunicorn's
    arbiter, which forks the worker and must hold no database connection).
    """
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:  # pragma: no cover - depends on the platform
        raise SystemExit("SOCKETIO_ASYNC_MODE=threading needs gunicorn (Linux or macOS): pip install gunicorn")

    app.wsgi_app = without_websocket_compression(app.wsgi_app)

    class Server(BaseApplication):
        def load_config(self):
            # One worker: the wall's Socket.IO rooms live in this process's memory. gunicorn
            # sets TCP_NODELAY on its sockets itself. No access log.
            for key, value in {"bind": f"{host}:{port}", "workers": 1, "worker_class": "gthread",
                               "threads": GUNICORN_THREADS, "accesslog": None, "loglevel": "warning",
                               "timeout": 0, "graceful_timeout": 5}.items():
                self.cfg.set(key, value)
            if chores is not None:
                self.cfg.set("post_worker_init", lambda worker: threading.Thread(
                    target=chores, args=(app,), daemon=True, name="chores").start())

        def load(self):
            return app

    Server().run()

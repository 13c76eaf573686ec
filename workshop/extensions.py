"""The Flask extensions, created unbound here and bound to an app in `create_app`.

Nothing in this module knows about a particular app, so every test gets a fresh app with
its own database and no state shared through a module-level object.
"""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .ratelimits import network_key


class Base(DeclarativeBase):
    """Declarative base with named constraints, so migrations are the same on every database.

    SQLite cannot alter a constraint without a name; Alembic's batch mode recreates the
    table and needs the names to be predictable.
    """

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=network_key)
socketio = SocketIO()

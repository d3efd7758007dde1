from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from .db import Base

# A committed object keeps what was just written: expiring every object at each commit costs more than
# the commit, and what a request reads after it would be read back. Each request has its own session;
# reads that must see other writers' changes lock and re-read (cases.queries).
SESSION_OPTIONS = {"expire_on_commit": False}
db = SQLAlchemy(model_class=Base, session_options=dict(SESSION_OPTIONS))  # it adds its own to what it is given
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Throttles guessing on the citizen's side; RATELIMIT_STORAGE_URI (default memory://) shares it between processes.
limiter = Limiter(key_func=get_remote_address)

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from .db import Base

# A committed object keeps what was just written: the response a request renders after its commit does
# not read the rows back. Each request has its own session; reads that must see other writers' changes
# lock and re-read (cases.queries).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Throttles guessing on the citizen's side; RATELIMIT_STORAGE_URI (default memory://) shares it between processes.
limiter = Limiter(key_func=get_remote_address)

"""One Window: case management for One Window Service Offices."""
from pathlib import Path

from flask import Flask, session

from . import bounds, config, errors, i18n, permissions, security
from .db import add_sqlite_aggregates, serialise_sqlite_writers
from .engine import configure_sandbox
from .extensions import csrf, db, limiter, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.from_environment(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            serialise_sqlite_writers(db.engine)
            add_sqlite_aggregates(db.engine)
    configure_sandbox(app.config["SCRIPT_CPU_SECONDS"], app.config["SCRIPT_MEMORY_MB"])
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    bounds.init_app(app)  # before CSRF (forms are size-checked first) and the blueprints (their ids)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    errors.init_app(app)
    permissions.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    _register_models()
    _register_blueprints(app)

    from .timers.scheduler import serving_with_flask_run, start_scheduler
    if app.config["SCHEDULER_ENABLED"] and serving_with_flask_run(app):
        start_scheduler(app)
    return app


def _register_models() -> None:
    from .accounts import models as accounts_models  # noqa: F401  (Alembic sees every table)
    from .accounts import services as accounts_services
    from .audit import models as audit_models  # noqa: F401
    from .calendars import models as calendar_models  # noqa: F401
    from .decisions import models as decisions_models  # noqa: F401
    from .cases import models as cases_models  # noqa: F401
    from .catalogue import models as catalogue_models  # noqa: F401
    from .certificates import models as certificate_models  # noqa: F401
    from .queue import models as queue_models  # noqa: F401
    from .feedback import models as feedback_models  # noqa: F401
    from .designer import models as designer_models  # noqa: F401
    from .notifications import models as notification_models  # noqa: F401
    from .documents import models as documents_models  # noqa: F401
    from .payments import models as payments_models  # noqa: F401
    from .processes import models as processes_models  # noqa: F401

    @login_manager.user_loader
    def load_user(user_id: str):
        # The cookie names a server-side session: ended (logout, password change, deactivation) means signed out.
        return accounts_services.user_for_session(int(user_id), session.get("session_key"))

    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Sign in to see this page."


def _register_blueprints(app: Flask) -> None:
    from .administration.cli import offices_cli, users_cli
    from .administration.views import bp as administration_bp
    from .accounts.views import bp as accounts_bp
    from .api.certificates import bp as certificates_api
    from .api.queue import bp as queue_api
    from .api.reports import bp as api_reports_bp
    from .api.views import bp as api_bp
    from .audit.cli import audit_cli
    from .calendars.cli import holidays_cli
    from .calendars.views import bp as calendars_bp
    from .cases.views import bp as cases_bp
    from .catalogue.cli import catalogue_cli
    from .catalogue.views import bp as catalogue_admin_bp
    from .certificates.cli import certificates_cli
    from .certificates.views import bp as certificates_bp
    from .feedback.views import bp as feedback_bp
    from .queue.cli import queue_cli
    from .queue.views import bp as queue_bp
    from .queue.views import public as queue_public
    from .demo.cli import demo_cli
    from .designer.views import bp as designer_bp
    from .designer.views import case_diagrams
    from .inbox.views import bp as inbox_bp
    from .incidents.views import bp as incidents_bp
    from .cases.cli import cases_cli
    from .notifications.cli import notifications_cli
    from .notifications.views import bp as notifications_bp
    from .portal.api import bp as public_api_bp
    from .portal.counter import bp as counter_bp
    from .portal.views import bp as portal_bp
    from .processes.cli import bpmn_cli
    from .reports.views import bp as reports_bp
    from .reports.views import public as performance_bp
    from .supervision.views import bp as supervision_bp
    from .timers.cli import scheduler_cli, timers_cli

    for blueprint in (accounts_bp, administration_bp, api_bp, cases_bp, inbox_bp, supervision_bp, offices_cli,
                      users_cli, bpmn_cli,
                      timers_cli, scheduler_cli, demo_cli, calendars_bp, holidays_cli, notifications_bp,
                      notifications_cli, designer_bp, case_diagrams, audit_cli, certificates_bp, certificates_api,
                      certificates_cli, reports_bp, api_reports_bp, performance_bp, catalogue_cli,
                      public_api_bp, portal_bp, counter_bp, queue_bp, queue_public, queue_api, queue_cli,
                      feedback_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(incidents_bp)
    app.register_blueprint(cases_cli)
    app.register_blueprint(catalogue_admin_bp)

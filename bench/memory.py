"""A worker's memory as it processes cases: `python -m bench.memory URL SMALL LARGE` prints its RSS
after SMALL and after LARGE cases, each case registered and its documents checked through the
services, one commit and one session per call as in a request."""
import json
import sys

from .world import rss_mib


def main(url: str, small: int, large: int) -> dict:
    import gc

    from app import create_app
    from app.cases.work_items import complete
    from app.cases.write_path import start_case
    from app.extensions import db
    from office_data import APPLICATION, INTAKE

    from .world import user
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False, "SECRET_KEY": "bench"})
    samples = {}
    with app.app_context():
        for n in range(1, large + 1):
            clerk = user("dara")
            case = start_case("commercial_licence", APPLICATION, clerk, clerk.office)
            item_id = case.open_items[0].id
            db.session.commit()
            db.session.remove()
            complete(user("dara"), item_id, INTAKE)
            db.session.commit()
            db.session.remove()
            if n in (small, large):
                gc.collect()
                samples[n] = rss_mib()
    return {"after_small": samples[small], "after_large": samples[large], "small": small, "large": large}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))

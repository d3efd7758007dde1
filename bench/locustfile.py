"""The office at work, for locust: front officers register applications and check documents,
back officers review, chiefs sign, everyone reads their inbox; all through the JSON API.

Run by bench/load.py (headless, loopback, bounded in time and in requests). A 409 on a claim
is another officer taking the item first: the right answer to a race, counted apart as a
conflict; anything else that is not 2xx is an error.
"""
import json
import os
import random
import sys
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.world import LOAD_STAFF as STAFF  # noqa: E402  (also puts tests/ on the path)
from office_data import APPLICATION, FOLLOW_UP, HAND_OVER, INTAKE, REVIEW_APPROVE, SIGN  # noqa: E402

MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "20000"))
DATA = {"check_documents": INTAKE, "technical_review": REVIEW_APPROVE, "sign_licence": SIGN,
        "hand_over": HAND_OVER}
# Signed in before the run (bench/load.py): the run measures the office's work, not password hashing.
_tokens: dict[str, str] = json.loads(os.environ.get("BENCH_TOKENS", "{}"))
_sent = [0]
_conflicts = [0]


@events.request.add_listener
def _count(**kwargs):
    _sent[0] += 1


@events.quitting.add_listener
def _report_conflicts(environment, **kwargs):
    if os.environ.get("BENCH_CONFLICTS_FILE"):
        Path(os.environ["BENCH_CONFLICTS_FILE"]).write_text(str(_conflicts[0]))


class Officer(HttpUser):
    wait_time = between(0.05, 0.3)

    def on_start(self):
        self.username, self.role = random.choice(STAFF)
        self.headers = {"Authorization": f"Bearer {_tokens[self.username]}"}

    def _enough(self):
        if _sent[0] >= MAX_REQUESTS:
            self.environment.runner.quit()
            return True
        return False

    @task(3)
    def inbox_then_work(self):
        if self._enough():
            return
        items = self.client.get("/api/v1/inbox", headers=self.headers, name="GET /inbox").json()
        free = [i for i in items if i["assignee"] is None and (i["task"] in DATA or i["task"].endswith("followup"))]
        if not free:
            return
        item = random.choice(free[:20])
        with self.client.post(f"/api/v1/work-items/{item['id']}/claim", headers=self.headers,
                              name="POST /work-items/ID/claim", catch_response=True) as claimed:
            if claimed.status_code == 409:
                claimed.success()
                _conflicts[0] += 1
                return
        data = FOLLOW_UP if item["task"].endswith("followup") else DATA[item["task"]]
        with self.client.post(f"/api/v1/work-items/{item['id']}/complete", headers=self.headers, json={"data": data},
                              name="POST /work-items/ID/complete", catch_response=True) as done:
            if done.status_code == 409:
                done.success()
                _conflicts[0] += 1

    @task(1)
    def register_application(self):
        if self.role != "front_office" or self._enough():
            return
        self.client.post("/api/v1/cases", headers=self.headers, name="POST /cases",
                         json={"process": "commercial_licence", "data": APPLICATION})

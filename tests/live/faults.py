#!/usr/bin/env python3
"""The fault suite (issue 12 item 10): the real service under load while
it is killed and its database restarted.

Eight clients open cases and submit data with Idempotency-Keys, retrying
each request until it has a definitive answer, as docs/api.md tells clients
to (on a refused connection, 503 or 409 `idempotency_in_progress`). Meanwhile:
1. the service is killed with SIGKILL and restarted on the same address
   (a restarted instance);
2. it is killed again and replaced by an instance on another port (a dead
   instance: its keys are taken over after their lease);
3. PostgreSQL is restarted (`pg_ctl restart -m fast`) under the running
   service.
Then it checks, in the database: 0 lost (every acknowledged command's events
are there), 0 duplicated (one assignment, one opening, at most one
submission per subject; billed once), 0 stuck (no key left in progress);
every answer was 2xx or a documented retryable one (no 500). It measures the
time from each fault to the first success after it, and the longest a
request waited for its answer.

Usage: faults.py VERITRAIL_BINARY REPORT_DIR
Environment: VERITRAIL_TEST_DATABASE_URL (the test cluster), PG_BIN and
PG_DATA (its binaries and data directory, for the restart).
"""

import collections
import json
import os
import subprocess
import sys
import threading
import time

from service import Service, call, fresh_database, log, open_tenant

CLIENTS = 8
PATIENCE = 90  # seconds a request may take to get a definitive answer
SUBMISSION = {
    "given_names": "Jane", "family_name": "Citizen", "date_of_birth": "1988-02-29",
    "nationality": "AUS", "email": "jane@example.com",
}


class Load:
    def __init__(self, service, org):
        self.service = service
        self.org = org
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.results = {}
        self.unexpected = []
        self.statuses = collections.Counter()
        self.successes = []
        self.longest_wait = 0.0
        self.threads = [threading.Thread(target=self.client, args=(i,)) for i in range(CLIENTS)]

    def definitive(self, method, path, token, body, key):
        """Retries until a definitive answer; returns the 2xx body or None."""
        started = time.time()
        while True:
            try:
                status, _, answer = call(self.service.base, method, path, token, body, key=key,
                                         timeout=PATIENCE)
            except OSError:
                status, answer = "refused", None
            code = (answer or {}).get("error", {}).get("code") if isinstance(answer, dict) else None
            with self.lock:
                self.statuses[f"{status} {code}" if code else str(status)] += 1
            now = time.time()
            if isinstance(status, int) and 200 <= status < 300:
                with self.lock:
                    self.successes.append(now)
                    self.longest_wait = max(self.longest_wait, now - started)
                return answer
            retryable = status in ("refused", 503) or (status == 409 and code == "idempotency_in_progress")
            if not retryable or now - started > PATIENCE:
                with self.lock:
                    self.unexpected.append({"request": f"{method} {path}", "key": key,
                                            "status": status, "body": answer})
                return None
            time.sleep(0.1)

    def client(self, index):
        n = 0
        while not self.stopping.is_set():
            subject = f"EMP-{index}-{n}"
            n += 1
            opened = self.definitive("POST", "/verifications", self.org, {
                "subject": {"id": subject}, "requested_checks": ["bankruptcy"],
            }, key=f"open-{subject}")
            record = {"case": opened and opened["id"], "submitted": False}
            with self.lock:
                self.results[subject] = record
            invitation = (opened or {}).get("invitation") or {}
            if not invitation.get("token"):
                continue
            submitted = self.definitive("PUT", f"/verifications/{opened['id']}/data",
                                        invitation["token"], SUBMISSION, key=f"submit-{subject}")
            record["submitted"] = submitted is not None

    def start(self):
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=PATIENCE * 3)

    def recovery_after(self, moment):
        with self.lock:
            later = [t for t in self.successes if t > moment]
        return round(min(later) - moment, 3) if later else None


def query(database, sql):
    out = subprocess.run(["psql", "-qtA", "-d", database, "-c", sql], check=True,
                         capture_output=True, text=True).stdout.strip()
    return out


def restart_postgres():
    data = os.environ["PG_DATA"]
    ctl = [os.path.join(os.environ["PG_BIN"], "pg_ctl"), "-D", os.path.join(data, "data"),
           "-l", os.path.join(data, "server.log"), "-m", "fast", "-w", "restart"]
    if os.geteuid() == 0:
        ctl = ["runuser", "-u", "postgres", "--", *ctl]
    started = time.time()
    # The server outlives pg_ctl: it must not hold our pipes open.
    subprocess.run(ctl, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return started, time.time()


def verify(database, load):
    """The invariants; returns a list of violations."""
    opened = {r["case"] for r in load.results.values() if r["case"]}
    submitted = {r["case"] for r in load.results.values() if r["submitted"]}
    subjects = len(load.results)
    count = lambda sql: int(query(database, sql))
    problems = []
    facts = {
        "CaseAssigned": count("SELECT count(*) FROM events WHERE event_type = 'CaseAssigned'"),
        "CaseOpened": count("SELECT count(*) FROM events WHERE event_type = 'CaseOpened'"),
        "DataSubmitted": count("SELECT count(*) FROM events WHERE event_type = 'DataSubmitted'"),
        "billed": count("SELECT count(*) FROM usage_events WHERE module = 'workflow'"),
        "keys in progress": count("SELECT count(*) FROM idempotency_keys WHERE status_code IS NULL"),
    }
    stored = set(query(database, "SELECT aggregate_id FROM events WHERE event_type = 'CaseOpened'").split())
    with_data = set(query(database, "SELECT aggregate_id FROM events WHERE event_type = 'DataSubmitted'").split())
    lost = (opened - stored) | (submitted - with_data)
    if lost:
        problems.append(f"lost: {sorted(lost)[:5]} ({len(lost)})")
    for kind in ("CaseAssigned", "CaseOpened", "billed"):
        if facts[kind] != subjects:
            problems.append(f"{kind}: {facts[kind]} for {subjects} subjects")
    if facts["DataSubmitted"] != len(submitted):
        problems.append(f"DataSubmitted: {facts['DataSubmitted']} for {len(submitted)} acknowledged")
    if facts["keys in progress"]:
        problems.append(f"{facts['keys in progress']} keys stuck in progress")
        problems.append("stuck: " + query(database, "SELECT idempotency_key, owner, request_id, created_at FROM idempotency_keys WHERE status_code IS NULL"))
        problems.append("sessions: " + query(database, "SELECT state, wait_event_type, wait_event, now() - xact_start, left(query, 120) FROM pg_stat_activity WHERE datname = current_database()"))
    if load.unexpected:
        problems.append(f"{len(load.unexpected)} unexpected answers, e.g. {load.unexpected[:3]}")
    return facts, problems


def main():
    binary, report_dir = (os.path.abspath(a) for a in sys.argv[1:3])
    os.makedirs(report_dir, exist_ok=True)
    database = fresh_database(os.environ["VERITRAIL_TEST_DATABASE_URL"], "faults")
    # Every request is logged (with its id and duration) for the post-mortem.
    service = Service(binary, database, report_dir, log_level="info")
    service.run("migrate")
    service.start()
    org = open_tenant(service, roles=("organisation",))["organisation"]
    load = Load(service, org)
    figures = {}
    try:
        load.start()
        time.sleep(3)
        log("faults: kill -9, restart on the same address")
        killed = service.kill9()
        figures["restart ready after (s)"] = round(service.start() - killed, 3)
        time.sleep(4)
        figures["recovery after kill -9 + restart (s)"] = load.recovery_after(killed)

        log("faults: kill -9, another instance takes over on another port")
        killed = service.kill9()
        service.port = None
        service.start()
        time.sleep(7)
        figures["recovery after kill -9 + new instance (s)"] = load.recovery_after(killed)

        log("faults: PostgreSQL restarted under load")
        began, ended = restart_postgres()
        figures["PostgreSQL restart took (s)"] = round(ended - began, 3)
        time.sleep(4)
        figures["recovery after PostgreSQL restart (s)"] = load.recovery_after(ended)
    finally:
        load.stop()
        service.stop()
    figures["longest wait for a definitive answer (s)"] = round(load.longest_wait, 3)
    facts, problems = verify(database, load)
    summary = {"figures": figures, "facts": facts, "subjects": len(load.results),
               "answers": dict(load.statuses), "problems": problems}
    with open(os.path.join(report_dir, "faults.json"), "w") as out:
        json.dump(summary, out, indent=2)
    print(json.dumps(summary, indent=2))
    if problems:
        raise SystemExit("fault suite failed: " + "; ".join(problems))
    log("faults: 0 lost, 0 duplicated, 0 stuck, no unexpected answer")


if __name__ == "__main__":
    main()

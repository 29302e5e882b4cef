"""Checks Veritrail's webhook signatures with the independent
`standardwebhooks` package (the Standard Webhooks reference library).

Reads a JSON list on stdin: {"secret", "id", "timestamp", "signature",
"body"} per delivery. For each, the reference library signs (id, timestamp,
body) with the secret, and the signature must be among those in the
`webhook-signature` header; deliveries stamped within the library's
tolerance of now are also put through its full `verify`. Prints one JSON
object: {"checked", "matched", "verified", "failures": [...]}.
"""

import json
import sys
import time
from datetime import datetime, timezone

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

TOLERANCE = 5 * 60


def main() -> None:
    deliveries = json.load(sys.stdin)
    matched, verified, failures = 0, 0, []
    for d in deliveries:
        hook = Webhook(d["secret"])
        at = datetime.fromtimestamp(int(d["timestamp"]), tz=timezone.utc)
        expected = hook.sign(d["id"], at, d["body"])
        if expected in d["signature"].split(" "):
            matched += 1
        else:
            failures.append({"id": d["id"], "expected": expected, "got": d["signature"]})
            continue
        if abs(time.time() - int(d["timestamp"])) < TOLERANCE:
            headers = {
                "webhook-id": d["id"],
                "webhook-timestamp": d["timestamp"],
                "webhook-signature": d["signature"],
            }
            try:
                hook.verify(d["body"], headers)
                verified += 1
            except WebhookVerificationError as error:
                failures.append({"id": d["id"], "verify": str(error)})
    print(json.dumps({"checked": len(deliveries), "matched": matched,
                      "verified": verified, "failures": failures}))


if __name__ == "__main__":
    main()

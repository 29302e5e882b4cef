#!/usr/bin/env python3
"""Prints the messages of a Maildir (what aiosmtpd's Mailbox handler
stored) as JSON, decoded by Python's own email package: a list of
{to, from, reply_to, subject, message_id, body}, oldest first."""
import json
import mailbox
import sys


def main() -> None:
    box = mailbox.Maildir(sys.argv[1], create=False)
    messages = []
    for key in box.keys():
        message = box.get_message(key)
        payload = message.get_payload(decode=True) or b""
        charset = message.get_content_charset() or "utf-8"
        messages.append({
            "to": message.get_all("To", []),
            "from": message.get("From"),
            "reply_to": message.get("Reply-To"),
            "subject": str(message.get("Subject", "")),
            "message_id": message.get("Message-ID"),
            "date": message.get("Date"),
            "body": payload.decode(charset),
        })
    messages.sort(key=lambda m: (m["date"] or "", m["message_id"] or ""))
    json.dump(messages, sys.stdout)


if __name__ == "__main__":
    main()

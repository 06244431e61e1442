"""The notification hook: a command and a webhook told when a delivery needs a human."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hospipost.config import Config
from hospipost.errors import InputError
from hospipost.notify import notify
from hospipost.publisher import Outcome
from tests.helpers import make_config

FAILED = Outcome("canicule", "x", "failed", message="X refused the credentials")
SENT = Outcome("canicule", "facebook", "sent", url="https://www.facebook.com/1_2")


def with_notify(tmp_path: Path, section: str) -> Config:
    return make_config(tmp_path / "site", f"notify:\n{section}")


def test_the_command_gets_the_event_on_stdin_and_in_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOSPIPOST_X_API_KEY", "SECRET-X-KEY-7f3a")
    out = tmp_path / "events.txt"
    config = with_notify(
        tmp_path,
        f"  command: 'cat >> {out}; echo \" $HOSPIPOST_EVENT_POST/$HOSPIPOST_EVENT_STATE key=$HOSPIPOST_X_API_KEY\" >> {out}'\n",
    )
    assert notify([SENT, FAILED], config) == 1
    text = out.read_text()
    event = json.loads(text.split(" canicule/")[0])
    assert event["post"] == "canicule" and event["state"] == "failed" and event["organisation"] == "CHU d'Angers"
    assert "canicule/failed key=\n" in text  # the command never sees a credential


def test_the_webhook_gets_a_json_post(tmp_path: Path) -> None:
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        config = with_notify(
            tmp_path, f"  webhook: http://127.0.0.1:{server.server_address[1]}/hook\n  when: [failed, unknown]\n"
        )
        notify([FAILED, Outcome("p", "x", "retry", message="503")], config)
    finally:
        server.shutdown()
    assert [event["state"] for event in received] == ["failed"]


def test_a_broken_hook_is_logged_and_never_stops_publishing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = with_notify(tmp_path, "  command: 'exit 3'\n  webhook: http://127.0.0.1:1/nowhere\n")
    assert notify([FAILED], config) == 1
    assert "notify.command exited with status 3" in caplog.text and "notify.webhook failed" in caplog.text


def test_no_hook_no_work(config: Config) -> None:
    assert notify([FAILED], config) == 0


@pytest.mark.parametrize(
    "section, message",
    [
        ("  webhook: ftp://example.org\n", "notify.webhook must be an http(s):// URL"),
        ("  when: [failed, exploded]\n", "unknown state 'exploded'"),
        ("  sms: '0612345678'\n", "unknown key 'sms'"),
    ],
)
def test_bad_notify_config(tmp_path: Path, section: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        with_notify(tmp_path, section)

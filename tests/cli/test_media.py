"""`hospipost media export`: the copies a web server publishes at media_url pass hospipost's own check."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from hospipost.cli import cli
from hospipost.credentials import Credentials
from hospipost.media import strip_metadata
from hospipost.publicmedia import open_public_media
from tests.helpers import CONFIG_YAML, make_config
from tests.test_publicmedia import QuietHandler, jpeg_with_exif

QUEUE = """\
posts:
  - id: don-du-sang
    at: 2026-12-07 09:00
    text: Collecte de sang au CHU d'Angers lundi, hall B.
    networks: [facebook]
    media:
      - {file: media/campagne/affiche.jpg, alt: "Affiche de la collecte de sang du lundi, hall B."}
      - {file: media/absente.png, alt: "Une image qui manque au dossier media."}
"""


@pytest.fixture
def web(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    served = tmp_path / "www"
    served.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(served)))
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", served
    server.shutdown()
    server.server_close()


def test_exported_copies_are_what_the_served_folder_check_expects(tmp_path: Path, web: tuple[str, Path]) -> None:
    url, served = web
    config = make_config(tmp_path / "site", text=CONFIG_YAML + f"media_url: {url}\n")
    photo = jpeg_with_exif()
    (config.root / "media" / "campagne").mkdir(parents=True)
    (config.root / "media" / "campagne" / "affiche.jpg").write_bytes(photo)
    (config.root / "posts" / "news.yaml").write_text(QUEUE, encoding="utf-8")

    result = CliRunner().invoke(cli, ["--config", str(config.path), "media", "export", str(served)])

    assert result.exit_code == 2  # one file is missing: said, and the rest written
    assert "Wrote 1 file into" in result.output and "Skipped: media/absente.png cannot be read" in result.output
    copy = (served / "campagne" / "affiche.jpg").read_bytes()
    assert copy == strip_metadata(photo) != photo  # no GPS position or camera on the web server
    store = open_public_media(config.public_media, Credentials({}))  # type: ignore[arg-type]
    assert store.url("media/campagne/affiche.jpg", strip_metadata(photo), "image/jpeg") == f"{url}campagne/affiche.jpg"

"""WebVTT captions turned into SRT for the networks that take only SRT."""

from __future__ import annotations

from hospipost.networks.srt import as_srt
from hospipost.networks.video import captions_format

VTT = (
    "\ufeffWEBVTT - canicule\n\nNOTE relu par le service communication\n\nSTYLE\n::cue { color: yellow }\n\n"
    "intro\n00:01.000 --> 00:03.500 align:start line:90%\n<v Dr Martin>Buvez de l'eau</v>\n\n"
    "01:02:03.250 --> 01:02:05.000\r\n<i>Appelez le 15</i>\r\n<c.urgent>si malaise</c>\n"
)


def test_webvtt_becomes_numbered_srt_without_settings_notes_or_voice_tags() -> None:
    srt = as_srt(VTT.encode())
    assert srt.decode() == (
        "1\n00:00:01,000 --> 00:00:03,500\nBuvez de l'eau\n\n"
        "2\n01:02:03,250 --> 01:02:05,000\n<i>Appelez le 15</i>\nsi malaise\n"
    )
    assert captions_format(srt) == "srt"


def test_srt_is_sent_unchanged() -> None:
    srt = b"1\r\n00:00:01,000 --> 00:00:02,000\r\nBonjour\r\n"
    assert as_srt(srt) == srt

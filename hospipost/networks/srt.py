"""Captions converted between the two formats posts may name: SRT (LinkedIn, Facebook) and WebVTT (Bluesky)."""

from __future__ import annotations

import re

from hospipost.networks.video import captions_format

_TIME = re.compile(r"(?:(\d+):)?(\d{2}):(\d{2})[.,](\d{3})")
_VTT_TAGS = re.compile(r"<(?!/?[biu]>)[^>]*>")  # voice, class, timestamp tags: SRT keeps only <b>, <i>, <u>


def as_srt(data: bytes) -> bytes:
    """A captions file (``captions_format`` says it is WebVTT or SRT) as SRT: SRT unchanged; WebVTT's cues
    numbered from 1, their times as ``HH:MM:SS,mmm``, without cue settings, NOTE/STYLE/REGION blocks or tags."""
    if captions_format(data) != "vtt":
        return data
    text = data.decode("utf-8-sig", "replace").replace("\r\n", "\n").replace("\r", "\n")
    cues: list[str] = []
    for block in re.split(r"\n[ \t]*\n", text.strip())[1:]:  # the first block is the WEBVTT header
        lines = block.split("\n")
        timing = next((index for index, line in enumerate(lines) if "-->" in line), None)
        if timing is None:
            continue  # NOTE, STYLE, REGION
        times = [_TIME.search(side) for side in lines[timing].split("-->", 1)]
        if not all(times):
            continue
        start, end = (f"{int(m[1] or 0):02d}:{m[2]}:{m[3]},{m[4]}" for m in times if m)
        words = [_VTT_TAGS.sub("", line) for line in lines[timing + 1 :]]
        cues.append(f"{len(cues) + 1}\n{start} --> {end}\n" + "\n".join(words))
    return ("\n\n".join(cues) + "\n").encode()


def as_vtt(data: bytes) -> bytes:
    """A captions file as WebVTT: WebVTT unchanged; SRT with a header and '.' before the milliseconds
    (cue numbers stay, as cue ids)."""
    if captions_format(data) == "vtt":
        return data
    text = data.decode("utf-8-sig", "replace").replace("\r\n", "\n")
    return ("WEBVTT\n\n" + re.sub(r"(\d\d:\d\d:\d\d),(\d{3})", r"\1.\2", text.lstrip())).encode()

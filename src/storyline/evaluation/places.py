"""`storyline eval places`: geocoding accuracy on GeoWebNews, TR-News, LGL and GeoVirus.

Reads any file in those formats (DIR/geoparsing/*.xml by default) and scores
- given gold spans: each gold toponym with coordinates is geocoded in its article
  (with every other gold toponym of the article as context, as a reader would have it);
- end to end: our own place spans (the entities stage's NER + gazetteer) matched to gold
  by character overlap, geocoded with our own context.
Metrics (Gritta et al., "A Pragmatic Guide to Geoparsing Evaluation", 2019): Acc@161 (share
of errors within 161 km), AUC of the log error curve (0 best, 1 worst) and median error in
km. End to end also reports recall (gold toponyms our spans overlap) and Acc@161 counting
missed toponyms as wrong. Then the seeds checklist of EXPECTED.md (entities and places).
"""

from __future__ import annotations

import math
import statistics
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import click

from storyline.errors import StorylineError
from storyline.evaluation import data_option, resolve_data_dir


@dataclass
class Toponym:
    name: str
    start: int
    end: int
    lat: float
    lon: float


@dataclass
class GeoDoc:
    text: str
    toponyms: list[Toponym]


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def read_corpus(path: Path) -> list[GeoDoc]:
    """GeoWebNews (<toponyms><toponym><latitude>), TR-News/LGL (<gaztag><lat>) or GeoVirus
    (<locations><location><lat>) XML; toponyms without coordinates are skipped."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise StorylineError(f"cannot read {path} as geoparsing XML: {exc}") from exc
    docs = []
    for art in root.iter("article"):
        text = art.findtext("text") or ""
        tops = []
        for t in [*art.iter("toponym"), *art.iter("location")]:
            lat = _float(t.findtext("latitude") or t.findtext("lat") or t.findtext("gaztag/lat"))
            lon = _float(t.findtext("longitude") or t.findtext("lon") or t.findtext("gaztag/lon"))
            start, end = _float(t.findtext("start")), _float(t.findtext("end"))
            if lat is None or lon is None or start is None or end is None:
                continue
            name = t.findtext("extractedName") or t.findtext("phrase") or t.findtext("name") or ""
            start, end = _align(text, name.strip(), int(start), int(end))
            tops.append(Toponym(name.strip(), start, end, lat, lon))
        if text:
            docs.append(GeoDoc(text, tops))
    if not docs:
        raise StorylineError(f"{path} holds no <article> with <text>: not a GeoWebNews/LGL/TR-News/GeoVirus file")
    return docs


def _align(text: str, name: str, start: int, end: int) -> tuple[int, int]:
    """GeoVirus offsets are one character late: move a span onto its name when it is near."""
    if not name or text[start:end] == name:
        return start, end
    for shift in (-1, 1, -2, 2, -3, 3):
        s = start + shift
        if s >= 0 and text[s : s + len(name)] == name:
            return s, s + len(name)
    return start, end


def scores(errors: list[float]) -> dict[str, float]:
    if not errors:
        return {"acc161": 0.0, "within161": 0, "auc": 1.0, "median": float("nan"), "n": 0}
    ordered = sorted(errors)
    logs = [math.log(e + 1) / math.log(20039) for e in ordered]  # 20039 km: half the equator
    area = sum((a + b) / 2 for a, b in zip(logs, logs[1:], strict=False)) / max(1, len(logs) - 1)
    return {
        "acc161": sum(e <= 161 for e in errors) / len(errors),
        "within161": sum(e <= 161 for e in errors),
        "auc": area if len(logs) > 1 else logs[0],
        "median": statistics.median(errors),
        "n": len(errors),
    }


def gold_span_errors(docs: list[GeoDoc]) -> list[float]:
    from storyline.geo.gazetteer import haversine_km
    from storyline.geo.places import geocode_document

    errors = []
    for doc in docs:
        mentions = [doc.text[t.start : t.end] or t.name for t in doc.toponyms]
        for t, place in zip(doc.toponyms, geocode_document(mentions), strict=True):
            errors.append(20039.0 if place is None else haversine_km(t.lat, t.lon, place.lat, place.lon))
    return errors


def end_to_end_errors(docs: list[GeoDoc]) -> tuple[list[float], int]:
    """(errors of the gold toponyms our spans overlap, number of gold toponyms)."""
    from storyline.geo.gazetteer import haversine_km
    from storyline.stages.entities.extract import extract_places

    errors, total = [], 0
    found = extract_places([d.text for d in docs])
    for doc, places in zip(docs, found, strict=True):
        total += len(doc.toponyms)
        for t in doc.toponyms:
            best = None
            for (start, end, _mention, place) in places:
                overlap = min(end, t.end) - max(start, t.start)
                if overlap > 0 and (best is None or overlap > best[0]):
                    best = (overlap, place)
            if best is not None:
                errors.append(haversine_km(t.lat, t.lon, best[1].lat, best[1].lon))
    return errors, total


def _line(label: str, s: dict[str, float]) -> str:
    return f"  {label:<28} Acc@161 {s['acc161']:.3f}  AUC {s['auc']:.3f}  median {s['median']:.0f} km  ({s['within161']}/{s['n']} within 161 km)"


@click.command("places")
@data_option
@click.option("--file", "files", multiple=True, type=click.Path(dir_okay=False),
              help="A GeoWebNews/LGL/TR-News/GeoVirus XML file (repeatable); default DIR/geoparsing/*.xml.")
@click.option("--gold-only", is_flag=True, help="Skip the end-to-end run (no NER).")
@click.option("--limit", type=int, default=0, help="Only the first N articles of each file.")
def command(data: str | None, files: tuple[str, ...], gold_only: bool, limit: int) -> None:
    """Geocoding Acc@161 / AUC / median error, given gold spans and end to end; seeds checklist."""
    if files:
        paths = [Path(f) for f in files]
        for p in paths:
            if not p.is_file():
                raise StorylineError(f"no file {p}")
    else:
        folder = resolve_data_dir(data) / "geoparsing"
        paths = sorted(folder.glob("*.xml"))
        if not paths:
            raise StorylineError(f"no *.xml in {folder}: expected GWN.xml, TR-News.xml, GeoVirus.xml")
    for path in paths:
        docs = read_corpus(path)
        if limit:
            docs = docs[:limit]
        n = sum(len(d.toponyms) for d in docs)
        click.echo(f"{path.name}: {len(docs)} articles, {n} toponyms with coordinates")
        started = time.perf_counter()
        click.echo(_line("given gold spans", scores(gold_span_errors(docs)))
                   + f"  {time.perf_counter() - started:.1f}s")
        if not gold_only:
            started = time.perf_counter()
            errors, total = end_to_end_errors(docs)
            s = scores(errors)
            click.echo(_line("end to end (matched spans)", s) + f"  {time.perf_counter() - started:.1f}s")
            strict = sum(e <= 161 for e in errors) / total if total else 0.0
            click.echo(f"  {'':<28} recall {len(errors) / max(1, total):.3f}  "
                       f"Acc@161 counting missed toponyms as wrong {strict:.3f}")
    click.echo("")
    from storyline.evaluation._seeds_entities import print_checklist

    print_checklist()

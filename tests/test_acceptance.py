"""`status --json` against an independent reading of SPEC, on random plans and ledgers.

The reading below is written from SPEC's text alone ("How progress is computed", "Plans without
numbers"), sharing no code with plantrack's engine: random plans of targeted and monitored
indicators and milestones, random measurements, state changes, assessments and retractions
written through the ledger, then the CLI's JSON compared field by field to 4 decimals.
"""

from __future__ import annotations

import json
import math
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from plantrack import models
from plantrack.cli.app import app
from plantrack.models import Kind, Level, State
from plantrack.plan import planfile
from plantrack.store import db, ledger, revisions

ADOPTED = date(2024, 1, 1)
STEPS = {"green": 0, "amber-green": 1, "amber": 2, "amber-red": 3, "red": 4}


@dataclass
class Ind:
    id: str
    baseline: float
    baseline_date: date
    target: float | None
    target_date: date | None
    decrease: bool
    weight: float


@dataclass
class Ms:
    id: str
    due: date
    weight: float


@dataclass
class Obj:
    id: str
    start: date
    due: date
    weight: float
    inds: list[Ind] = field(default_factory=list)
    mss: list[Ms] = field(default_factory=list)


def toml(objs: list[Obj]) -> str:
    out = [
        '[plan]\nid = "acc"\ntitle = "Acceptance"\nadopted = 2024-01-01\nhorizon = 2030-12-31\n'
        "assessment_days = 100\n[plan.trend]\nstrong = 0.05\nmoderate = 0.01\n"
    ]
    for o in objs:
        out.append(
            f'[[objective]]\nid = "{o.id}"\ntitle = "{o.id}"\nstart = {o.start}\ndue = {o.due}\nweight = {o.weight}\n'
        )
        for m in o.mss:
            out.append(
                f'  [[objective.milestone]]\n  id = "{m.id}"\n  title = "m"\n  due = {m.due}\n  weight = {m.weight}\n'
            )
        for i in o.inds:
            out.append(f'  [[objective.indicator]]\n  id = "{i.id}"\n  name = "i"\n  baseline = {i.baseline}\n'
                       f'  baseline_date = {i.baseline_date}\n  weight = {i.weight}\n'
                       f'  direction = "{"decrease" if i.decrease else "increase"}"\n')  # fmt: skip
            if i.target is not None:
                out.append(f"  target = {i.target}\n  target_date = {i.target_date}\n")
    return "".join(out)


DAY = st.integers(0, 2000).map(lambda n: ADOPTED + timedelta(days=n))
WEIGHT = st.sampled_from([0.5, 1.0, 2.0])


@st.composite
def plans(draw: Any) -> list[Obj]:
    objs = []
    for n in range(draw(st.integers(1, 4))):
        start = ADOPTED + timedelta(days=draw(st.integers(0, 300)))
        due = start + timedelta(days=draw(st.integers(400, 2200)))
        o = Obj(f"o{n}", start, due, draw(WEIGHT))
        for k in range(draw(st.integers(0, 2))):
            o.mss.append(
                Ms(
                    f"o{n}m{k}",
                    start + timedelta(days=draw(st.integers(0, (due - start).days))),
                    draw(WEIGHT),
                )
            )
        for k in range(draw(st.integers(0, 2))):
            decrease = draw(st.booleans())
            baseline = float(draw(st.integers(0, 100)))
            target = None
            if draw(st.booleans()):
                delta = float(draw(st.integers(1, 50)))
                target = baseline - delta if decrease else baseline + delta
            bd = start + timedelta(days=draw(st.integers(0, 100)))
            td = bd + timedelta(days=draw(st.integers(200, 1500))) if target is not None else None
            o.inds.append(Ind(f"o{n}i{k}", baseline, bd, target, td, decrease, draw(WEIGHT)))
        objs.append(o)
    return objs


# --- the independent reading ------------------------------------------------------------------


def wmean(pairs: list[tuple[float, float]]) -> float | None:
    w = sum(b for _, b in pairs)
    return None if w <= 0 else sum(a * b for a, b in pairs) / w


def prog(v: float, b: float, t: float) -> float:
    return min(1.0, max(0.0, (v - b) / (t - b)))


def path_value(i: Ind, d: date) -> float:
    assert i.target is not None and i.target_date is not None
    if d <= i.baseline_date:
        return i.baseline
    if d >= i.target_date:
        return i.target
    f = (d - i.baseline_date).days / (i.target_date - i.baseline_date).days
    return i.baseline + (i.target - i.baseline) * f


def trend_of(i: Ind, live: list[tuple[date, int, float]], strong: float, moderate: float) -> str | None:
    after = [(d, n, v) for d, n, v in live if d > i.baseline_date]
    if not after:
        return None
    d, _n, v = max(after)
    days = max(1, (d - i.baseline_date).days)
    try:
        r = (max(v, 0.001) / max(i.baseline, 0.001)) ** (365.25 / days) - 1
    except OverflowError:
        r = math.inf
    s = -r if i.decrease else r
    return "strong" if s >= strong else "moderate" if s >= moderate else "limited" if s >= 0 else "worsening"


def expected_status(objs: list[Obj], entries: list[dict[str, Any]], as_of: date) -> dict[str, Any]:
    retracted = {e["retracts"] for e in entries if e["kind"] == "retraction"}
    live = [
        e for e in entries if e["kind"] != "retraction" and e["uid"] not in retracted and e["on"] <= as_of
    ]
    out: dict[str, Any] = {}
    measured = 0
    plan_parts: list[tuple[float, float, float]] = []
    for o in objs:
        parts: list[tuple[float, float, float]] = []
        scores: list[tuple[float, float]] = []
        for i in o.inds:
            series = sorted(
                (e["on"], e["n"], e["value"])
                for e in live
                if e["target"] == i.id and e["kind"] == "measurement"
            )
            value = series[-1][2] if series else i.baseline
            t = trend_of(i, series, 0.05, 0.01)
            if t is not None:
                scores.append(({"strong": 3, "moderate": 2, "limited": 1, "worsening": 0}[t], i.weight))
            out[i.id] = {"value": value, "trend": t or "insufficient-data"}
            if i.target is not None:
                p, e = prog(value, i.baseline, i.target), prog(path_value(i, as_of), i.baseline, i.target)
                parts.append((p, e, i.weight))
                out[i.id] |= {"progress": p, "expected": e}
        overdue = False
        for m in o.mss:
            states = sorted(
                (e["on"], e["n"], e["state"])
                for e in live
                if e["target"] == m.id and e["kind"] == "milestone"
            )
            state = states[-1][2] if states else "planned"
            if state == "cancelled":
                continue
            parts.append((1.0 if state == "done" else 0.0, 1.0 if as_of >= m.due else 0.0, m.weight))
            overdue = overdue or (m.due < as_of and state != "done")
        p = wmean([(a, w) for a, _, w in parts])
        e = wmean([(b, w) for _, b, w in parts])
        judged = sorted(
            (x["on"], x["n"], x["level"]) for x in live if x["target"] == o.id and x["kind"] == "assessment"
        )
        conf = judged[-1] if judged else None
        fresh = conf is not None and (as_of - conf[0]).days <= 100
        disagreement = False
        if p is None or e is None:
            if fresh:
                assert conf is not None
                rag = {0: "assessed-green", 1: "assessed-green", 2: "assessed-amber"}.get(
                    STEPS[conf[2]], "assessed-red"
                )
            else:
                rag = "monitored" if o.inds else "no-data"
        else:
            measured += 1
            plan_parts.append((p, e, o.weight))
            if p >= 1 - 1e-9:
                rag = "done"
            elif as_of < o.start:
                rag = "not-started"
            else:
                gap = e - p
                rag = "green" if gap <= 0.05 + 1e-9 else "amber" if gap <= 0.15 + 1e-9 else "red"
                if as_of > o.due:
                    rag = "red"
                elif rag == "green" and overdue:
                    rag = "amber"
            if fresh and rag in ("green", "amber", "red"):
                assert conf is not None
                disagreement = abs({"green": 0, "amber": 2, "red": 4}[rag] - STEPS[conf[2]]) >= 2
        mean = wmean(scores)
        trend = (
            "insufficient-data"
            if mean is None
            else ["worsening", "limited", "moderate", "strong"][math.ceil(mean - 0.5 - 1e-9)]
        )
        out[o.id] = {"progress": p, "expected": e, "rag": rag, "trend": trend, "disagreement": disagreement,
                     "confidence": None if conf is None else {"level": conf[2], "on": conf[0].isoformat(), "stale": not fresh}}  # fmt: skip
    out["plan"] = {
        "progress": wmean([(a, w) for a, _, w in plan_parts]),
        "expected": wmean([(b, w) for _, b, w in plan_parts]),
        "measured": measured,
        "objectives": len(objs),
    }
    return out


# --- the run ------------------------------------------------------------------------------------


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(round(b, 4) - a) <= 1e-4 + 1e-9


@st.composite
def ledgers(draw: Any, objs: list[Obj]) -> list[tuple[str, str, date, Any]]:
    targets_m = [i.id for o in objs for i in o.inds]
    targets_s = [m.id for o in objs for m in o.mss]
    choices = [
        st.tuples(st.just("a"), st.sampled_from([o.id for o in objs]), DAY, st.sampled_from(list(Level)))
    ]
    if targets_m:
        choices.append(
            st.tuples(st.just("m"), st.sampled_from(targets_m), DAY, st.integers(-20, 200).map(float))
        )
    if targets_s:
        choices.append(st.tuples(st.just("s"), st.sampled_from(targets_s), DAY, st.sampled_from(list(State))))
    choices.append(st.tuples(st.just("r"), st.just(""), DAY, st.integers(0, 40)))
    return draw(st.lists(st.one_of(*choices), max_size=20))


@settings(max_examples=60)
@given(st.data())
def test_status_json_agrees_with_an_independent_reading_of_spec(data: st.DataObject) -> None:
    objs = data.draw(plans())
    ops = data.draw(ledgers(objs))
    as_of = data.draw(DAY)
    text = toml(objs)
    plan = planfile.load(planfile.PlanSource("acc.toml", text, ""))
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "acc.db"
        (Path(d) / "acc.toml").write_text(text, encoding="utf-8")
        conn = db.connect(path)
        revisions.apply(
            conn, plan, planfile.PlanSource("acc.toml", text, "x"), "t", datetime(2024, 1, 1, tzinfo=UTC)
        )
        written: list[dict[str, Any]] = []
        for n, (op, target, on, extra) in enumerate(ops):
            if op == "r":
                live = [e for e in written if e["kind"] != "retraction" and not e.get("gone")]
                if not live:
                    continue
                victim = live[extra % len(live)]
                draft = models.Draft(Kind.RETRACTION, victim["target"], on, text="r", retracts=victim["uid"])
                victim["gone"] = True
            elif op == "m":
                draft = models.Draft(Kind.MEASUREMENT, target, on, value=extra)
            elif op == "s":
                draft = models.Draft(Kind.MILESTONE, target, on, state=extra)
            else:
                draft = models.Draft(Kind.ASSESSMENT, target, on, text="why", level=extra)
            with db.write(conn):
                [e] = ledger.append(
                    conn, [draft], "t", datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
                )
            written.append({"n": e.id, "uid": e.uid, "kind": e.kind.value, "target": e.target, "on": e.on,
                            "value": e.value, "state": e.state.value if e.state else None,
                            "level": e.level.value if e.level else None, "retracts": e.retracts})  # fmt: skip
        conn.close()
        r = CliRunner().invoke(
            app, ["--db", str(path), "--plan", str(Path(d) / "acc.toml"), "status", "--json", "--as-of", as_of.isoformat()],
            catch_exceptions=False,
        )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    got = json.loads(r.stdout)
    want = expected_status(objs, written, as_of)
    p = got["plan"]
    assert close(p["progress"], want["plan"]["progress"]) and close(p["expected"], want["plan"]["expected"])
    assert (p["measured"], p["objectives"]) == (want["plan"]["measured"], want["plan"]["objectives"])
    for o in got["objectives"]:
        w = want[o["id"]]
        assert close(o["progress"], w["progress"]) and close(o["expected"], w["expected"]), (o, w)
        assert o["rag"] == w["rag"], (o, w)
        assert o["trend"] == w["trend"], (o, w)
        assert o["disagreement"] == w["disagreement"], (o, w)
        if w["confidence"] is None:
            assert o["confidence"] is None
        else:
            assert {k: o["confidence"][k] for k in ("level", "on", "stale")} == w["confidence"]
        for i in o["indicators"]:
            wi = want[i["id"]]
            assert i["value"] == wi["value"] and i["trend"] == wi["trend"], (i, wi)
            assert close(i["progress"], wi.get("progress")) and close(i["expected"], wi.get("expected")), (
                i,
                wi,
            )

"""Synthetic plans and CSV files for the benchmarks (and their small CI test)."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

WORDS = (
    "lab platform customs whitelist researchers samples data channel port clearance funds "
    "bridge talent enterprise patent pilot quantum biomedicine materials review meeting "
    "通關 样本 科研 数据 跨境 口岸 人才 资金 平台 实验室"
).split()


def plan(path: Path, objectives: int, milestones_per: int = 10, indicators_per: int = 2) -> list[str]:
    """Write a plan; return the indicator ids."""
    sectors = ["life-sciences", "information-sciences", "materials-sciences"]
    themes = ["people", "funds", "data", "goods"]
    out = [
        '[plan]\nid = "synthetic"\ntitle = "Synthetic plan"\ntitle_zh = "合成规划"\n'
        'adopted = 2023-08-08\nhorizon = 2035-12-31\ntimezone = "Asia/Shanghai"\n'
        'review = "FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1"\n'
    ]
    out += [f'\n[[sector]]\nid = "{s}"\nname = "{s}"\n' for s in sectors]
    out += [f'\n[[theme]]\nid = "{t}"\nname = "{t}"\n' for t in themes]
    indicators = []
    rng = random.Random(7)
    for n in range(objectives):
        park = ("shenzhen", "hong-kong", "both")[n % 3]
        out.append(
            f'\n[[objective]]\nid = "o{n}"\ntitle = "Objective {n} {rng.choice(WORDS)}"\n'
            f'title_zh = "目标 {n}"\nsector = "{sectors[n % 3]}"\ntheme = "{themes[n % 4]}"\npark = "{park}"\n'
        )
        for m in range(milestones_per):
            due = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 4000))
            out.append(
                f'  [[objective.milestone]]\n  id = "o{n}-m{m}"\n  title = "Milestone {m}"\n  due = {due}\n'
            )
        for i in range(indicators_per):
            iid = f"o{n}-i{i}"
            indicators.append(iid)
            target = "" if i % 2 else "  target = 100\n  target_date = 2035-12-31\n"
            out.append(
                f'  [[objective.indicator]]\n  id = "{iid}"\n  name = "Indicator {i}"\n  baseline = 0\n'
                f"  baseline_date = 2023-08-08\n{target}"
            )
    path.write_text("".join(out), encoding="utf-8")
    return indicators


def measurements(path: Path, indicators: list[str], rows: int) -> None:
    rng = random.Random(11)
    start = date(2023, 9, 1)
    seen: set[tuple[str, float, int]] = set()  # the same value twice on a day would need --force
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "value", "on", "note"])
        for n in range(rows):
            row = (indicators[n % len(indicators)], round(rng.uniform(0, 120), 2), rng.randrange(0, 1150))
            while row in seen:
                row = (row[0], round(rng.uniform(0, 120), 2), rng.randrange(0, 1150))
            seen.add(row)
            w.writerow([row[0], row[1], (start + timedelta(days=row[2])).isoformat(), ""])


def notes(path: Path, objectives: int, rows: int, seed: int = 13) -> None:
    """Notes of eight random words; each row its own (the same note twice would need --force)."""
    rng = random.Random(seed)
    start = date(2023, 9, 1)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text", "on"])
        for n in range(rows):
            text = " ".join(rng.choice(WORDS) for _ in range(8)) + f" ({seed}-{n})"
            w.writerow(
                [f"o{n % objectives}", text, (start + timedelta(days=rng.randrange(0, 1150))).isoformat()]
            )


def milestone_states(path: Path, objectives: int, milestones_per: int = 10) -> None:
    """A state change for half the milestones: in progress for some, done for others."""
    rng = random.Random(17)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "state", "on"])
        for n in range(objectives):
            for m in range(0, milestones_per, 2):
                state = "done" if rng.random() < 0.5 else "in-progress"
                w.writerow(
                    [
                        f"o{n}-m{m}",
                        state,
                        (date(2024, 1, 1) + timedelta(days=rng.randrange(0, 1000))).isoformat(),
                    ]
                )


def assessments(path: Path, objectives: int) -> None:
    """A delivery-confidence judgement on every other objective, some stale, some not."""
    rng = random.Random(19)
    levels = ["green", "amber-green", "amber", "amber-red", "red"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "level", "on", "note"])
        for n in range(0, objectives, 2):
            on = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 320))
            w.writerow(
                [f"o{n}", rng.choice(levels), on.isoformat(), "synthetic judgement " + rng.choice(levels)]
            )

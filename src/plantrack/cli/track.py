"""Write commands: milestone state changes, measurements, notes, assessments and retractions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from plantrack.cli import complete
from plantrack.cli.context import say, state
from plantrack.cli.options import Attach, Force, Json, Note, On, Tags, Url, not_empty
from plantrack.core import dates
from plantrack.core import lang as L
from plantrack.errors import PlantrackError
from plantrack.render import dump_json, progress_bar
from plantrack.store import bulk, db, ledger

if TYPE_CHECKING:
    from collections.abc import Callable

    from plantrack.models import Attachment, Draft, Entry

milestone_app = typer.Typer(help="Change a milestone's state, with evidence.")

IdArg = Annotated[
    str,
    typer.Argument(
        metavar="MILESTONE",
        help="The milestone's id.",
        show_default=False,
        autocompletion=complete.milestones,
    ),
]
# A milestone change's note; cancel requires one, its reason (--reason, as retract has).
MilestoneNote = Annotated[
    str | None,
    typer.Option("--note", "--reason", help="What happened, in a sentence (cancel: why; required)."),
]


def _written(entry: Entry, json: bool, what: str) -> None:
    if json:
        dump_json(entry.to_json())
    else:
        say(L.t("cli.recorded", id=entry.id, what=what))
        print(entry.id)


def _save(make: Callable[[Attachment | None], Draft], attach: str | None, force: bool = False) -> Entry:
    """Store the attachment, build the draft with it, write the entry; tidy up on failure."""
    conn = state.conn()
    return ledger.record_attached(
        conn, db.attachment_dir(state.db_path), attach, make, state.user(), dates.now_utc(), force
    )


def _milestone(action: str, milestone_id: str, on: str | None, note: str | None,
               url: str | None, attach: str | None, tag: list[str] | None, json: bool,
               force: bool = False) -> None:  # fmt: skip

    conn = state.conn()
    day = state.on(on)
    tags = ledger.clean_tags(tag or [])
    entry = _save(
        lambda a: ledger.milestone_draft(conn, milestone_id, action, day, note, url, a, tags), attach, force
    )
    state_word = L.t(f"common.state.{entry.state.value}") if entry.state else "?"
    _written(entry, json, L.t("cli.what_milestone", id=milestone_id, state=state_word, day=day))


def _make(action: str, doc: str):  # type: ignore[no-untyped-def]
    def command(
        milestone_id: IdArg, on: On = None, note: MilestoneNote = None, url: Url = None,
        attach: Attach = None, tag: Tags = None, json: Json = False, force: Force = False,
    ) -> None:  # fmt: skip
        _milestone(action, milestone_id, on, note, url, attach, tag, json, force)

    command.__doc__ = doc
    command.__name__ = action
    return command


for _action, _doc in (
    ("start", "Mark a milestone in progress."),
    ("done", "Mark a milestone done (with the evidence the plan asks for)."),
    ("block", "Mark a milestone blocked."),
    ("cancel", "Cancel a milestone (it no longer counts), saying why with --reason."),
    ("reopen", "Reopen a done, blocked or cancelled milestone."),
):
    milestone_app.command(_action)(_make(_action, _doc))


CsvOpt = Annotated[
    str | None,
    typer.Option(
        "--csv",
        help="Load many rows from a CSV file, all or nothing.",
        show_default=False,
        callback=not_empty,
    ),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="The --csv file's encoding (default: UTF-8, else GB18030 or Big5, detected).",
        show_default=False,
    ),
]


def _bulk(kind: str, path: str, json: bool, encoding: str | None = None, force: bool = False) -> None:
    """Load a CSV file through the all-or-nothing bulk loader, with a progress bar on a terminal."""
    from pathlib import Path

    conn = state.conn()
    with progress_bar(f"loading {Path(path).name}") as update:
        loaded = bulk.load(conn, kind, Path(path), state.user(), dates.now_utc(), state.today(), update,
                           encoding, force=force)  # fmt: skip
    if loaded.encoding != "UTF-8":
        say(L.t("cli.read_as", name=Path(path).name, encoding=loaded.encoding))
    if json:
        dump_json(
            {"kind": loaded.kind, "rows": loaded.rows, "first_id": loaded.first_id, "last_id": loaded.last_id}
        )
    else:
        say(
            L.t(
                "cli.loaded",
                rows=loaded.rows,
                kind=L.t(f"common.kind.{kind}"),
                path=path,
                first=loaded.first_id,
                last=loaded.last_id,
            )
        )
        print(f"{loaded.first_id}-{loaded.last_id}")


@milestone_app.callback(invoke_without_command=True)
def _milestone_group(
    ctx: typer.Context, csv: CsvOpt = None, json: Json = False, encoding: EncodingOpt = None,
    force: Force = False,
) -> None:  # fmt: skip
    """Change a milestone's state, with evidence (or many at once with --csv)."""
    if ctx.invoked_subcommand is not None:
        if csv or encoding:
            raise PlantrackError("--csv goes without an action", hint="plantrack milestone --csv FILE")
        return
    if csv:
        _bulk("milestone", csv, json, encoding, force)
        return
    if encoding:
        raise PlantrackError("--encoding goes with --csv", hint="plantrack milestone --csv FILE --encoding X")
    print(ctx.get_help())
    raise typer.Exit(0)


def register(app: typer.Typer) -> None:
    # A value such as -5 must not be read as an unknown option.
    app.command("measure", context_settings={"ignore_unknown_options": True})(measure)
    app.command("log")(log)
    app.command("assess")(assess)
    app.command("retract")(retract)


def _single_or_csv(csv: str | None, positional: dict[str, str | None], options: dict[str, object],
                   usage: str, encoding: str | None = None) -> bool:  # fmt: skip
    """True when this is a --csv load; refuse a mix of the two forms or a missing argument."""
    if encoding and not csv:
        raise PlantrackError("--encoding goes with --csv", hint=usage)
    if csv:
        given = [k for k, v in positional.items() if v is not None]
        given += [k for k, v in options.items() if v not in (None, False, [], ())]
        if given:
            raise PlantrackError(f"--csv loads whole rows; drop {', '.join(given)}", hint=usage)
        return True
    missing = [k for k, v in positional.items() if v is None]
    if missing:
        raise PlantrackError(f"missing {' and '.join(m.upper() for m in missing)}", hint=usage)
    return False


def measure(
    indicator_id: Annotated[str | None, typer.Argument(metavar="INDICATOR", help="The indicator's id.", show_default=False, autocompletion=complete.indicators)] = None,
    value: Annotated[str | None, typer.Argument(metavar="VALUE", help="The measured value (negative values too).", show_default=False)] = None,
    on: On = None, note: Note = None, url: Url = None, attach: Attach = None, tag: Tags = None,
    csv: CsvOpt = None, json: Json = False, encoding: EncodingOpt = None, force: Force = False,
) -> None:  # fmt: skip
    """Record an indicator value (or many: --csv FILE with columns id,value,on[,note,url])."""
    usage = "plantrack measure INDICATOR VALUE [--on DATE], or plantrack measure --csv FILE"
    if _single_or_csv(csv, {"indicator": indicator_id, "value": value},
                      {"--on": on, "--note": note, "--url": url, "--attach": attach, "--tag": tag}, usage,
                      encoding):  # fmt: skip
        _bulk("measurement", csv or "", json, encoding, force)
        return
    assert indicator_id is not None and value is not None
    conn = state.conn()
    day = state.on(on)
    number = ledger.parse_value(value)
    tags = ledger.clean_tags(tag or [])
    entry = _save(
        lambda a: ledger.measurement_draft(conn, indicator_id, number, day, note, url, a, tags), attach, force
    )
    _written(entry, json, L.t("cli.what_measure", id=indicator_id, value=value, day=day))


def log(
    target_id: Annotated[str | None, typer.Argument(metavar="ID", help="Objective, milestone, indicator or plan id.", show_default=False, autocompletion=complete.any_id)] = None,
    text: Annotated[str | None, typer.Argument(metavar="TEXT", help="What happened.", show_default=False)] = None,
    on: On = None, url: Url = None, attach: Attach = None, tag: Tags = None, csv: CsvOpt = None,
    json: Json = False, encoding: EncodingOpt = None, force: Force = False,
) -> None:  # fmt: skip
    """Record evidence for an objective, milestone or indicator (or many: --csv FILE with id,text,on[,url,tag])."""
    usage = "plantrack log ID TEXT [--on DATE], or plantrack log --csv FILE"
    if _single_or_csv(csv, {"id": target_id, "text": text},
                      {"--on": on, "--url": url, "--attach": attach, "--tag": tag}, usage, encoding):  # fmt: skip
        _bulk("note", csv or "", json, encoding, force)
        return
    assert target_id is not None and text is not None
    conn = state.conn()
    day = state.on(on)
    tags = ledger.clean_tags(tag or [])
    entry = _save(lambda a: ledger.note_draft(conn, target_id, text, day, url, a, tags), attach, force)
    _written(entry, json, L.t("cli.what_note", id=target_id, day=day))


def assess(
    objective_id: Annotated[str | None, typer.Argument(metavar="OBJECTIVE", help="The objective's id.", show_default=False, autocompletion=complete.objectives)] = None,
    level: Annotated[str | None, typer.Argument(metavar="LEVEL", help="green, amber-green, amber, amber-red or red.", show_default=False)] = None,
    note: Annotated[str | None, typer.Option("--note", help="The rationale (required).", show_default=False)] = None,
    on: On = None, url: Url = None, attach: Attach = None, tag: Tags = None, csv: CsvOpt = None,
    json: Json = False, encoding: EncodingOpt = None, force: Force = False,
) -> None:  # fmt: skip
    """Record a dated, reasoned judgement of an objective's delivery confidence (or many: --csv FILE with id,level,on,note[,url])."""
    usage = 'plantrack assess OBJECTIVE LEVEL --note "why" [--on DATE], or plantrack assess --csv FILE'
    if _single_or_csv(csv, {"objective": objective_id, "level": level},
                      {"--note": note, "--on": on, "--url": url, "--attach": attach, "--tag": tag}, usage,
                      encoding):  # fmt: skip
        _bulk("assessment", csv or "", json, encoding, force)
        return
    assert objective_id is not None and level is not None
    conn = state.conn()
    chosen = ledger.parse_level(level)
    day = state.on(on)
    tags = ledger.clean_tags(tag or [])
    entry = _save(
        lambda a: ledger.assessment_draft(conn, objective_id, chosen.value, day, note, url, a, tags),
        attach,
        force,
    )
    _written(
        entry,
        json,
        L.t("cli.what_assess", id=objective_id, level=L.t(f"common.level.{chosen.value}"), day=day),
    )


def retract(
    entry_ref: Annotated[str, typer.Argument(metavar="ENTRY", help="The entry's id (or uid).", show_default=False)],
    reason: Annotated[str, typer.Option("--reason", help="Why it is withdrawn.", show_default=False)],
    json: Json = False,
) -> None:  # fmt: skip
    """Withdraw a wrong entry; it stays in the history, struck out."""
    conn = state.conn()
    entry = ledger.retract(conn, entry_ref, reason, state.user(), dates.now_utc(), state.today())
    _written(entry, json, L.t("cli.what_retract", uid=entry.retracts))

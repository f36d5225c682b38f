"""SQL clauses the store's modules share: which entries are live, and when this site knew of one."""

# When this database learned of an entry (see migration m005): what "known at" compares.
KNOWN_E = "coalesce(e.received_at, e.recorded_at)"
KNOWN_R = "coalesce(r.received_at, r.recorded_at)"

# An entry ``e`` that no retraction withdraws (no row of the entry table ``r`` retracts it).
LIVE = "NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid)"


def live(extra: str = "") -> str:
    """LIVE, counting only retractions that also meet ``extra`` (SQL on ``r`` starting " AND ")."""
    return f"NOT EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid{extra})"


def retracted(extra: str = "") -> str:
    """True for an entry ``e`` withdrawn by a retraction (that also meets ``extra``, if given)."""
    return f"EXISTS (SELECT 1 FROM entry r WHERE r.retracts = e.uid{extra})"

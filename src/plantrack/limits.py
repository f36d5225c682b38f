"""How much each view lists and how far it looks ahead, defined once for every layer."""

DASHBOARD_ROWS = 30  # `status` shows the worst this many objectives unless --all
LIST_CAP = 200  # entries listed per stocktake section of a report; the counts stay exact
UPCOMING_DAYS = 90  # how far ahead `upcoming` and the report's "due next" look
UPCOMING_WITHIN = f"{UPCOMING_DAYS} days"
SHOW_ENTRIES = 20  # newest entries `show` lists under an item
SEARCH_LIMIT = 50  # entries `search` returns unless --limit
PROBLEMS_SHOWN = 20  # problems of one kind a check (CSV load, doctor) reports before "… and N more"
BUSY_TIMEOUT_S = 30  # how long a command waits for another writer before giving up

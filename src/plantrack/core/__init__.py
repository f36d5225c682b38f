"""Pure functions of the plan and ledger facts: dates (the one clock), progress, trends, forecasts."""

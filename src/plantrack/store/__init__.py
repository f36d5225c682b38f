"""The only SQL: connection, migrations, the ledger, attachments, full-text index, plan revisions, maintenance."""

"""The monthly Excel audit: every booking that touches a month, the catalogue, the Telegram accounts, the
status history and a summary, written in openpyxl's write-only mode from streamed querysets."""

"""The Google Sheets mirror: a "Bookings" sheet (one row per booking, upserted by its key) and a "Schedule"
sheet (items × days, free/total units, colour-coded), kept in sync from the outbox."""

"""E-mail to clients: a message for every change of their booking and its reminder, each with a calendar
invitation (.ics) that calendar programs keep up to date, sent by the worker through the delivery engine."""

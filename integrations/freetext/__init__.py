"""Booking by free text: «завтра в 15:00 кабинет 2 на час» → what the bots' wizards would have asked for.
Offline and in-process: our own rules for resources, times, durations and dayparts; dateparser for dates."""

from integrations.freetext.parser import DATE, DURATION, RESOURCE, TIME, WITH, Parse, parse
from integrations.freetext.resources import CABINET, EQUIPMENT, SERVICE, Entry
from integrations.freetext.times import AFTERNOON, DAYPARTS, EVENING, MORNING

__all__ = ["AFTERNOON", "CABINET", "DATE", "DAYPARTS", "DURATION", "EQUIPMENT", "EVENING", "MORNING", "RESOURCE",
           "SERVICE", "TIME", "WITH", "Entry", "Parse", "parse"]

"""Problems reported by profiles/ (census targets, weighting) in the page's language.

profiles/ is pure statistics and words its problems in English for the CLI and logs; the pages
recognise each known wording and say it again with gettext, naming variables by their labels.
"""

from __future__ import annotations

import re
from typing import Callable

from flask_babel import get_locale
from flask_babel import gettext as _

from flows.model import Flow
from profiles.labels import group_label

# (English wording from profiles/targets.py or profiles/raking.py, its translation from the named groups)
_KNOWN: list[tuple[re.Pattern, Callable[[dict], str]]] = [
    (re.compile(r"flow '(?P<flow>[^']+)' has no profile section, so nothing to weight"),
     lambda g: _("This consultation has no profile, so there is nothing to weight.")),
    (re.compile(r"line (?P<line>\d+): the header must be variable,value,population \(missing (?P<missing>.+)\)"),
     lambda g: _("line %(line)s: the first line must be variable,value,population (missing: %(missing)s)", **g)),
    (re.compile(r"line (?P<line>\d+): '(?P<variable>[^']*)' is not a question or grouping variable of this consultation \(groups: (?P<groups>.+)\)"),
     lambda g: _("line %(line)s: '%(variable)s' is not a question or a group of this consultation (groups: %(groups)s)", **g)),
    (re.compile(r"line (?P<line>\d+): '(?P<variable>[^']*)' is a (?P<kind>[a-z_]+) question: census targets can only name a choice "
                r"or yes/no question \(each respondent in exactly one value\), or a grouping variable \((?P<groups>.+)\)"),
     lambda g: _("line %(line)s: '%(variable)s' is a %(kind)s question: census targets can only name a choice or yes/no question "
                 "(each person in exactly one answer), or a group (%(groups)s)", **g)),
    (re.compile(r"line (?P<line>\d+): (?P<variable>[^:]+): unknown value '(?P<value>.*)' \(one of (?P<allowed>.+)\)"),
     lambda g: _("line %(line)s: %(variable)s: unknown value '%(value)s' (use one of %(allowed)s)", **g)),
    (re.compile(r"line (?P<line>\d+): (?P<variable>[^:]+): unknown value '(?P<value>.*)'"),
     lambda g: _("line %(line)s: %(variable)s: unknown value '%(value)s'", **g)),
    (re.compile(r"line (?P<line>\d+): (?P<variable>[^=]+)=(?P<value>.*): population must be a positive number, got '(?P<raw>.*)'"),
     lambda g: _("line %(line)s: %(variable)s = %(value)s: the population must be a positive number, not '%(raw)s'", **g)),
    (re.compile(r"line (?P<line>\d+): (?P<variable>[^=]+)=(?P<value>.*) is given twice \(first on line (?P<first>\d+)\)"),
     lambda g: _("line %(line)s: %(variable)s = %(value)s is given twice (first on line %(first)s)", **g)),
    (re.compile(r"no targets: expected a header variable,value,population and one line per value"),
     lambda g: _("No targets: the file needs a first line variable,value,population and one line per value.")),
    (re.compile(r"no targets: the file has a header but no lines"),
     lambda g: _("No targets: the file has its first line but no values.")),
    (re.compile(r"(?P<variable>[^:]+): targets total (?P<total>[\d,.]+) but (?P<other>\S+) totals (?P<reference>[\d,.]+); "
                r"they differ by more than (?P<tolerance>[\d.]+%).*"),
     lambda g: _("%(variable)s adds up to %(total)s people but %(other)s to %(reference)s: they differ by more than "
                 "%(tolerance)s, so they cannot describe the same population", **g)),
    (re.compile(r"(?P<variable>[^:=]+)(?:=(?P<value>[^:]*))?: respondents without a target value hold all the weight"),
     lambda g: _("%(variable)s: only respondents without a target value are left, so the answers cannot be weighted", **g)),
    (re.compile(r"(?P<variable>[^:=]+)=(?P<value>[^:]*): no respondent in this cell, cannot weight"),
     lambda g: _("%(variable)s = %(value)s: nobody answered from this group, so the answers cannot be weighted", **g)),
    (re.compile(r"(?P<variable>[^:=]+): targets given but no column of answers"),
     lambda g: _("%(variable)s: targets are given but the answers have no such group", **g)),
]


def translated_problem(text: str, flow: Flow | None = None) -> str:
    """A problem from profiles/ in the page's language; an unknown wording is shown as it is."""
    for pattern, say in _KNOWN:
        match = pattern.fullmatch(text.strip())
        if match:
            found = {k: v for k, v in match.groupdict().items() if v is not None}
            if flow is not None and found.get("variable") and flow.profile is not None:
                if found["variable"] in flow.profile.groups:
                    found["variable"] = group_label(flow, found["variable"], str(get_locale()))
            return say(found)
    return text

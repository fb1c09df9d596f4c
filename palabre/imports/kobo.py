"""KoboToolbox's submission exports (CSV and XLSX), with "XML values and headers" chosen.

Facts relied on (kpi/formpack exports): CSV cells are all quoted and separated by ';' by default;
group paths use '/' (`group/question`); a `select_multiple` is the chosen names separated by spaces,
then one column per option (`question/option`, 1 or 0); an optional HXL row of `#tags` may follow
the header; the meta columns come last: `_id, _uuid, _submission_time` (UTC, without a zone),
`_validation_status, _notes, _status, _submitted_by, _tags, _index`, with `__version__` and
`meta/instanceID` on newer forms and `start`/`end` when the form records them.
"""

from __future__ import annotations

from palabre.imports.layout import Layout

KOBO = Layout(
    name="KoboToolbox",
    channel="assisted",
    markers=frozenset({"_uuid", "_submission_time", "_submitted_by", "_validation_status"}),
    separator="/",
    key_columns=("_uuid", "meta/instanceID"),
    start_columns=("start",),
    end_columns=("end", "_submission_time"),
    # `_submitted_by`: the KoboToolbox account that sent it; `username`, `deviceid`: the form's metadata, if asked.
    enumerator_columns=("_submitted_by", "username"),
    device_columns=("deviceid",),
    identity_columns=frozenset({"phonenumber", "simserial", "subscriberid"}),
    meta_columns=frozenset({"_id", "_notes", "_status", "_tags", "_index", "__version__", "today", "meta/rootUuid",
                            "meta/deprecatedID", "_submission__uuid", "_submission__id"}),
    # A reviewer's "Not approved" in KoboToolbox: the submission was judged unusable.
    rejected={"_validation_status": {"validation_status_not_approved": "not approved in KoboToolbox",
                                     "Not Approved": "not approved in KoboToolbox"}},
    hint="In KoboToolbox, export with \"XML values and headers\" (labels cannot be read back).",
)

"""ODK Central's submission exports (`submissions.csv`, or the same table saved as XLSX).

Facts relied on (getodk/central-backend's CSV tests): the header is `SubmissionDate, meta-instanceID`,
the form's fields with group paths joined by '-' (`group-question`), a `select_multiple` as the chosen
names separated by spaces and, with "split select multiples", one column per option
(`group-question/option`, 1 or 0), then `KEY, SubmitterID, SubmitterName, AttachmentsPresent,
AttachmentsExpected, Status, ReviewState, DeviceID, Edits, FormVersion`. `KEY` and `meta-instanceID`
hold the instance id (`uuid:...`); `SubmissionDate` is UTC with a 'Z'.
"""

from __future__ import annotations

from palabre.imports.layout import Layout

ODK_CENTRAL = Layout(
    name="ODK Central",
    channel="assisted",
    markers=frozenset({"SubmissionDate", "meta-instanceID", "KEY", "SubmitterID", "ReviewState"}),
    separator="-",
    key_columns=("KEY", "meta-instanceID"),
    start_columns=("start",),
    end_columns=("end", "SubmissionDate"),
    # SubmitterID is the app user's number on the server, stable when its display name (SubmitterName) changes.
    enumerator_columns=("SubmitterID", "SubmitterName", "username"),
    device_columns=("DeviceID", "deviceid"),
    identity_columns=frozenset({"phonenumber", "simserial", "subscriberid"}),
    meta_columns=frozenset({"AttachmentsPresent", "AttachmentsExpected", "Status", "Edits", "FormVersion", "today",
                            "meta-deprecatedID", "meta-instanceName", "PARENT_KEY"}),
    # A project manager's "Rejected" review in ODK Central.
    rejected={"ReviewState": {"rejected": "rejected by a reviewer in ODK Central"}},
    hint="In ODK Central, download the submissions as CSV (\"All data\", without group names removed).",
)

"""Staff download the responses and read comments, escaped and by pseudonym; the public never sees them."""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import load_workbook
from sqlalchemy import select

from models import ChannelAddress

FRENCH = ["1", "oui", "nord", "femme", "67", "2", "1h30", "4", "3", "4", "2", "1 2", "1", "<script>alert(1)</script> un bureau mobile"]


def test_comments_are_escaped_by_pseudonym_and_for_staff_only(analyst, client, runner, db):
    runner.invoke(args=["chat", "--phone", "+447700900555"], input="\n".join(FRENCH) + "\n")
    page = analyst.get("/dashboard/access-barriers/comments?lang=en").data.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; un bureau mobile" in page and "<script>alert" not in page
    assert "7700900555" not in page
    assert client.get("/dashboard/access-barriers/comments").status_code == 302  # anonymous: to the login page
    assert "un bureau mobile" not in client.get("/results/access-barriers").data.decode()


def test_downloads_in_three_formats_without_numbers(analyst, runner, db):
    runner.invoke(args=["demo", "--no-serve", "--citizens", "10"])
    with db.session() as session:
        numbers = [n.lstrip("+") for n in session.scalars(select(ChannelAddress.address))]
    table = analyst.get("/dashboard/access-barriers/export.csv")
    assert table.status_code == 200 and table.data.startswith(b"response_id,participant,")
    xlsx = analyst.get("/dashboard/access-barriers/export.xlsx")
    assert load_workbook(io.BytesIO(xlsx.data))["responses"].max_row == 11
    floip = analyst.get("/dashboard/access-barriers/export.floip")
    assert "datapackage.json" in zipfile.ZipFile(io.BytesIO(floip.data)).namelist()
    for body in (table.data, xlsx.data, floip.data):
        assert not any(n.encode() in body for n in numbers)
    assert analyst.get("/dashboard/access-barriers/export.pdf").status_code == 404


def test_the_csv_for_excel_download_starts_with_a_bom_and_keeps_accents(analyst, runner):
    comment = "Le guichet est très éloigné, ça coûte cher"
    runner.invoke(args=["chat", "--phone", "+447700900556"], input="\n".join([*FRENCH[:-1], comment]) + "\n")
    page = analyst.get("/dashboard/access-barriers?lang=fr").data.decode()
    assert 'href="/dashboard/access-barriers/export.csv?excel=1">CSV pour Excel</a>' in page
    assert ">CSV for Excel</a>" in analyst.get("/dashboard/access-barriers?lang=en").data.decode()
    excel = analyst.get("/dashboard/access-barriers/export.csv?excel=1")
    assert excel.status_code == 200 and excel.data.startswith(b"\xef\xbb\xbfresponse_id,participant,")
    assert "access-barriers-responses-excel.csv" in excel.headers["Content-Disposition"]
    [row] = list(csv.DictReader(io.StringIO(excel.data.decode("utf-8-sig"), newline="")))
    assert row["comment"] == comment
    plain = analyst.get("/dashboard/access-barriers/export.csv")
    assert plain.data.startswith(b"response_id,") and comment.encode() in plain.data

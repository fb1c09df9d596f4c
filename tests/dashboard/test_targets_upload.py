"""Officials upload census targets; bad files get every problem named, good ones weight the profile."""

from __future__ import annotations

import io
import socket

from sqlalchemy import select

from models import CensusTargets
from tests.dashboard.conftest import csrf_from

URL = "/dashboard/access-barriers/targets/?lang=en"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def upload(client, text: str):
    token = csrf_from(client.get(URL).data)
    return client.post(URL, data={"csrf_token": token, "targets": (io.BytesIO(text.encode()), "targets.csv")},
                       content_type="multipart/form-data")


def test_a_broken_targets_file_is_refused_with_its_problems(admin):
    response = upload(admin, "variable,value,population\ngender,femme,52000\n")
    assert response.status_code == 422 and b"femme" in response.data


def test_good_targets_are_stored_and_weight_the_profile(admin, runner):
    runner.invoke(args=["demo", "--no-serve", "--citizens", "60"])
    csv_text = "variable,value,population\ndistrict,centre,30000\ndistrict,nord,20000\ndistrict,sud,20000\ndistrict,est,15000\ndistrict,ouest,15000\n"
    response = upload(admin, csv_text)
    assert response.status_code == 302
    page = admin.get("/dashboard/access-barriers?lang=en").data.decode()
    assert "Weighted to the census targets" in page


def test_analysts_cannot_change_targets(analyst):
    assert analyst.get(URL).status_code == 403


def test_targets_saved_while_redis_is_down_say_the_profile_refreshes_later(admin, app, db):
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{_closed_port()}/0"  # after the login: only the refresh needs it
    csv_text = "variable,value,population\ndistrict,centre,30000\ndistrict,nord,20000\n"
    response = upload(admin, csv_text)
    assert response.status_code == 302
    page = admin.get("/dashboard/access-barriers?lang=en").data.decode()
    assert "Census targets saved" in page and "the profile will be recomputed later" in page
    with db.session() as session:
        assert session.scalars(select(CensusTargets.csv_text)).one() == csv_text


def test_a_target_on_the_phone_question_is_accepted_and_one_on_free_text_refused(admin, runner):
    runner.invoke(args=["demo", "--no-serve", "--citizens", "60"])
    refused = upload(admin, "variable,value,population\ncomment,anything,100\n")
    assert refused.status_code == 422
    assert b"is a text question: census targets can only name a choice or yes/no question" in refused.data
    phones = "variable,value,population\nphone,none,2000\nphone,basic,4500\nphone,smartphone,2000\nphone,smartphone_internet,1500\n"
    assert upload(admin, phones).status_code == 302
    page = admin.get("/dashboard/access-barriers?lang=en").data.decode()
    assert "Weighted to the census: the answers are raked so that Phone match the population" in page
    assert "In the population (census target): 20%." in page and 'class="warning"' not in page

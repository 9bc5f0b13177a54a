"""No public dossier answer carries an ID number, a phone number or an unmasked name."""

from __future__ import annotations

import re

from dossier_fixtures import seed_mirror
from server_fixtures import Api

from queue_server.text import mask_name

DIGIT_RUN = re.compile(r"\d(?: ?\d){8,}")


def test_no_lookup_answer_leaks_identity(api: Api) -> None:
    rows = seed_mirror(api.runtime, 40)
    for row in rows:
        qr = f"https://dvc.gialai.gov.vn/hs?MHS={row['MaHoSo']}&cccd={row['SoCCCD']}"
        for q in (row["MaHoSo"], qr):
            response = api.call(
                "GET",
                "/dossiers/lookup",
                query_string={"q": q},
                environ_base={"REMOTE_ADDR": f"10.1.{len(q) % 200}.{rows.index(row)}"},
            )
            assert response.status_code == 200
            text = response.get_data(as_text=True)
            assert row["SoCCCD"] not in text
            assert row["SoDienThoai"] not in text
            assert row["DiaChi"] not in text
            assert row["ChuHoSo"] not in text
            assert DIGIT_RUN.search(text) is None, text
            assert response.json["applicant"] == mask_name(row["ChuHoSo"])


def test_errors_never_echo_the_payload(api: Api) -> None:
    seed_mirror(api.runtime, 2)
    for q in (
        "CCCD 079201001234 SDT 0912345678 Nguyễn Văn Bình",
        "https://dvc.gialai.gov.vn/hs?MHS=000.00.06.H56-991327-0001&cccd=079201001234",
        '{"id": "000.00.06.H56-240101-9999", "cccd": "079201001234"}',
    ):
        response = api.call("GET", "/dossiers/lookup", query_string={"q": q})
        assert response.status_code in (400, 404)
        text = response.get_data(as_text=True)
        assert "079201001234" not in text and "0912345678" not in text
        assert "Bình" not in text

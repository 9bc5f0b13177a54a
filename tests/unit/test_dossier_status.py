"""Portal status codes and the mapping from upstream words."""

from __future__ import annotations

import pytest

from queue_server.dossiers.errors import UnknownStatus
from queue_server.dossiers.status import DossierStatus, StatusMapping

PORTAL_LABELS = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}


def test_the_ten_portal_codes_and_their_labels() -> None:
    assert {int(s): s.label_vi for s in DossierStatus} == PORTAL_LABELS
    assert all(s.label_en and s.explain_vi and s.explain_en for s in DossierStatus)


def test_explanations_tell_the_visitor_what_to_do() -> None:
    supplement = DossierStatus.SUPPLEMENT_REQUESTED
    assert "mang giấy tờ còn thiếu" in supplement.explain_vi
    assert supplement.needs_visitor and not supplement.is_finished
    assert "nhận" in DossierStatus.DONE.explain_vi and DossierStatus.DONE.is_finished
    assert DossierStatus.RETURNED.is_closed and not DossierStatus.PROCESSING.is_closed


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("dang xu ly", 4),
        ("ĐANG XỬ LÝ", 4),
        ("DANG_XU_LY", 4),
        ("DA_TRA_KQ", 10),
        ("Đã trả kết quả", 10),
        ("Hoàn thành", 9),
        ("Đã xử lý xong", 9),
        ("cho-bo-sung", 5),
        ("Yêu cầu bổ sung giấy tờ", 5),
        ("Từ chối tiếp nhận", 3),
        ("Mới đăng ký", 1),
        ("6", 6),
        (7, 7),
        ("supplement requested", 5),
        ("  Dừng   xử lý ", 8),
    ],
)
def test_upstream_words_map_to_portal_codes(word: str | int, code: int) -> None:
    assert StatusMapping.build().map(word) == DossierStatus(code)


def test_site_words_extend_and_override_the_defaults() -> None:
    mapping = StatusMapping.build({"CHO_KY_DUYET": 4, "hoàn thành": "returned", "XONG": "9"})
    assert mapping.map("Chờ ký duyệt") is DossierStatus.PROCESSING
    assert mapping.map("HOAN_THANH") is DossierStatus.RETURNED
    assert mapping.map("xong") is DossierStatus.DONE


def test_unknown_words_are_refused() -> None:
    with pytest.raises(UnknownStatus) as refusal:
        StatusMapping.build().map("lưu kho")
    assert refusal.value.code == "dossier_status_unknown"
    with pytest.raises(UnknownStatus):
        StatusMapping.build({"x": 11})

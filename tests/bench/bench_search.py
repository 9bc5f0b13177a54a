"""Procedure search over a national-size catalogue, through the API, on both engines.

Runs alone: ``.venv/bin/python tests/bench/bench_search.py [--procedures N]
[--rounds N] [--engines sqlite,postgres]``. Loads the demo catalogue plus N
generated procedures (names built the way the national catalogue words them),
then times ``GET /api/v1/procedures?q=...`` through the app (no network) for a
mix of typed queries: accent-free words, a half-typed word, a single letter (the
widest match), names people use (``so do``), and a query that finds nothing.
Prints one JSON line: per engine, the catalogue size, the import time and the
search p50/p99/max in milliseconds, and p99 per query.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "integration")]

from bench_common import each_engine, percentile  # noqa: E402
from clocks import FakeClock  # noqa: E402
from server_fixtures import build_runtime  # noqa: E402

from queue_server.app import create_app  # noqa: E402
from queue_server.bootstrap import DEMO_PROCEDURES  # noqa: E402
from queue_server.dossiers.procedures import Procedure, parse_catalogue  # noqa: E402
from queue_server.services.procedures import import_procedures  # noqa: E402

ACTIONS = (
    "Cấp", "Cấp lại", "Cấp đổi", "Đăng ký", "Đăng ký lại", "Gia hạn", "Điều chỉnh",
    "Thu hồi", "Xác nhận", "Thẩm định", "Phê duyệt", "Công nhận", "Chấp thuận",
)
OBJECTS = (
    "Giấy phép kinh doanh vận tải bằng xe ô tô", "Giấy phép khai thác nước dưới đất",
    "Giấy chứng nhận đủ điều kiện kinh doanh dược", "Giấy phép lái xe",
    "chứng chỉ hành nghề khám bệnh, chữa bệnh", "Giấy phép xây dựng công trình",
    "Giấy chứng nhận đăng ký doanh nghiệp", "giấy phép hoạt động giáo dục nghề nghiệp",
    "Giấy xác nhận ưu đãi đầu tư", "thẻ bảo hiểm y tế", "hộ chiếu phổ thông",
    "Giấy phép lao động cho người nước ngoài", "giấy phép môi trường",
    "Giấy chứng nhận kiểm định phương tiện", "chứng chỉ quy hoạch",
    "Giấy phép sử dụng vật liệu nổ công nghiệp", "giấy phép biểu diễn nghệ thuật",
    "Giấy chứng nhận xuất xứ hàng hóa", "phiếu lý lịch tư pháp", "giấy phép hoạt động in",
    "Giấy chứng nhận đăng ký tàu cá", "giấy phép đào tạo lái xe", "thẻ hướng dẫn viên du lịch",
    "Giấy phép thành lập văn phòng đại diện", "quyết định giao đất, cho thuê đất",
)
FOR_WHOM = (
    "", "cho cá nhân", "cho tổ chức", "có yếu tố nước ngoài", "trong khu công nghiệp",
    "do bị mất, hỏng", "khi thay đổi nội dung", "cho hộ gia đình", "cấp tỉnh", "cấp huyện",
)
FIELDS = (
    "Đường bộ", "Tài nguyên nước", "Dược phẩm", "Khám bệnh, chữa bệnh", "Hoạt động xây dựng",
    "Thành lập và hoạt động doanh nghiệp", "Giáo dục nghề nghiệp", "Đầu tư", "Bảo hiểm y tế",
    "Xuất nhập cảnh", "Việc làm", "Môi trường", "Đăng kiểm", "Quy hoạch", "Hóa chất",
    "Nghệ thuật biểu diễn", "Xuất nhập khẩu", "Lý lịch tư pháp", "Xuất bản, In và Phát hành",
    "Thủy sản", "Du lịch", "Thương mại quốc tế", "Đất đai",
)
QUERIES = (
    "so do", "chung thuc", "dang ky khai sinh", "giay phep lai xe", "cap lai ho chieu",
    "giay chung nhan", "kinh doanh van tai", "c", "dang k", "lam can cuoc", "ho khau",
    "1.001193", "khong co thu tuc nay",
)


def generated(count: int) -> list[Procedure]:
    """``count`` distinct procedures: action x object x for whom, numbered codes."""
    names = itertools.cycle(itertools.product(ACTIONS, OBJECTS, FOR_WHOM))
    result = []
    for n in range(count):
        action, what, whom = next(names)
        round_ = n // (len(ACTIONS) * len(OBJECTS) * len(FOR_WHOM))
        suffix = f" (đợt {round_ + 1})" if round_ else ""
        name = " ".join(part for part in (action, what, whom) if part) + suffix
        result.append(
            Procedure(
                code=f"3.{n:06d}.000.00.00.H56",
                name=name,
                field=FIELDS[n % len(FIELDS)],
                time_limit="10 ngày làm việc",
            )
        )
    return result


def bench_engine(
    url: str, schema: str | None, count: int, rounds: int, workdir: Path
) -> dict[str, Any]:
    runtime = build_runtime(url, schema, workdir, FakeClock())
    catalogue = parse_catalogue(DEMO_PROCEDURES.read_bytes(), "json") + generated(count)
    started = time.perf_counter()
    with runtime.uow() as uow:
        site = uow.repo.site("default")
        assert site is not None and site.id is not None
        import_procedures(uow, site.id, catalogue)
        uow.commit()
    import_s = time.perf_counter() - started
    client = create_app(runtime=runtime).test_client()
    first = client.get("/api/v1/procedures", query_string={"q": "so do"}).json
    assert first and first[0]["name"].startswith("Cấp Giấy chứng nhận quyền sử dụng đất"), first
    per_query: dict[str, list[float]] = {q: [] for q in QUERIES}
    for _ in range(rounds):
        for query in QUERIES:
            started = time.perf_counter()
            response = client.get("/api/v1/procedures", query_string={"q": query})
            per_query[query].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    runtime.db.dispose()
    every = [ms for times in per_query.values() for ms in times]
    return {
        "procedures": len(catalogue),
        "import_s": round(import_s, 2),
        "searches": len(every),
        "p50_ms": round(percentile(every, 0.5), 2),
        "p99_ms": round(percentile(every, 0.99), 2),
        "max_ms": round(max(every), 2),
        "p99_ms_by_query": {q: round(percentile(t, 0.99), 2) for q, t in per_query.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--procedures", type=int, default=2500)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--engines", default="sqlite,postgres")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "bench": "procedure_search",
        **each_engine(
            args.engines,
            lambda url, schema, tmp: bench_engine(url, schema, args.procedures, args.rounds, tmp),
        ),
    }
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()

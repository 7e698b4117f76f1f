"""A year's ledger as an office kept it: 15 activities of the 2018 plan, some with photos.

Used by the import, export and dossier tests and for the README's screenshot. The
photos are tiny but real PNG images, made here with zlib and struct.
"""

from __future__ import annotations

import csv
import io
import struct
import zlib
from pathlib import Path
from typing import Any

#: The ledger's headings, as a Chinese office writes them.
HEADINGS = [
    "序号",
    "日期",
    "活动名称",
    "任务",
    "参加人数",
    "参加人员",
    "时长",
    "地点",
    "备注",
    "标签",
    "附件",
]

LONG_NOTE = (
    "局党组书记主持会议，传达市、县文明委关于文明单位创建工作的部署，"
    "解读2018年文明单位创建工作方案，明确各股室责任分工和完成时限。"
    "会议要求全局干部职工统一思想，提高认识，把创建工作与业务工作同部署、同检查、同考核，"
    "做到全员参与、全力投入、全面提高。办公室负责建立创建工作台账，每月汇总各股室活动记录，"
    "每季度向领导小组报告进展情况；各股室明确一名联络员，及时报送活动照片和文字材料，"
    "确保创建工作扎实有效，力争创建成市级文明单位。会后各股室负责人签订了创建目标责任书。"
)

#: (date, title, tasks, people, who, hours, place, note, tags, attachments)
ROWS: list[tuple[str, ...]] = [
    (
        "2018-01-15",
        "1月创建工作部署",
        "daily-management",
        "12",
        "",
        "1.5",
        "局会议室",
        "部署1月份创建工作。",
        "",
        "",
    ),
    (
        "2018-01-26",
        "道德讲堂：身边好人故事分享",
        "morality-building",
        "36",
        "",
        "2",
        "局会议室",
        "邀请县道德模范讲述身边好人故事。",
        "道德讲堂",
        "道德讲堂1.png、道德讲堂2.png",
    ),
    (
        "2018-02-26",
        "印发2018年文明创建活动方案",
        "work-plan",
        "",
        "",
        "",
        "",
        "经局党组会议研究，印发《2018年文明单位创建工作方案》。",
        "",
        "创建方案.pdf",
    ),
    (
        "2018-02-27",
        "学习文明单位评选和管理规定",
        "rules-study",
        "40",
        "",
        "2",
        "局会议室",
        LONG_NOTE,
        "学习",
        "",
    ),
    (
        "2018-03-05",
        "学雷锋纪念日志愿服务",
        "volunteer-days",
        "20",
        "张三、李四、王五",
        "3",
        "城关社区",
        "志愿者进社区开展科普宣传和义务清扫。",
        "志愿服务",
        "学雷锋1.png；学雷锋2.png",
    ),
    (
        "2018-03-12",
        "植树节义务植树",
        "greening",
        "25",
        "",
        "3",
        "县城南山",
        "义务植树300株。",
        "志愿服务",
        "植树1.png\n植树2.png",
    ),
    (
        "2018-03-20",
        "召开创建动员会",
        "mobilization-meeting、responsibility-division",
        "45",
        "",
        "2",
        "局会议室",
        "召开2018年文明单位创建动员会。",
        "会议",
        "动员会.png",
    ),
    (
        "2018-03-28",
        "签订党风廉政建设责任书",
        "integrity-pledges",
        "38",
        "",
        "1",
        "局会议室",
        "局长与各股室负责人签订责任书。",
        "",
        "责任书.pdf",
    ),
    (
        "2018-03-30",
        "召开一季度创建工作会议",
        "work-meetings, daily-management",
        "15",
        "",
        "1.5",
        "局会议室",
        LONG_NOTE,
        "会议",
        "",
    ),
    (
        "2018-04-04",
        "清明节祭扫烈士墓",
        "traditional-festivals",
        "23",
        "张三,李四",
        "2",
        "烈士陵园",
        "组织党员干部缅怀革命先烈。",
        "节日",
        "清明1.png、清明2.png",
    ),
    (
        "2018-04-10",
        "完善《调研工作制度》等5项制度",
        "regulations",
        "",
        "",
        "",
        "",
        "修订调研、廉政、财务、考勤、车辆管理5项制度。",
        "",
        "",
    ),
    (
        "2018-04-11",
        "走访高新技术企业宣讲科技政策",
        "hi-tech-cultivation；policy-publicity",
        "6",
        "",
        "4",
        "县工业园区",
        "走访3家高新技术企业。",
        "",
        "走访.png",
    ),
    ("2018-04-12", "微信公众号发布创建工作动态", "wechat-news", "", "", "", "", "", "宣传", ""),
    (
        "2018-04-13",
        "四月主题党日：两学一做专题学习",
        "深入开展“两学一做”学习教育、speeches-study",
        "30",
        "",
        "2",
        "党员活动室",
        LONG_NOTE,
        "学习",
        "",
    ),
    (
        "2018-04-15",
        "全民国家安全教育日宣传",
        "wechat-civility\npublicity-atmosphere",
        "",
        "",
        "",
        "",
        "发布国家安全知识。",
        "宣传",
        "",
    ),
]


def tiny_png(width: int = 48, height: int = 32, seed: int = 0) -> bytes:
    """A real RGB PNG: a coloured gradient, different for each ``seed``."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            rows += bytes(
                (
                    (x * 5 + seed * 40) % 256,
                    (y * 7 + seed * 70) % 256,
                    (120 + seed * 25) % 256,
                )
            )

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows)))
        + chunk(b"IEND", b"")
    )


def tiny_pdf(text: str) -> bytes:
    """Not a full PDF; enough for a file that is not a photo."""
    return f"%PDF-1.4\n% {text}\n%%EOF\n".encode()


def attachment_names() -> list[str]:
    names = []
    for row in ROWS:
        for part in row[9].replace("；", "、").replace("\n", "、").split("、"):
            if part:
                names.append(part)
    return names


def write_files(folder: Path) -> None:
    """The photos and documents the ledger names, beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed, name in enumerate(attachment_names()):
        data = tiny_png(96, 64, seed) if name.endswith(".png") else tiny_pdf(name)
        (folder / name).write_bytes(data)


def ledger_csv(encoding: str = "utf-8-sig") -> bytes:
    """The ledger as a CSV file in ``encoding`` (``gbk``, ``utf-8``, ``utf-8-sig``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADINGS)
    for number, row in enumerate(ROWS, start=1):
        writer.writerow([number, *row])
    return buffer.getvalue().encode(encoding)


def write_ledger(folder: Path, name: str = "台账2018.csv", encoding: str = "utf-8-sig") -> Path:
    """The CSV ledger with its photos and documents beside it; returns its path."""
    write_files(folder)
    path = folder / name
    path.write_bytes(ledger_csv(encoding))
    return path


def record_sample(run: Any, folder: Path) -> Path:
    """Load the 2018 plan, import the sample ledger, mark one task done; returns the ledger.

    ``run`` is the tests' CLI runner; the caller sets WMCJ_TODAY (the README uses 2018-04-16).
    """
    plan = Path(__file__).resolve().parent.parent / "plans" / "2018.yaml"
    for args in (
        ("plan", "load", str(plan)),
        ("activity", "import", str(write_ledger(folder))),
        ("task", "done", "work-plan", "--date", "2018-03-20", "--note", "方案已印发"),
    ):
        result = run(*args)
        assert result.exit_code == 0, result.stderr
    return folder / "台账2018.csv"

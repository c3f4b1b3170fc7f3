"""Bad DMS exports: one clear problem list (file, row, column), nothing written, no traceback."""
from __future__ import annotations

import io
import zipfile

import pytest
from helpers import digest, kpi4s

import dmsdata as D
from addin import dms
from addin.io.problems import BookError

MONTH = D.MONTH


def problems(book, folder, month=MONTH):
    with pytest.raises(BookError) as err:
        dms.compute(book, [folder], month)
    return err.value.problems, str(err.value)


def test_every_bad_cell_in_one_list_with_file_row_and_column(store, tmp_path):
    """A title line and a blank line above the data: rows are the file's own line numbers."""
    book, folder = store
    rows = [list(r) for r in D.RO]
    # line 1 title, 2 header, 3 blank, 4 R01: rows[k] is on line k + 4
    rows[1][6] = "路人甲"                       # line 5 (R02): unknown advisor in September
    rows[3][0] = "R02"                          # line 7: R02 again
    rows[5][11] = "-270"                        # line 9 (R06): negative labour
    rows[6][1] = "2026-13-45 09:00"             # line 10 (R07): no such date
    rows[7][2] = "2026-09-14 09:00:00"          # line 11 (R08): closed before it opened
    rows[7][1] = "2026-09-15 09:00:00"
    rows[8][8] = "洗车"                          # line 12 (R09): a job type the mapping does not know
    rows[10][10] = "两小时"                      # line 14 (R11): text for hours
    rows[11][12] = "inf"                        # line 15 (R12): not a finite amount
    rows[13][6] = "已离职的人"                   # R14 (2025): unknown staff outside the month: fine
    path = folder / "维修工单.csv"
    D.write_csv(path, D.RO_HEAD, rows, title="维修工单明细（导出：2026-10-08）")
    text = path.read_text(encoding="utf-8").splitlines()
    text.insert(2, "")                          # a blank line after the header
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    before = digest(book)
    run = kpi4s("dms", book, folder, "--month", MONTH)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and digest(book) == before
    assert "DMS导出有错误，未写入任何内容" in run.stderr
    for line in ("[维修工单.csv] 第5行 「服务顾问」: 员工名册中没有「路人甲」",
                 "[维修工单.csv] 第7行 「工单号」: 工单号「R02」重复",
                 "[维修工单.csv] 第9行 「工时费」: 不能为负",
                 "[维修工单.csv] 第10行 「开单时间」: 日期/时间「2026-13-45 09:00」无法识别",
                 "[维修工单.csv] 第11行 「结算时间」: 结算时间早于开单时间",
                 "[维修工单.csv] 第12行 「维修类型」: 维修类型「洗车」无法识别",
                 "[维修工单.csv] 第14行 「工时」: 「两小时」不是数字",
                 "[维修工单.csv] 第15行 「材料费」: 「inf」不是数字"):
        assert line in run.stderr, (line, run.stderr)
    assert "已离职的人" not in run.stderr


def test_dates_and_numbers_as_people_type_them(store):
    """Other spellings go through the one parser: 2026年9月1日, 2026/9/5 9:00, serials, 1,200, 全角."""
    book, folder = store
    rows = [list(r) for r in D.RO]
    rows[1][1], rows[1][11] = "2026年9月1日 8:30", "５４０"             # R02
    rows[3][1], rows[3][12] = "2026/9/2 10:00", "1,000"                # R04
    rows[5][2] = "46270.4583333333"                                    # R06 closed 2026-09-05 11:00 (serial)
    D.write_csv(folder / "维修工单.csv", D.RO_HEAD, rows)
    res = dms.compute(book, [folder], MONTH)
    f = res.figures
    get = (lambda k, lvl="store": float(f[(f.month == MONTH) & (f.kpi_id == k) & (f.level == lvl)]["actual"].iloc[0]))
    assert get("monthly_intake") == 8 and get("revenue_per_repair") == pytest.approx(3820 / 5)
    assert get("rework_rate") == pytest.approx(1 / 7)


def test_staff_names_match_through_the_roster(store, tmp_path):
    book, folder = store
    roster = D.ROSTER + [["T9", "张伟", "钣喷车间", "钣喷技师", "创利部门", "赵主管", "王总", 5000, "正式", None]]
    twin = D.make_book(tmp_path / "twin.xlsx", roster=roster)
    found, text = problems(twin, folder)
    assert any(p.sheet == "维修工单.csv" and p.column == "服务顾问" and p.row == 3 and
               "员工名册中有 2 人都是「张伟」（A1、T9）" in p.message for p in found), text
    # DMS账号 tells them apart (the advisor's DMS account is 张伟, the body technician's is 张伟2)
    # (员工名册's columns: … 状态, 入职日期, 离职日期, DMS账号)
    roster = [r + [None, None] for r in D.ROSTER] + [["T9", "张伟", "钣喷车间", "钣喷技师", "创利部门", "赵主管", "王总",
                                                      5000, "正式", None, None, "张伟2"]]
    roster[0][-1] = "张伟"
    ok = D.make_book(tmp_path / "ok.xlsx", roster=roster)
    res = dms.compute(ok, [folder], MONTH)
    f = res.figures
    assert set(f.loc[(f.kpi_id == "monthly_intake") & (f.level == "person") & (f.month == MONTH), "employee_id"]) == \
        {"A1", "A2"}


@pytest.mark.parametrize("name,content,message", [
    ("维修工单.csv", b"", "文件为空"),
    ("维修工单.csv", bytes(range(256)) * 40, "文件编码无法识别"),
    ("维修工单.xls", "<html><body><table><tr><td>工单号</td></tr></table></body></html>".encode(), "网页(HTML)格式"),
    ("维修工单.xlsx", b"PK\x03\x04 not really a zip", "不是有效的 Excel 文件"),
    ("维修工单.csv", "随便写的,文本\n1,2\n".encode("utf-8"), "找不到表头行"),
    ("维修工单.csv", "工单号,服务顾问\nR1,张伟\n".encode("utf-8"), "作为「维修工单」导出，缺少必需列：开单时间"),
])
def test_files_that_are_not_exports(store, name, content, message):
    book, folder = store
    (folder / "维修工单.csv").unlink()
    (folder / name).write_bytes(content)
    found, text = problems(book, folder)
    assert any(message in p.message and p.sheet == name for p in found), text


def test_a_zip_bomb_is_refused(store):
    book, folder = store
    (folder / "维修工单.csv").unlink()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", bytes(50 << 20))
    (folder / "维修工单.xlsx").write_bytes(buf.getvalue())
    found, text = problems(book, folder)
    assert any(p.sheet == "维修工单.xlsx" and "压缩炸弹" in p.message for p in found), text


def test_repair_orders_are_required_and_paths_must_exist(store, tmp_path):
    book, folder = store
    (folder / "维修工单.csv").unlink()
    found, text = problems(book, folder)
    assert "缺少维修工单导出（必需）" in text
    with pytest.raises(BookError, match="文件不存在"):
        dms.compute(book, [tmp_path / "nope.csv"], MONTH)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(BookError, match="文件夹中没有"):
        dms.compute(book, [empty], MONTH)


def test_a_tab_separated_text_saved_as_xls_and_an_xlsx_export(store):
    """Some DMS write "Excel" files that are tab-separated text; others real .xlsx with a title row."""
    book, folder = store
    (folder / "维修工单.csv").unlink()
    D.write_csv(folder / "维修工单.xls", D.RO_HEAD, D.RO, encoding="gb18030", delimiter="\t")
    res = dms.compute(book, [folder], MONTH)
    assert res.figures.query("month == @MONTH and kpi_id == 'monthly_intake' and level == 'store'")["actual"].iloc[0] == 8
    (folder / "维修工单.xls").unlink()
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["维修工单明细"])
    ws.append(D.RO_HEAD)
    for r in D.RO:
        ws.append(r)
    ws.cell(1_048_576, 16_384, "stray")                   # a stray cell at XFD1048576
    wb.save(folder / "维修工单.xlsx")
    res = dms.compute(book, [folder], MONTH)
    f = res.figures
    assert float(f[(f.month == MONTH) & (f.kpi_id == "rework_rate") & (f.level == "person") &
                   (f.employee_id == "T1")]["actual"].iloc[0]) == pytest.approx(1 / 4)


def test_a_definition_may_only_read_the_loaded_tables(store, tmp_path):
    """The 指标库's SQL runs sandboxed: no files, one SELECT; its errors point at its 指标库 row."""
    from udfs.kpis import library_frame
    book, folder = store
    lib = library_frame("zh")
    sql = {"monthly_intake": f"SELECT * FROM read_csv('{tmp_path / 'secret.csv'}')",
           "daily_intake": "COPY (SELECT 1) TO '/tmp/kpi4s-evil.csv'",
           "revenue_per_repair": "SELECT 1 AS month, NULL AS person, 1 AS num",
           "revenue_per_insurance": "SELECT * FROM ro; DROP TABLE ro_t",
           "csi": "SELEC month FROM followup"}
    (tmp_path / "secret.csv").write_text("a\n1\n")
    for kid, text in sql.items():
        lib.loc[lib["编号"] == kid, "DMS计算定义"] = text
    rows = lib.astype(object).where(lib.notna(), None).values.tolist()
    bad = D.make_book(tmp_path / "bad.xlsx", **{"指标库": rows})
    found, text = problems(bad, folder)
    by_row = {p.row: p.message for p in found if p.sheet == "指标库"}
    row = {kid: int(lib.index[lib["编号"] == kid][0]) + 2 for kid in sql}
    assert set(by_row) == set(row.values()), text
    assert "月接车台次" in by_row[row["monthly_intake"]]
    assert "只能是一条 SELECT" in by_row[row["daily_intake"]]
    assert "缺少列 den" in by_row[row["revenue_per_repair"]]
    assert "只能是一条 SELECT" in by_row[row["revenue_per_insurance"]]
    assert "语法错误" in by_row[row["csi"]]
    assert all(p.column == "DMS计算定义" for p in found if p.sheet == "指标库")
    import os
    assert not os.path.exists("/tmp/kpi4s-evil.csv")


def test_exports_split_over_several_files(store):
    """September's and earlier repair orders in two files read as one; a repeat across them is named."""
    book, folder = store
    (folder / "维修工单.csv").unlink()
    D.write_csv(folder / "维修工单_2026-09.csv", D.RO_HEAD, [r for r in D.RO if r[1] >= "2026-09"])
    D.write_csv(folder / "维修工单_之前.csv", D.RO_HEAD, [r for r in D.RO if r[1] < "2026-09"])
    res = dms.compute(book, [folder], MONTH)
    assert res.figures.query("month == @MONTH and kpi_id == 'rework_rate' and level == 'store'")["actual"].iloc[0] == \
        pytest.approx(1 / 7)
    assert sorted(n for n, _, _ in res.files if n.startswith("维修工单")) == ["维修工单_2026-09.csv", "维修工单_之前.csv"]
    D.write_csv(folder / "维修工单_之前.csv", D.RO_HEAD, [r for r in D.RO if r[1] < "2026-09"] + [D.RO[5]])
    found, text = problems(book, folder)
    assert [(p.sheet, p.row, p.column) for p in found] == [("维修工单_之前.csv", 5, "工单号")], text


def test_english_headers_in_a_gbk_file_whose_head_is_plain_ascii(store, tmp_path):
    """A DMS with English headers (mapped in DMS映射) and Chinese names only far down the file: the
    head reads as UTF-8, the body is GBK — the file is read again whole and transcoded."""
    book, folder = store
    english = {"ro_no": "RO_NO", "opened": "OPEN_TIME", "closed": "CLOSE_TIME", "vin": "VIN", "customer": "CUST_NO",
               "advisor": "SA", "technician": "TECH", "job_type": "JOB_TYPE", "concern": "FAULT", "sold_hours": "HOURS",
               "labour_amount": "LABOUR", "parts_amount": "PARTS"}
    from python_calamine import CalamineWorkbook
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("DMS映射").to_python()
    mapping = [list(r) for r in rows[1:] if r and r[0]]
    for r in mapping:
        if r[0] == "维修工单" and r[1] in english:
            r[3] += "/" + english[r[1]]
    mapped = D.make_book(tmp_path / "english.xlsx", **{"DMS映射": mapping})
    head = ["RO_NO", "OPEN_TIME", "CLOSE_TIME", "VIN", "PLATE", "CUST_NO", "SA", "TECH", "JOB_TYPE", "FAULT", "HOURS",
            "LABOUR", "PARTS", "BOOKED"]
    filler = [[f"X{i:06d}", "2024-01-02 09:00:00", "2024-01-02 10:00:00", f"VX{i}", "", f"CX{i}", "A1", "T1", "一般维修",
               "E01", 1, 100, 0, "N"] for i in range(12000)]                  # ASCII only but the type word
    for r in filler:
        r[8] = "repair"                                                       # an English alias of 一般维修
    D.write_csv(folder / "维修工单.csv", head, filler + D.RO, encoding="gbk")
    assert (folder / "维修工单.csv").read_bytes()[:300_000].decode("utf-8")   # the head is valid UTF-8
    res = dms.compute(mapped, [folder], MONTH)
    assert res.figures.query("month == @MONTH and kpi_id == 'monthly_intake' and level == 'person' "
                             "and employee_id == 'A1'")["actual"].iloc[0] == 4


def test_a_row_with_more_columns_than_the_header(store):
    book, folder = store
    path = folder / "维修工单.csv"
    D.write_csv(path, D.RO_HEAD, D.RO)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] += ",多余的列"                                   # line 4 (R03)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found, text = problems(book, folder)
    assert [(p.sheet, p.row) for p in found] == [("维修工单.csv", 4)], text
    assert "这一行有 15 列，表头只有 14 列" in found[0].message

"""`hospipost report`: the page and the CSV written from a real SQLite ledger, its messages and exit
codes; real files in tmp_path."""

from __future__ import annotations

import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hospipost.cli import cli
from hospipost.config import Config
from hospipost.ledger import Ledger
from hospipost.stats_report import read_csv
from tests.test_stats_report import fill, fill_year

NOW = "2027-08-10 10:00"


@pytest.fixture
def site(config: Config) -> Config:
    with closing(Ledger.open_for_publishing(config)) as ledger:
        fill(config, ledger)
    return config


@pytest.fixture
def year_site(config: Config) -> Config:
    with closing(Ledger.open_for_publishing(config)) as ledger:
        fill_year(config, ledger)
    return config


def run(config: Config, *args: str, now: str = NOW) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config.path), "report", *args, "--now", now])


def test_the_page_and_the_csv_are_written(site: Config, tmp_path: Path) -> None:
    folder, table = tmp_path / "web" / "stats", tmp_path / "juillet.csv"
    result = run(site, "--html", str(folder), "--csv", str(table), "--month", "2027-07")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Wrote {folder / 'index.html'}: 5 deliveries with figures (July 2027).",
        f"Wrote {table}: 5 rows (July 2027).",
    ]
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "juillet 2027" in page and page.count('role="img"') == 2
    rows = read_csv(table.read_bytes())
    assert {(row["post"], row["network"]) for row in rows} == {
        ("babicoc", "facebook"),
        ("babicoc", "mastodon"),
        ("canicule-2027-07-19", "facebook"),
        ("canicule-2027-07-19", "mastodon"),
        ("canicule-2027-07-19", "x"),
    }
    assert list(tmp_path.glob("**/.*.tmp")) == []  # written atomically, nothing left behind


def test_the_annual_report_is_written(year_site: Config, tmp_path: Path) -> None:
    folder, table = tmp_path / "bilan", tmp_path / "bilan-2027.csv"
    result = run(year_site, "--html", str(folder), "--csv", str(table), "--year", "2027", now="2028-01-20 10:00")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Wrote {folder / 'index.html'}: 9 deliveries with figures (2027).",
        f"Wrote {table}: 9 rows (2027).",
    ]
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "année 2027" in page and '<h2 id="months">Par mois</h2>' in page and page.count('role="img"') == 2
    posts = {row["post"] for row in read_csv(table.read_bytes())}
    assert posts == {"babicoc", "canicule-2027-07-19", "decembre", "juin", "mars"}


def test_a_year_without_posts_is_nothing_to_report(year_site: Config, tmp_path: Path) -> None:
    result = run(year_site, "--csv", str(tmp_path / "r.csv"), "--year", "2025")
    assert result.exit_code == 1
    assert result.output == "Nothing to report for 2025: no post was sent that year.\n"


def test_without_month_it_is_this_month(site: Config, tmp_path: Path) -> None:
    result = run(site, "--csv", str(tmp_path / "r.csv"), now="2027-07-25 10:00")
    assert result.exit_code == 0 and "(July 2027)" in result.output


def test_june_holds_only_the_post_sent_in_june(site: Config, tmp_path: Path) -> None:
    result = run(site, "--csv", str(tmp_path / "r.csv"), "--month", "2027-06")
    assert result.exit_code == 0, result.output
    assert [row["post"] for row in read_csv((tmp_path / "r.csv").read_bytes())] == ["juin"]


def test_nothing_to_report_says_so_plainly(site: Config, tmp_path: Path) -> None:
    result = run(site, "--html", str(tmp_path / "web"), "--month", "2027-03")
    assert result.exit_code == 1
    assert result.output == "Nothing to report for March 2027: no post was sent that month.\n"
    assert not (tmp_path / "web").exists()


def test_nothing_sent_ever_is_nothing_to_report(config: Config, tmp_path: Path) -> None:
    result = run(config, "--csv", str(tmp_path / "r.csv"), "--month", "2027-07")
    assert result.exit_code == 1 and "Nothing to report for July 2027" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Give --html DIR, --csv FILE or both"),
        (["--csv", "r.csv", "--month", "2027-13"], "--month '2027-13': expected a month such as 2027-07 (YYYY-MM)"),
        (["--csv", "r.csv", "--month", "juillet"], "--month 'juillet': expected a month such as 2027-07"),
        (["--html", "{file}"], "is a file; give a folder"),
        (
            ["--csv", "r.csv", "--month", "2027-07", "--year", "2027"],
            "Give --month or --year, not both: a report covers one month or one year",
        ),
        (["--csv", "r.csv", "--year", "27"], "--year '27': expected a year such as 2027 (YYYY)"),
        (["--csv", "r.csv", "--year", "2027-07"], "--year '2027-07': expected a year such as 2027 (YYYY)"),
        (["--csv", "r.csv", "--year", "deux mille"], "--year 'deux mille': expected a year such as 2027"),
        (["--csv", "r.csv", "--month", "2027"], "--month '2027': expected a month such as 2027-07 (YYYY-MM)"),
        (["--csv", "{folder}"], "is a folder; give a file name"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(site: Config, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "a-file").write_text("x")
    args = [arg.format(file=tmp_path / "a-file", folder=tmp_path) for arg in args]
    result = run(site, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_without_matplotlib_the_page_says_how_to_install_it(
    site: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if it were not installed
    result = run(site, "--html", str(tmp_path / "web"), "--month", "2027-07")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "Error: `hospipost report --html` draws its charts with matplotlib: pip install 'hospipost[report]'"
    )
    assert run(site, "--csv", str(tmp_path / "r.csv"), "--month", "2027-07").exit_code == 0  # the CSV needs none


def test_report_help_imports_neither_matplotlib_nor_rich() -> None:
    code = (
        "import sys; from hospipost.cli import cli\n"
        "try: cli.main(['report', '--help'], standalone_mode=False)\n"
        "finally: print(sorted(m for m in ('matplotlib', 'numpy', 'rich', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "A month's or a year's figures" in out and "--year" in out and out.strip().endswith("[]")

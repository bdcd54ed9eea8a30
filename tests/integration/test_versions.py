"""Versions of a norm end to end: intervals in the manifest and in both stores, answers as of a
date, citations naming their version and level, removing a version, a PDF dated by a sidecar,
and the version question set (tests/data/versions_qa.jsonl)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from bench.suites.versions import DATA, VERSIONS, index, load_questions, run, summary
from tests.integration.cli import rathaus
from tests.pdfmaker import make_text_pdf

pytestmark = [pytest.mark.integration, pytest.mark.slow]
DOG = "Wie hoch ist die Hundesteuer für einen Hund?"


@pytest.fixture(scope="module")
def versioned(tmp_path_factory, embedder, shared_corpus: Path):
    from assistant.wiring import build_services
    from core.config import Settings

    data = tmp_path_factory.mktemp("versions") / "data"
    services = build_services(Settings(data_dir=data), embedder=embedder, llm_backend=None)
    index(services, shared_corpus)
    # an invented Dienstanweisung contradicting the Streupflichtsatzung and the
    # Polizeiverordnung, in its own collection so the version questions never see it
    assert services.documents.ingest([DATA / "hierarchy"], "vollzug").ok
    yield services
    services.close()


def intervals(services) -> dict[str, tuple]:
    return {r.doc: (r.effective_from, r.effective_to, r.superseded_by)
            for r in services.components.manifest.records() if r.norm_key}


def test_versions_get_their_interval_in_force(versioned) -> None:
    assert intervals(versioned) == {
        "gemeinde_BadBoll_Hundesteuer_2019.md":  # start from its "tritt am … in Kraft"
            ("2019-01-01", "2023-12-31", "gemeinde_BadBoll_Hundesteuer_2024.md"),
        "gemeinde_BadBoll_Hundesteuer_2024.md": ("2024-01-01", None, None),
        "gemeinde_BadBoll_Streupflicht_2007.md":
            ("2007-12-01", "2022-10-31", "gemeinde_BadBoll_Streupflicht_2022.md"),
        "gemeinde_BadBoll_Streupflicht_2022.md": ("2022-11-01", None, None),
        "blaupause_uc8_leipzig_stand_2024.md":  # a blueprint's `stand` dates its version
            ("2024-11-22", "2025-12-08", "blaupause_uc8_leipzig.md"),
        "blaupause_uc8_leipzig.md": ("2025-12-09", None, None),
        "gemeinde_BadBoll_Dienstanweisung_Gemeindevollzugsdienst.md": ("2023-11-01", None, None),
    }


def test_search_sees_todays_version_unless_a_date_is_named(versioned) -> None:
    today = {r.doc for r in versioned.asking.search(DOG, k=10)}
    assert "gemeinde_BadBoll_Hundesteuer_2024.md" in today
    assert "gemeinde_BadBoll_Hundesteuer_2019.md" not in today
    then = {r.doc for r in versioned.asking.search(DOG, k=10, valid_at="2020-03-01")}
    assert "gemeinde_BadBoll_Hundesteuer_2019.md" in then
    assert "gemeinde_BadBoll_Hundesteuer_2024.md" not in then
    from vectorstore.filters import RetrievalFilter

    keyword = versioned.components.keyword  # it got the intervals too and filters alike
    for day, doc in (("2020-03-01", "gemeinde_BadBoll_Hundesteuer_2019.md"),
                     ("2025-03-01", "gemeinde_BadBoll_Hundesteuer_2024.md")):
        ids = [i for i, _ in keyword.search("Hundesteuer Steuersatz", 30,
                                             RetrievalFilter.of(valid_at=day))]
        docs = {row.metadata["doc"] for row in keyword.mirror.chunks(ids).values()}
        assert doc in docs and not docs & {"gemeinde_BadBoll_Hundesteuer_2019.md",
                                           "gemeinde_BadBoll_Hundesteuer_2024.md"} - {doc}


def test_an_answer_about_a_past_date_names_its_version_and_todays(versioned) -> None:
    answer = versioned.asking.ask("Wie hoch war die Hundesteuer für einen Hund am 1. März 2020?")
    assert answer.as_of == "01.03.2020"
    first = answer.citations[0]
    assert first.doc == "gemeinde_BadBoll_Hundesteuer_2019.md" and "108,00" in first.quote
    assert (first.valid_from, first.valid_to, first.dated) == ("2019-01-01", "2023-12-31",
                                                              "2018-12-06")
    assert first.level == "Satzung/Verordnung der Kommune"
    note = next(n for n in answer.notes if "gilt heute nicht mehr" in n)
    assert "Hundesteuer_2024.md, § 5" in note
    today_n = int(note.split("heute gilt: [")[1].split("]")[0])  # shown beside the citation
    assert answer.sources[today_n - 1].doc == "gemeinde_BadBoll_Hundesteuer_2024.md"
    today = versioned.asking.ask(DOG)
    assert not any("gilt heute nicht mehr" in n for n in today.notes)


def test_the_version_question_set(versioned) -> None:
    results = [run(versioned, case, date.today()) for case in load_questions()]
    figures = summary(results)
    print(json.dumps(figures, ensure_ascii=False))
    assert figures["questions"] >= 20
    assert figures["superseded_citations_in_today_questions"] == 0
    assert figures["contradictions_flagged"] == 0  # the set's sources agree with each other
    # whatever is answered cites the right version; refusals stay within the false refusals
    # the evidence threshold was calibrated to (0.15 of answerable questions, docs/benchmarks.md)
    assert all(r.right_version or r.refused for r in results), [
        r for r in results if not (r.right_version or r.refused)]
    assert figures["refused"] <= 0.15 * figures["questions"]


def test_a_change_question_is_answered_from_both_versions(versioned) -> None:
    answer = versioned.asking.ask("Was hat sich bei der Hundesteuer geändert?")
    assert answer.kind == "checked" and not answer.refused
    assert "108,00 € → 165,00 €" in answer.answer and "§ 5" in answer.answer
    docs = [c.doc for c in answer.citations]
    assert set(docs) == {"gemeinde_BadBoll_Hundesteuer_2019.md",
                         "gemeinde_BadBoll_Hundesteuer_2024.md"}
    assert all(f"[{c.n}]" in answer.answer for c in answer.citations)
    # the chat shows citation n beside answer.sources[n - 1]
    assert [s.doc for s in answer.sources] == docs
    rates = [c for c in answer.citations if c.section and c.section.startswith("§ 5")]
    assert [c.doc for c in rates] == ["gemeinde_BadBoll_Hundesteuer_2024.md",
                                      "gemeinde_BadBoll_Hundesteuer_2019.md"]
    assert "165,00 €" in rates[0].quote and "108,00 €" in rates[1].quote
    assert rates[1].valid_to == "2023-12-31"
    print(answer.answer)
    # a user without the collection gets no comparison of it
    assert versioned.asking.ask("Was hat sich bei der Hundesteuer geändert?",
                                collections=["vollzug"]).kind != "checked"


def test_contradicting_levels_are_named_highest_first(versioned) -> None:
    both = ["allgemein", "vollzug"]
    times = versioned.asking.ask("Bis wann müssen die Gehwege montags bis freitags geräumt "
                                 "und gestreut sein?", collections=both)
    assert times.answer.startswith("Die Unterlagen widersprechen sich"), times.answer
    first, second = times.citations
    assert [s.doc for s in times.sources[:2]] == [first.doc, second.doc]
    assert first.doc == "gemeinde_BadBoll_Streupflicht_2022.md" and "6.30 Uhr" in first.quote
    assert second.level == "Dienstanweisung" and "7.30 Uhr" in second.quote
    leash = versioned.asking.ask("Sind Hunde im Innenbereich auf Gehwegen an der Leine zu "
                                 "führen?", collections=both)
    assert leash.answer.startswith("Die Unterlagen widersprechen sich"), leash.answer
    assert [c.doc for c in leash.citations] == [
        "gemeinde_BadBoll_Polizeiverordnung.md",
        "gemeinde_BadBoll_Dienstanweisung_Gemeindevollzugsdienst.md"]
    alone = versioned.asking.ask("Bis wann müssen die Gehwege montags bis freitags geräumt "
                                 "und gestreut sein?", collections=["allgemein"])
    assert "widersprechen" not in alone.answer and "6.30 Uhr" in alone.answer


def test_removing_a_version_reopens_the_one_before(make_services, tmp_path: Path) -> None:
    folder = tmp_path / "satzungen"
    shutil.copytree(VERSIONS, folder, ignore=shutil.ignore_patterns("*.py"))
    services = make_services(llm_backend=None)
    services.documents.ingest([folder], "allgemein")
    assert services.documents.remove("allgemein",
                                     str(folder / "gemeinde_BadBoll_Hundesteuer_2024.md"))
    assert intervals(services)["gemeinde_BadBoll_Hundesteuer_2019.md"] == ("2019-01-01", None,
                                                                         None)
    assert "gemeinde_BadBoll_Hundesteuer_2019.md" in {r.doc for r in
                                                      services.asking.search(DOG, k=10)}


def test_a_pdf_is_dated_by_its_sidecar_and_cli_json_carries_the_version(tmp_path: Path) -> None:
    folder = tmp_path / "ordnungen"
    folder.mkdir()
    for year, fee in (("2018", "35"), ("2023", "50")):
        pdf = make_text_pdf(folder / f"gebuehren_{year}.pdf", [
            "Gebührenordnung Hallenbenutzung\n\n§ 2 Gebühr\n\n"
            f"Die Gebühr für die Benutzung der Halle beträgt {fee} Euro je Abend."])
        (folder / f"{pdf.name}.meta.yaml").write_text(
            f"norm_id: hallengebuehr\nvalid_from: {year}-01-01\ntype: Satzung\n", "utf-8")
    data = tmp_path / "data"
    result = rathaus("ingest", "-q", str(folder), data_dir=data)
    assert result.returncode == 0 and "meta.yaml" not in result.stdout + result.stderr
    asked = json.loads(rathaus("ask", "--json", "--as-of", "2020-06-01",
                               "Wie hoch ist die Gebühr für die Benutzung der Halle?",
                               data_dir=data).stdout)
    first = asked["citations"][0]
    assert first["doc"] == "gebuehren_2018.pdf" and "35 Euro" in first["quote"]
    assert (first["valid_from"], first["valid_to"]) == ("2018-01-01", "2022-12-31")
    assert asked["as_of"] == "01.06.2020" and first["level"] == "Satzung/Verordnung der Kommune"
    found = json.loads(rathaus("search", "--json", "Gebühr Halle Abend", data_dir=data).stdout)
    assert {r["doc"] for r in found["results"]} == {"gebuehren_2023.pdf"}
    assert found["results"][0]["valid_from"] == "2023-01-01"
    changed = rathaus("compare", "hallengebuehr", "--from", "2020-01-01", "--to", "2024-06-30",
                      data_dir=data)
    assert changed.returncode == 0, changed.stderr
    assert "35 Euro → 50 Euro" in changed.stdout
    unknown = rathaus("compare", "gibtsnicht", "--from", "2020-01-01", "--to", "2024-06-30",
                      data_dir=data)
    assert unknown.returncode == 1 and "hallengebuehr" in unknown.stderr


def test_compare_names_the_changed_figures_section_by_section(versioned) -> None:
    dog = versioned.compare.compare("gemeinde_BadBoll_Hundesteuer_2019.md", date(2020, 3, 1),
                                    date(2025, 3, 1))
    assert (dog.old.doc, dog.new.doc) == ("gemeinde_BadBoll_Hundesteuer_2019.md",
                                          "gemeinde_BadBoll_Hundesteuer_2024.md")
    rates = next(c for c in dog.changes if c.section.startswith("§ 5"))
    assert ("108,00 €", "165,00 €") in rates.figures and ("216,00 €", "330,00 €") in rates.figures
    assert "§ 1" in dog.unchanged and "§ 6" in dog.unchanged
    ice = versioned.compare.compare("badboll-streupflicht", date(2015, 1, 1), date(2025, 1, 1))
    lines = "\n".join(ice.lines())
    assert "7.00 Uhr → 6.30 Uhr" in lines and "1,00 Meter → 1,20 Meter" in lines
    same = versioned.compare.compare("badboll-streupflicht", date(2023, 1, 1), date(2025, 1, 1))
    assert same.changes == [] and "dieselbe Fassung" in same.lines()[0]

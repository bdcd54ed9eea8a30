"""Builds the version test data from the shared Bad Boll Satzungen (run from the project root:
`python tests/data/versions/build.py`). TEST DATA: the 2019 Hundesteuersatzung and the 2022
Streupflichtsatzung are invented versions (changed rates, times and dates) of real texts; they
were never in force. See samples/SOURCES.md."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[2].parent / "shared" / "corpus"
NOTE = ("> TESTDATEN – erfundene Fassung für die Tests der Rathaus-Assistent-Versionierung, "
        "abgeleitet aus der echten Satzung; nie in Kraft gewesen.\n\n")


def front(**fields: str) -> str:
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()) + "---\n\n"


def replace(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    return text


def main() -> None:
    dog = (CORPUS / "gemeinde_BadBoll_Satzung_Erhebung_Hundesteuer.md").read_text("utf-8")
    title = "Satzung über die Erhebung der Hundesteuer"
    (HERE / "gemeinde_BadBoll_Hundesteuer_2024.md").write_text(
        front(title=title, kommune="Bad Boll", type="Satzung", valid_from="2024-01-01",
              datum="2023-12-07") + dog, "utf-8")
    old_dog = replace(
        dog, ("165,00 €", "108,00 €"), ("900,00 €", "612,00 €"), ("330,00 €", "216,00 €"),
        ("**Stand:** Januar 2025", "**Stand:** Januar 2019"),
        ("am 7.12.2023 folgende Satzung beschlossen, die mit Satzung vom 14.11.2024 geändert "
         "wurde:", "am 6.12.2018 folgende Satzung beschlossen:"),
        ("Diese Satzung tritt am 1. Januar 2024, die Änderungssatzung am 1. Januar 2025 in "
         "Kraft.", "Diese Satzung tritt am 1. Januar 2019 in Kraft."))
    # no valid_from: the version starts at its "tritt am … in Kraft" clause
    (HERE / "gemeinde_BadBoll_Hundesteuer_2019.md").write_text(
        front(title=title, kommune="Bad Boll", type="Satzung", datum="2018-12-06")
        + NOTE + old_dog, "utf-8")

    ice = (CORPUS / "gemeinde_BadBoll_Satzung_Streupflicht.md").read_text("utf-8")
    (HERE / "gemeinde_BadBoll_Streupflicht_2007.md").write_text(
        front(title="Streupflichtsatzung", norm_id="badboll-streupflicht", type="Satzung",
              valid_from="2007-12-01", datum="2007-10-25") + ice, "utf-8")
    new_ice = replace(
        ice, ("montags bis freitags bis 7.00 Uhr", "montags bis freitags bis 6.30 Uhr"),
        ("Diese Pflicht endet um 20.00 Uhr.", "Diese Pflicht endet um 21.00 Uhr."),
        ("in einer Breite von mindestens 1,00 Meter", "in einer Breite von mindestens 1,20 Meter"),
        ("hat der Gemeinderat am 25.10.2007 folgende Satzung beschlossen",
         "hat der Gemeinderat am 20.9.2022 folgende Satzung beschlossen"),
        ("Diese Satzung tritt am Tage nach ihrer öffentlichen Bekanntmachung in Kraft.",
         "Diese Satzung tritt am 1. November 2022 in Kraft."))
    (HERE / "gemeinde_BadBoll_Streupflicht_2022.md").write_text(
        front(title="Streupflichtsatzung", norm_id="badboll-streupflicht", type="Satzung",
              datum="2022-09-20") + NOTE + new_ice, "utf-8")

    plan = (CORPUS.parent / "corpus-blueprints" / "blaupause_uc8_leipzig.md").read_text("utf-8")
    old_plan = replace(
        plan, ("stand: 2025-12-09", "stand: 2024-11-22"),
        ("Ob dabei auch Daten mit Personenbezug berührt sind, wie Nutzereingaben gespeichert "
         "werden und ob das Modell lokal betrieben wird: nicht veröffentlicht.",
         "Nutzereingaben werden 90 Tage gespeichert und danach gelöscht; das Modell soll "
         "lokal betrieben werden."))
    old_plan = old_plan.replace("---\n\n", "---\n\n" + NOTE.replace(
        "der echten Satzung; nie in Kraft gewesen", "der echten Blaupause; nie veröffentlicht"), 1)
    (HERE / "blaupause_uc8_leipzig_stand_2024.md").write_text(old_plan, "utf-8")


if __name__ == "__main__":
    main()

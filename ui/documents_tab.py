"""The "Dokumente" page (role admin): collections and rights, upload, folder ingest, status."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.accounts import check_name
from assistant.errors import AssistantError
from assistant.services import Services
from ingest.pipeline import IngestReport
from ui.session import current_user, require

STATUS_DE = {"indexed": "indexiert", "failed": "fehlgeschlagen", "needs_ocr": "braucht OCR",
             "duplicate": "Duplikat", "pending": "in Arbeit"}
DOC_HEADERS = ["Sammlung", "Dokument", "Status", "Hinweis", "Abschnitte", "Stand", "Pfad"]


def _admin(services: Services, request: gr.Request) -> None:
    require(current_user(services, request).can_manage_documents, "die Dokumentverwaltung")


def document_rows(services: Services) -> list[list[Any]]:
    rows = []
    for r in sorted(services.manifest.records(), key=lambda r: (r.collection, r.doc)):
        when = dt.datetime.fromtimestamp(r.updated_at).strftime("%d.%m.%Y %H:%M") if r.updated_at else ""
        note = r.reason or (f"Duplikat von {Path(r.duplicate_of).name}" if r.duplicate_of else "")
        rows.append([r.collection, r.doc, STATUS_DE.get(r.status, r.status), note,
                     len(r.chunk_ids), when, r.path])
    return rows


def collection_rows(services: Services) -> list[list[Any]]:
    counts = services.status()["collections"]
    grants = services.accounts.grants()
    return [[c, counts.get(c, {}).get("documents", 0), ", ".join(grants.get(c, ())) or "alle"]
            for c in services.collections()]


def report_text(report: IngestReport, collection: str) -> str:
    lines = [f"**Sammlung {collection}:** {len(report.indexed)} indexiert, "
             f"{len(report.unchanged)} unverändert, {len(report.duplicates)} Duplikate, "
             f"{len(report.failed)} fehlgeschlagen, {report.chunks_added} Abschnitte "
             f"in {report.seconds:.1f} s."]
    lines += [f"- FEHLER {Path(p.path).name}: {p.reason}" for p in report.failed]
    lines += [f"- übersprungen {Path(p.path).name}: {p.reason}" for p in report.skipped]
    lines += [f"- Duplikat {Path(p.path).name}: {p.reason}" for p in report.duplicates]
    return "\n".join(lines)


def build_documents_tab(services: Services) -> dict[str, Any]:
    with gr.Row():
        with gr.Column():
            gr.Markdown("### Sammlungen und Leserechte")
            name = gr.Textbox(label="Sammlung", elem_id="collection-name",
                              placeholder="z. B. bauamt-intern")
            groups = gr.Textbox(label="Lesende Gruppen (leer = alle angemeldeten Benutzer)",
                                elem_id="collection-groups", placeholder="z. B. bauamt, leitung")
            save = gr.Button("Anlegen / Rechte setzen", elem_id="collection-save")
            collections = gr.Dataframe(headers=["Sammlung", "Dokumente", "Lesbar für"],
                                       elem_id="collections-table", interactive=False)
        with gr.Column():
            gr.Markdown("### Dokumente hinzufügen")
            target = gr.Dropdown(label="Ziel-Sammlung", elem_id="upload-collection",
                                 allow_custom_value=True, interactive=True)
            upload = gr.File(label="Dateien (PDF, DOCX, HTML, Markdown, Text)", elem_id="upload",
                             file_count="multiple", type="filepath")
            upload_send = gr.Button("Hochladen und indexieren", elem_id="upload-send",
                                    variant="primary")
            folder = gr.Textbox(label="Oder Ordner auf dem Server", elem_id="folder-path",
                                placeholder="/srv/dokumente/satzungen")
            folder_send = gr.Button("Ordner indexieren", elem_id="folder-send")
            status = gr.Markdown(elem_id="upload-status")
    gr.Markdown("### Dokumente")
    documents = gr.Dataframe(headers=DOC_HEADERS, elem_id="documents", interactive=False,
                             wrap=True)
    with gr.Row():
        selected = gr.Dropdown(label="Dokument", elem_id="document-select", scale=4)
        delete = gr.Button("Löschen", elem_id="document-delete", variant="stop", scale=1)
        reindex = gr.Button("Neu indexieren", elem_id="document-reindex", scale=1)
        refresh = gr.Button("Aktualisieren", elem_id="documents-refresh", scale=1)

    def snapshot():
        rows = document_rows(services)
        keys = [f"{r[0]} | {r[6]}" for r in rows]
        names = services.collections()
        return (collection_rows(services), rows, gr.Dropdown(choices=keys, value=None),
                gr.Dropdown(choices=names, value=services.settings.default_collection))

    views = [collections, documents, selected, target]

    def on_refresh(request: gr.Request):
        _admin(services, request)
        return snapshot()

    def on_save(collection: str, group_text: str, request: gr.Request):
        _admin(services, request)
        try:
            granted = services.accounts.grant((collection or "").strip(), group_text or "")
        except AssistantError as exc:
            raise gr.Error(exc.message_de) from exc
        readers = ", ".join(granted) or "alle angemeldeten Benutzer"
        return (f"Sammlung **{collection}** lesbar für: {readers}", *snapshot())

    def ingest(paths: list[Path], collection: str, progress: gr.Progress) -> str:
        def tick(file_name: str, done: int, total: int, chunks: int) -> None:
            progress((done, total), desc=f"{file_name} · {chunks} Abschnitte", unit="Dateien")

        try:
            report = services.pipeline.run(paths, collection, prune=False, progress=tick)
        except AssistantError as exc:
            raise gr.Error(exc.message_de) from exc
        return report_text(report, collection)

    def on_upload(files: list[str] | None, collection: str, request: gr.Request,
                  progress=gr.Progress()):
        _admin(services, request)
        if not files:
            raise gr.Error("Bitte zuerst Dateien auswählen.")
        collection = _collection_name(services, collection)
        limit = services.settings.web.max_upload_mb * 1024 * 1024
        inbox = services.data_dir / "uploads" / collection
        inbox.mkdir(parents=True, exist_ok=True)
        kept, refused = [], []
        for temp in files:
            source = Path(temp)
            if source.stat().st_size > limit:
                refused.append(f"- FEHLER {source.name}: größer als "
                               f"{services.settings.web.max_upload_mb:g} MB")
                continue
            target = inbox / source.name
            shutil.copyfile(source, target)
            kept.append(target)
        text = ingest(kept, collection, progress) if kept else ""
        return ("\n".join([text, *refused]).strip(), *snapshot())

    def on_folder(path: str, collection: str, request: gr.Request, progress=gr.Progress()):
        _admin(services, request)
        folder_path = Path((path or "").strip())
        if not path or not folder_path.exists():
            raise gr.Error(f"Ordner nicht gefunden: {path}")
        collection = _collection_name(services, collection)
        return (ingest([folder_path], collection, progress), *snapshot())

    def on_delete(key: str, request: gr.Request):
        _admin(services, request)
        collection, path = _split_key(key)
        removed = services.pipeline.remove(collection, path)
        if removed and _is_upload(services, path):
            Path(path).unlink(missing_ok=True)
        message = (f"{Path(path).name} aus {collection} entfernt." if removed
                   else f"{Path(path).name} ist nicht im Index.")
        return (message, *snapshot())

    def on_reindex(key: str, request: gr.Request, progress=gr.Progress()):
        _admin(services, request)
        collection, path = _split_key(key)
        if not Path(path).is_file():
            raise gr.Error(f"Die Datei ist nicht mehr vorhanden: {path}")
        services.pipeline.remove(collection, path)
        return (ingest([Path(path)], collection, progress), *snapshot())

    save.click(on_save, [name, groups], [status, *views], api_name="collection_grant")
    upload_send.click(on_upload, [upload, target], [status, *views], api_name="upload")
    folder_send.click(on_folder, [folder, target], [status, *views], api_name="ingest_folder")
    delete.click(on_delete, selected, [status, *views], api_name="document_delete")
    reindex.click(on_reindex, selected, [status, *views], api_name="document_reindex")
    refresh.click(on_refresh, None, views, api_name=False)

    def on_load(request: gr.Request):
        if not current_user(services, request).can_manage_documents:
            return [gr.update()] * len(views)
        return snapshot()

    return {"load": (on_load, views)}


def _collection_name(services: Services, name: str | None) -> str:
    chosen = (name or "").strip() or services.settings.default_collection
    try:
        return check_name(chosen, "Sammlung")
    except AssistantError as exc:
        raise gr.Error(exc.message_de) from exc


def _split_key(key: str | None) -> tuple[str, str]:
    if not key or " | " not in key:
        raise gr.Error("Bitte zuerst ein Dokument auswählen.")
    collection, path = key.split(" | ", 1)
    return collection, path


def _is_upload(services: Services, path: str) -> bool:
    return Path(path).resolve().is_relative_to((services.data_dir / "uploads").resolve())

"""The "Dokumente" page (role admin): collections and rights, upload, folder ingest, status."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.identity.access import AccessService
from assistant.operations.documents import DocumentService, UploadResult, report_lines
from assistant.operations.sync import SyncService
from core.errors import AssistantError
from ingest.pipeline import IngestReport
from ui.session import current_user, require

STATUS_DE = {"indexed": "indexiert", "failed": "fehlgeschlagen", "needs_ocr": "braucht OCR",
             "duplicate": "Duplikat", "pending": "in Arbeit"}
DOC_HEADERS = ["Sammlung", "Dokument", "Status", "Hinweis", "Abschnitte", "Stand", "Pfad"]
SOURCE_HEADERS = ["Quelle", "Ordner", "Sammlung", "Letzter Lauf", "Ergebnis"]


def _admin(access: AccessService, request: gr.Request) -> None:
    require(current_user(access, request).can_manage_documents, "die Dokumentverwaltung")


def document_rows(documents: DocumentService) -> list[list[Any]]:
    rows = []
    for r in sorted(documents.records(), key=lambda r: (r.collection, r.doc)):
        when = (dt.datetime.fromtimestamp(r.updated_at).strftime("%d.%m.%Y %H:%M")
                if r.updated_at else "")
        note = r.reason or (f"Duplikat von {Path(r.duplicate_of).name}" if r.duplicate_of else "")
        rows.append([r.collection, r.doc, STATUS_DE.get(r.status, r.status), note,
                     len(r.chunk_ids), when, r.path])
    return rows


def collection_rows(documents: DocumentService, access: AccessService) -> list[list[Any]]:
    counts = documents.status()["collections"]
    grants = access.grants()
    return [[c, counts.get(c, {}).get("documents", 0), ", ".join(grants.get(c, ())) or "alle"]
            for c in access.collections(grants)]


def source_rows(sync: SyncService) -> list[list[Any]]:
    """The folder sources (`rathaus sync`) with their last run, as IT sees them in status."""
    rows = []
    for source in sync.status():
        if source["last_run"] is None:
            result = "noch nie gelaufen"
        elif source["error"]:
            result = f"Fehler: {source['error']}"
        else:
            result = (f"{source['indexed']} indexiert, {source['removed']} entfernt, "
                      f"{source['unchanged']} unverändert")
            if source["waiting"]:
                result += f", {len(source['waiting'])} warten"
            if source["failed"]:
                result += f", {len(source['failed'])} fehlgeschlagen"
        rows.append([source["name"], source["path"], source["collection"],
                     (source["last_run"] or "").replace("T", " ")[:19], result])
    return rows


def report_markdown(report: IngestReport | None, collection: str,
                    refused: list[str] = ()) -> str:
    """The run's summary and its problem files as a Markdown list (file names, not paths)."""
    lines = [f"- FEHLER {name}" for name in refused]
    if report is not None:
        summary, problems = report_lines(report, collection,
                                          show_path=lambda path: Path(path).name)
        lines = [f"**{summary}**", *(f"- {line}" for line in problems), *lines]
    return "\n".join(lines)


def build_documents_tab(documents: DocumentService, access: AccessService, sync: SyncService
                        ) -> dict[str, Any]:
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
    table = gr.Dataframe(headers=DOC_HEADERS, elem_id="documents", interactive=False, wrap=True)
    with gr.Row():
        # custom values let IT scripts name a document through the API ("SAMMLUNG | PFAD");
        # the handlers check the role and look the key up in the manifest
        selected = gr.Dropdown(label="Dokument", elem_id="document-select", scale=4,
                               allow_custom_value=True)
        delete = gr.Button("Löschen", elem_id="document-delete", variant="stop", scale=1)
        reindex = gr.Button("Neu indexieren", elem_id="document-reindex", scale=1)
        refresh = gr.Button("Aktualisieren", elem_id="documents-refresh", scale=1)
    gr.Markdown("### Ordner-Abgleich (`sync.sources`, `rathaus sync --watch`)")
    sources = gr.Dataframe(headers=SOURCE_HEADERS, elem_id="sync-sources", interactive=False,
                           wrap=True)
    sync_run = gr.Button("Alle Quellen jetzt abgleichen", elem_id="sync-run",
                         interactive=bool(sync.sources))

    def snapshot():
        rows = document_rows(documents)
        keys = [f"{r[0]} | {r[6]}" for r in rows]
        return (collection_rows(documents, access), rows, gr.Dropdown(choices=keys, value=None),
                gr.Dropdown(choices=access.collections(), value=access.default_collection),
                source_rows(sync))

    views = [collections, table, selected, target, sources]

    def on_refresh(request: gr.Request):
        _admin(access, request)
        return snapshot()

    def on_save(collection: str, group_text: str, request: gr.Request):
        _admin(access, request)
        try:
            granted = access.grant((collection or "").strip(), group_text or "")
        except AssistantError as exc:
            raise gr.Error(exc.message_de) from exc
        readers = ", ".join(granted) or "alle angemeldeten Benutzer"
        return (f"Sammlung **{collection}** lesbar für: {readers}", *snapshot())

    def ticker(progress: gr.Progress):
        def tick(file_name: str, done: int, total: int, chunks: int) -> None:
            progress((done, total), desc=f"{file_name} · {chunks} Abschnitte", unit="Dateien")
        return tick

    def on_upload(files: list[str] | None, collection: str, request: gr.Request,
                  progress=gr.Progress()):
        _admin(access, request)
        if not files:
            raise gr.Error("Bitte zuerst Dateien auswählen.")
        collection = _collection_name(access, collection)
        try:
            result: UploadResult = documents.upload([Path(f) for f in files], collection,
                                                    progress=ticker(progress))
        except AssistantError as exc:
            raise gr.Error(exc.message_de) from exc
        refused = [f"{p.path}: {p.reason}" for p in result.refused]
        return (report_markdown(result.report, collection, refused), *snapshot())

    def on_folder(path: str, collection: str, request: gr.Request, progress=gr.Progress()):
        _admin(access, request)
        folder_path = Path((path or "").strip())
        if not path or not folder_path.exists():
            raise gr.Error(f"Ordner nicht gefunden: {path}")
        collection = _collection_name(access, collection)
        try:
            report = documents.ingest([folder_path], collection, prune=False,
                                      progress=ticker(progress))
        except AssistantError as exc:
            raise gr.Error(exc.message_de) from exc
        return (report_markdown(report, collection), *snapshot())

    def on_delete(key: str, request: gr.Request):
        _admin(access, request)
        collection, path = _split_key(key)
        removed = documents.remove(collection, path)
        message = (f"{Path(path).name} aus {collection} entfernt." if removed
                   else f"{Path(path).name} ist nicht im Index.")
        return (message, *snapshot())

    def on_reindex(key: str, request: gr.Request, progress=gr.Progress()):
        _admin(access, request)
        collection, path = _split_key(key)
        try:
            report = documents.reindex_document(collection, path, progress=ticker(progress))
        except AssistantError as exc:
            raise gr.Error(exc.message_de) from exc
        return (report_markdown(report, collection), *snapshot())

    def on_sync(request: gr.Request):
        _admin(access, request)
        statuses = sync.run()
        failed = sum(1 for s in statuses if not s.ok)
        message = (f"{len(statuses)} Quelle(n) abgeglichen" +
                   (f", {failed} mit Fehlern (siehe Tabelle)." if failed else "."))
        return (message, *snapshot())

    sync_run.click(on_sync, None, [status, *views], api_name="sync_run")
    save.click(on_save, [name, groups], [status, *views], api_name="collection_grant")
    upload_send.click(on_upload, [upload, target], [status, *views], api_name="upload")
    folder_send.click(on_folder, [folder, target], [status, *views], api_name="ingest_folder")
    delete.click(on_delete, selected, [status, *views], api_name="document_delete")
    reindex.click(on_reindex, selected, [status, *views], api_name="document_reindex")
    refresh.click(on_refresh, None, views, api_name=False)

    def on_load(request: gr.Request):
        if not current_user(access, request).can_manage_documents:
            return [gr.update()] * len(views)
        return snapshot()

    return {"load": (on_load, views)}


def _collection_name(access: AccessService, name: str | None) -> str:
    try:
        return access.collection_name(name)
    except AssistantError as exc:
        raise gr.Error(exc.message_de) from exc


def _split_key(key: str | None) -> tuple[str, str]:
    if not key or " | " not in key:
        raise gr.Error("Bitte zuerst ein Dokument auswählen.")
    collection, path = key.split(" | ", 1)
    return collection, path

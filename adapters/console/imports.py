"""Imports from the console (admins): upload an XLSX/CSV, which is checked
first (a dry run, nothing written), watch its progress bar, read the
row-level report with the spreadsheet's row numbers, then import for real.
The runs are the imports capability's (named operations); progress is read
from the import_jobs table, so any worker answers the page's polls."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from adapters.console.auth import admin_only
from adapters.console.env import ConsoleEnv
from adapters.console.views import refused, viewer_id
from chat import operations
from chat.operations import Refused
from models import ImportJob
from models.db import read_only

RECENT = 20


def install(bp: Blueprint, env: ConsoleEnv) -> None:
    svc = env.svc

    @bp.get("/imports")
    @admin_only
    def imports():
        with svc.factory() as s:
            jobs = list(s.execute(select(ImportJob).order_by(ImportJob.id.desc()).limit(RECENT)).scalars())
        kinds = operations.call(svc, "imports.kinds", viewer_id())
        return render_template("console/imports.html", jobs=jobs, kinds=kinds)

    @bp.post("/imports")
    @admin_only
    def import_upload():
        upload = request.files.get("file")
        try:
            job_id = operations.call(svc, "imports.start", viewer_id(), kind=request.form.get("kind", ""),
                                     filename=upload.filename if upload else "", data=upload.read() if upload else b"",
                                     sheet=(request.form.get("sheet") or "").strip() or None,
                                     background=env.background_imports)
        except Refused as exc:
            refused(exc)
            return redirect(url_for("console.imports"))
        return redirect(url_for("console.import_job", job_id=job_id))

    @bp.get("/imports/<int:job_id>")
    @admin_only
    def import_job(job_id: int):
        with read_only(svc.factory) as s:      # reading only: never queue behind a check's write lock
            job = s.get(ImportJob, job_id)
            if job is None:
                abort(404)
            real = s.execute(select(ImportJob.id).where(ImportJob.checked_by_id == job.id)).scalar()
        progress = operations.call(svc, "imports.progress", viewer_id(), job_id=job_id)
        return render_template("console/import_job.html", job=job, real_run=real, progress=progress)

    @bp.get("/imports/<int:job_id>/progress.json")
    @admin_only
    def import_progress(job_id: int):
        found = operations.call(svc, "imports.progress", viewer_id(), job_id=job_id)
        return jsonify(found) if found else (jsonify(error="not_found"), 404)

    @bp.post("/imports/<int:job_id>/confirm")
    @admin_only
    def import_confirm(job_id: int):
        try:
            new_id = operations.call(svc, "imports.confirm", viewer_id(), job_id=job_id,
                                     background=env.background_imports)
        except Refused as exc:
            refused(exc)
            return redirect(url_for("console.import_job", job_id=job_id))
        return redirect(url_for("console.import_job", job_id=new_id))

"""Receipts and charts are typeset by one process that each Missiva process keeps
(workflow/typeset.py): every document comes from its own data, and the next one still comes out
after that process has died or Typst has refused a document."""
from __future__ import annotations

import pytest

from . import factories
from .test_receipts import needs_poppler, pdf_text


@needs_poppler
def test_receipts_typeset_one_after_another_each_show_their_own_answer(app, tmp_path):
    from workflow import receipts

    w = factories.world()
    (argentina, first), (brazil, second) = factories.submitted(w, "ar"), factories.submitted(w, "br")
    first_text = pdf_text(receipts.pdf(argentina, first, "es"), tmp_path)
    second_text = pdf_text(receipts.pdf(brazil, second, "pt"), tmp_path)
    assert first.receipt_number in first_text and "acusa recibo" in first_text
    assert second.receipt_number in second_text and "acusa o recebimento" in second_text
    assert second.receipt_number not in first_text and first.receipt_number not in second_text


@needs_poppler
def test_a_receipt_comes_out_after_the_typesetting_process_died_or_refused_a_document(app, tmp_path):
    from workflow import receipts, typeset

    w = factories.world()
    argentina, version = factories.submitted(w, "ar")
    assert version.receipt_number in pdf_text(receipts.pdf(argentina, version, "en"), tmp_path)
    typeset._kept.process.kill()  # e.g. the system ended it for memory
    assert version.receipt_number in pdf_text(receipts.pdf(argentina, version, "en"), tmp_path)
    with pytest.raises(typeset.TypesetError, match="frame"):
        typeset.pdf("report.typ", {"blocks": []}, small=True)
    assert version.receipt_number in pdf_text(receipts.pdf(argentina, version, "fr"), tmp_path)


@needs_poppler
def test_a_document_that_takes_too_long_is_given_up_once_and_the_next_comes_out(app, tmp_path, monkeypatch):
    """Not tried again: the same document would take as long again, and a mail worker waits."""
    from workflow import receipts, report_render, typeset

    w = factories.world()
    argentina, version = factories.submitted(w, "ar")
    started, popen = [], typeset.subprocess.Popen
    monkeypatch.setattr(typeset.subprocess, "Popen", lambda *a, **k: started.append(a) or popen(*a, **k))
    typeset._kept._stop()
    with pytest.raises(typeset.TypesetError, match="did not answer in time"):
        typeset.pdf("report.typ", {"frame": {}, "blocks": []}, small=True, timeout=0)
    assert len(started) == 1 and typeset._kept.process is None  # the process that did not answer was ended
    assert report_render.labels("en")["receipt"] in pdf_text(receipts.pdf(argentina, version, "en"), tmp_path)


@needs_poppler
def test_the_typesetting_process_leaves_no_folder_behind(app, tmp_path):
    """Stopped with its process group (SIGTERM) it removes its folder; killed, the next start does."""
    from workflow import receipts, typeset

    w = factories.world()
    argentina, version = factories.submitted(w, "ar")
    receipts.pdf(argentina, version, "en")
    folder = typeset._kept.folder
    assert folder is not None and (folder / "report.typ").exists()
    typeset._kept.process.terminate()
    typeset._kept.process.wait(10)
    assert not folder.exists()
    receipts.pdf(argentina, version, "en")
    folder = typeset._kept.folder
    typeset._kept.process.kill()
    typeset._kept.process.wait(10)
    assert folder.exists()  # nothing ran in it to remove it
    assert version.receipt_number in pdf_text(receipts.pdf(argentina, version, "en"), tmp_path)
    assert not folder.exists()

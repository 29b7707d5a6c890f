"""Evaluation reports kept on disk by their content (``common.reports``): the same inputs read back, any change
recomputed."""

from common.reports import content_key, report_cached


def test_the_same_files_give_the_stored_report_and_a_changed_file_a_new_one(tmp_path):
    data = tmp_path / "set.psv"
    data.write_text("a|b\n")
    calls = []

    def compute():
        calls.append(1)
        return {"n": len(calls)}

    first = report_cached(str(tmp_path / "cache"), "eval", content_key([data], "v1"), compute)
    again = report_cached(str(tmp_path / "cache"), "eval", content_key([data], "v1"), compute)
    assert first == again and first["n"] == 1 and "computed_at" in first and len(calls) == 1
    data.write_text("a|c\n")
    changed = report_cached(str(tmp_path / "cache"), "eval", content_key([data], "v1"), compute)
    assert changed["n"] == 2
    assert content_key([data], "v1") != content_key([data], "v2")  # a model version is part of the key
    assert report_cached("", "eval", "k", compute)["n"] == 3  # no folder: always computed

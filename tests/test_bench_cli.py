"""The benchmark is run by hand and takes minutes: a place it cannot write its report to is refused
before it measures anything, not after."""
import pytest

from bench.__main__ import main


def test_a_report_directory_that_cannot_be_made_is_refused_before_the_run(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(SystemExit) as exit_:
        main(["--out", str(blocker / "results")])
    assert exit_.value.code == 2
    assert f"--out {blocker / 'results'}: cannot create the directory (Not a directory)" in capsys.readouterr().err

"""`wavecd sim serve` reports bad input as a message and an exit status, never a traceback."""

from __future__ import annotations

import socket

from click.testing import CliRunner

from wavecd.cli.main import main


def test_port_in_use():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["sim", "serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_bad_speed_and_kubeconfig_path(tmp_path):
    assert CliRunner().invoke(main, ["sim", "serve", "--speed", "0"]).exit_code == 2
    result = CliRunner().invoke(main, ["sim", "serve", "--kubeconfig", str(tmp_path / "no" / "kc")])
    assert result.exit_code == 2 and "cannot write kubeconfig" in result.output

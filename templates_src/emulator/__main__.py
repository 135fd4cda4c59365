"""`python -m templates_src.emulator [--port N]`: the local endpoint in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .server import DEFAULT_PORT, DUMMY_ENV, HOST, Emulator, EmulatorUnavailable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m templates_src.emulator",
        description=f"Run the local AWS endpoint (moto, patched) on {HOST} until Ctrl-C.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port on {HOST} (default {DEFAULT_PORT})")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(f"--port: expected 1-65535 (got {args.port})")
    emulator = Emulator(port=args.port)
    try:
        emulator.start()
    except EmulatorUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"error: cannot listen on {HOST}:{args.port}: {exc.strerror or exc}; choose another port with "
            f"--port (make emulator PORT=...)",
            file=sys.stderr,
        )
        return 2
    # No region: each system deploys to the region its params name, and one named by the environment that
    # differs is refused (issue 10), so exporting us-east-1 would refuse every system outside it.
    credentials = " ".join(f"{k}={v}" for k, v in DUMMY_ENV.items() if k not in ("AWS_REGION", "AWS_DEFAULT_REGION"))
    print(
        f"local endpoint: {emulator.url}  (moto, patched; state lives in memory until Ctrl-C)\n"
        "\n"
        "From a second shell in this checkout:\n"
        f"  export {credentials}\n"
        f"  export STACKC_ENDPOINT_URL={emulator.url}\n"
        "  .venv/bin/python cli.py deploy -s demo -e dev --yes\n"
        "  .venv/bin/python cli.py plan -s demo -e dev -p WebImageTag=1.28\n"
        "  .venv/bin/python cli.py deploy -s demo -e dev -p WebImageTag=1.28 --yes\n"
        "  .venv/bin/python cli.py outputs -s demo -e dev\n"
        "  .venv/bin/python cli.py destroy -s demo -e dev --yes\n"
        f"Forget everything: curl -X POST {emulator.url}/moto-api/reset\n"
        "Stop: Ctrl-C",
        flush=True,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
        print("local endpoint stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

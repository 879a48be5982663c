"""Serves the app with Uvicorn on 0.0.0.0:$PORT (HTTPS when TLS_CERT and TLS_KEY are set), as
PID 1 in its container. Uvicorn handles SIGTERM and SIGINT itself: it closes the listener, closes
idle keep-alive connections, lets in-flight requests finish (here for up to 30 s), then returns."""

import gc
import logging
import os
import signal
import sys


def main() -> None:
    # Importing FastAPI, pydantic and Uvicorn and building the app make some 50,000 objects that
    # live as long as the process (classes, functions, pydantic's schemas). The cyclic garbage
    # collector would scan them again and again while they are made, and on every full collection
    # after: it is off until they are made, then they are frozen (moved to a generation that it
    # never scans) and it is on again, as gc.freeze()'s documentation describes for a server that
    # forks. Here it saves start-up CPU, every container's.
    gc.disable()
    import uvicorn

    from .app import create_app

    port = os.environ.get("PORT", "8080")
    if not port.isascii() or not port.isdigit() or not 0 <= int(port) <= 65535:
        sys.exit(f"PORT must be a port number, got {port!r}")
    tls = (
        {"ssl_certfile": os.environ["TLS_CERT"], "ssl_keyfile": os.environ["TLS_KEY"]}
        if os.environ.get("TLS_CERT") and os.environ.get("TLS_KEY")
        else {}
    )
    config = uvicorn.Config(
        create_app(),
        host="0.0.0.0",  # numeric: a scratch image has no resolver configuration
        port=int(port),
        # h11 takes any method token, so FastAPI answers QUERY or FROBNICATE with 405 and Allow;
        # httptools (uvicorn[standard]) refuses a method it does not know with a text/plain 400.
        http="h11",
        lifespan="off",  # the app has no startup or shutdown work
        timeout_graceful_shutdown=30,  # Uvicorn waits forever by default
        access_log=False,
        server_header=False,
        **tls,
    )
    config.load()  # Server.run() would: Uvicorn's protocol and event loop modules, imported now
    gc.freeze()
    gc.enable()
    # After its graceful shutdown, Uvicorn restores the handlers it found and raises the signal it
    # caught again. For SIGINT that is Python's default handler: KeyboardInterrupt, exit status 130
    # (SIGTERM's default action is ignored for PID 1). These do nothing: the process exits 0.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    uvicorn.Server(config).run()
    logging.getLogger("uvicorn.error").info("stopped")
    # Every connection is closed and the store needs no saving: skip the interpreter's teardown of
    # FastAPI's, pydantic's and Uvicorn's modules (0.1 s, seconds on a busy machine), so that the
    # exit follows the last response as the contract asks.
    logging.shutdown()
    os._exit(0)


if __name__ == "__main__":
    main()

"""A headless Chromium for the report tests, driven over the DevTools protocol on a pipe.

No extra Python package: Chromium's ``--remote-debugging-pipe`` reads
NUL-terminated JSON commands on file descriptor 3 and writes events and
replies on 4. The page's console messages, uncaught exceptions and every
network request it makes are recorded; a screenshot comes back as PNG bytes.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["Browser", "find_chromium", "INSTALL_HINT"]

INSTALL_HINT = ("headless Chromium is needed for the report tests: install Debian's package with "
                "`apt-get install -y chromium` (CI's .ci/run does this), or set CHROMIUM=/path/to/chromium")


def find_chromium() -> str | None:
    """The Chromium executable: ``$CHROMIUM``, else ``chromium`` or ``chromium-browser`` on PATH."""
    given = os.environ.get("CHROMIUM")
    if given:
        return given if Path(given).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """One Chromium process; :meth:`open` loads a page and returns what happened."""

    def __init__(self, executable: str, timeout: float = 30.0):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="carebench-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def fds() -> None:  # the child reads commands on fd 3 and writes replies on fd 4
            # Copy first: the pipe ends may themselves be 3 or 4, and dup2 onto the same
            # number would keep them close-on-exec.
            read, write = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(read, 3)
            os.dup2(write, 4)

        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--mute-audio", "--hide-scrollbars", f"--user-data-dir={self.profile}",
             "--remote-debugging-pipe", "about:blank"],
            close_fds=False, preexec_fn=fds,  # fds 3 and 4 are made in the child, after the fork
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page.enable", "Runtime.enable", "Network.enable", "Log.enable"):
            self.call(domain, session=self.session)
        self.call("Emulation.setDeviceMetricsOverride", session=self.session, width=1200, height=900,
                  deviceScaleFactor=1, mobile=False)

    def _read(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium closed its DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method: str, session: str | None = None, **params):
        """Send one DevTools command and wait for its reply, keeping events that arrive meanwhile."""
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def _wait_for(self, method: str) -> None:
        deadline = time.monotonic() + self.timeout
        while not any(e.get("method") == method for e in self.events):
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} from chromium")
            self.events.append(self._read())

    def open(self, path: Path) -> dict:
        """Load ``path``; return its console errors, network requests, text, headings and a screenshot."""
        self.events = []
        self.call("Page.navigate", session=self.session, url=Path(path).resolve().as_uri())
        self._wait_for("Page.loadEventFired")
        errors = [e["params"]["entry"]["text"] for e in self.events
                  if e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"]
        errors += [e["params"]["exceptionDetails"].get("text", "exception") for e in self.events
                   if e.get("method") == "Runtime.exceptionThrown"]
        errors += [" ".join(str(a.get("value", a.get("description", ""))) for a in e["params"]["args"])
                   for e in self.events if e.get("method") == "Runtime.consoleAPICalled"
                   and e["params"]["type"] in ("error", "assert")]
        requests = [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]
        text = self.evaluate("document.body.innerText")
        ids = self.evaluate("Array.from(document.querySelectorAll('section[id]')).map(s => s.id)")
        shot = self.call("Page.captureScreenshot", session=self.session, format="png")["data"]
        return {"errors": errors, "requests": requests, "text": text, "sections": ids,
                "screenshot": base64.b64decode(shot)}

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page."""
        result = self.call("Runtime.evaluate", session=self.session, expression=expression, returnByValue=True)
        return result["result"].get("value")

    def screenshot(self, path: Path, out: Path, height: int = 900) -> Path:
        """Save a PNG of the top of the page at ``path`` (for the docs)."""
        self.call("Emulation.setDeviceMetricsOverride", session=self.session, width=1200, height=height,
                  deviceScaleFactor=1, mobile=False)
        page = self.open(path)
        out.write_bytes(page["screenshot"])
        return out

    def close(self) -> None:
        """Stop the browser and remove its profile."""
        try:
            self.call("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)

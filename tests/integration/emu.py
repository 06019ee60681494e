"""Drive userprune-emulator from integration tests (Python 3 stdlib only).

    with Emulator("atlassian", users=100, latency_ms=20) as emu:
        url = emu.base_url()            # what a tenant's `url:` would be
        ...run userprune against url...
        assert not [r for r in emu.requests() if r["method"] == "DELETE"]
        assert emu.deletes() == {}

Keyword options become flags (latency_ms=20 -> --latency-ms 20, True -> a
bare flag, a list -> the flag repeated); positional strings are passed as
they are. `population` (a list of generic users, or {"caller": ID,
"users": [...]}) is written to a file for --users-file.

The binary is $USERPRUNE_EMULATOR, else $USERPRUNE_BUILD/userprune-emulator
($USERPRUNE_BUILD defaults to build/, relative to the repository).
Everything the emulator writes lives in a private temporary directory that
stop() removes; the request log and stderr are read before that, so
requests() and stderr() still work after stop().
"""

import http.client
import json
import os
import select
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

VENDORS = ("atlassian", "scim", "uipath", "bevy", "automation-anywhere", "bizagi",
           "atlassian-org")

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "runtime error:", "ThreadSanitizer")


class EmulatorError(Exception):
    pass


def build_dir():
    d = os.environ.get("USERPRUNE_BUILD", "build")
    return d if os.path.isabs(d) else os.path.join(REPO, d)


def emulator_path():
    return os.environ.get("USERPRUNE_EMULATOR") or os.path.join(
        build_dir(), "userprune-emulator")


def _flags(options):
    out = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            out.append(flag)
        elif value is False or value is None:
            continue
        elif isinstance(value, (list, tuple)):
            for v in value:
                out += [flag, str(v)]
        else:
            out += [flag, str(value)]
    return out


def _die_with_parent():
    """Runs in the child: be killed if the test process dies first."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # http.client.HTTPMessage: case-insensitive
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<Response %d %r>" % (self.status, self.body[:200])


class Emulator:
    def __init__(self, vendor, *flags, population=None, log=True,
                 timeout=10.0, binary=None, env=None, **options):
        if vendor not in VENDORS:
            raise ValueError("unknown vendor %r" % vendor)
        self.vendor = vendor
        self.flags = list(flags) + _flags(options)
        self.population = population
        self.log = log
        self.timeout = timeout
        self.binary = os.path.abspath(binary or emulator_path())
        self.env = env
        self.org = options.get("org", "acme")
        self.proc = None
        self.tmp = None
        self.origin = None
        self.port = None
        self.returncode = None
        self._log_text = None
        self._stderr_text = None

    # life cycle

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        # a failing test keeps its own exception, not a shutdown error
        self.stop(check=exc_type is None)
        return False

    def __del__(self):
        try:
            self.stop(check=False)
        except Exception:
            pass

    @property
    def log_path(self):
        return os.path.join(self.tmp, "requests.jsonl") if self.tmp else None

    def command(self):
        cmd = [self.binary, "--vendor", self.vendor]
        if self.log:
            cmd += ["--log", self.log_path]
        if self.population is not None:
            path = os.path.join(self.tmp, "users.json")
            with open(path, "w") as f:
                json.dump(self.population, f)
            cmd += ["--users-file", path]
        return cmd + self.flags

    def start(self):
        if self.proc:
            raise EmulatorError("already started")
        if not os.access(self.binary, os.X_OK):
            raise EmulatorError("%s: not built (make %s)" % (
                self.binary, os.path.relpath(self.binary, REPO)))
        self.tmp = tempfile.mkdtemp(prefix="userprune-emu-")
        self._log_text = self._stderr_text = None
        self.returncode = None
        stderr = open(os.path.join(self.tmp, "stderr"), "wb")
        try:
            self.proc = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=stderr, cwd=self.tmp,
                env=self.env, preexec_fn=_die_with_parent)
        except BaseException:
            stderr.close()
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
            raise
        stderr.close()
        try:
            line = self._read_banner()
        except BaseException:
            self.stop(check=False)
            raise
        prefix = "userprune-emulator: listening on "
        if not line.startswith(prefix):
            self.stop(check=False)
            raise EmulatorError("unexpected first line %r" % line)
        self.origin = line[len(prefix):].strip()
        self.port = urllib.parse.urlsplit(self.origin).port
        return self

    def _read_banner(self):
        deadline = time.monotonic() + self.timeout
        fd = self.proc.stdout.fileno()
        data = b""
        while b"\n" not in data:
            left = deadline - time.monotonic()
            if left <= 0:
                raise EmulatorError("emulator did not start within %gs: %s"
                                    % (self.timeout, self._read_stderr()))
            ready, _, _ = select.select([fd], [], [], min(left, 0.1))
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    self.proc.wait(timeout=self.timeout)
                    raise EmulatorError("emulator exited with %s: %s" % (
                        self.proc.returncode, self._read_stderr()))
                data += chunk
        # nothing else is written to stdout
        self.proc.stdout.close()
        return data.decode("utf-8", "replace").split("\n", 1)[0]

    def _read_stderr(self):
        if self._stderr_text is not None:
            return self._stderr_text
        try:
            with open(os.path.join(self.tmp, "stderr"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def send_signal(self, sig):
        if self.running():
            self.proc.send_signal(sig)

    def stop(self, timeout=10.0, check=True, sig=signal.SIGTERM):
        """Stops the emulator; returns its exit status. With check, a
        non-zero status or a sanitizer report raises EmulatorError."""
        if self.proc is None:
            return self.returncode
        proc, self.proc = self.proc, None
        try:
            if proc.poll() is None:
                proc.send_signal(sig)
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.stdout and not proc.stdout.closed:
                proc.stdout.close()
            self.returncode = proc.returncode
            self._log_text = self._read_log_text()
            self._stderr_text = self._read_stderr()
        finally:
            if self.tmp and not os.environ.get("USERPRUNE_KEEP_TMP"):
                shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        if check:
            if self.returncode != 0:
                raise EmulatorError("emulator exited with %s: %s" % (
                    self.returncode, self._stderr_text))
            if any(m in self._stderr_text for m in SANITIZER_MARKS):
                raise EmulatorError("sanitizer report: %s"
                                    % self._stderr_text)
        return self.returncode

    def stderr(self):
        return self._read_stderr()

    # the request log

    def _read_log_text(self):
        if self._log_text is not None:
            return self._log_text
        if not self.log or not self.log_path:
            return ""
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def requests(self):
        """The request log, parsed: one dict per vendor request."""
        text = self._read_log_text()
        lines = text.split("\n")
        # the last element is "" or a line still being written
        return [json.loads(line) for line in lines[:-1] if line]

    # URLs

    def url(self, path=""):
        return self.origin + path

    def base_url(self, vendor=None):
        """The `url:` a userprune tenant of this vendor would use."""
        vendor = vendor or self.vendor
        suffix = {"scim": "/scim/v2", "uipath": "/" + self.org,
                  "bevy": "/api"}.get(vendor, "")
        return self.origin + suffix

    # HTTP

    def request(self, method, path, headers=None, body=None, json_body=None,
                form=None, timeout=None):
        """One request on a fresh connection. Faults surface as
        exceptions (http.client.RemoteDisconnected, IncompleteRead)."""
        if self.origin is None:
            raise EmulatorError("not started")
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers.setdefault("Content-Type",
                               "application/x-www-form-urlencoded")
        elif isinstance(body, str):
            body = body.encode()
        if urllib.parse.urlsplit(path).scheme:
            parts = urllib.parse.urlsplit(path)
            path = parts.path + ("?" + parts.query if parts.query else "")
        timeout = timeout or self.timeout
        host = urllib.parse.urlsplit(self.origin).hostname
        if self.origin.startswith("https:"):
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            conn = http.client.HTTPSConnection(host, self.port,
                                               timeout=timeout, context=ctx)
        else:
            conn = http.client.HTTPConnection(host, self.port,
                                              timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            return Response(resp.status, resp.headers, data)
        finally:
            conn.close()

    # the control API

    def control(self, method, name, body=None, expect=None):
        resp = self.request(method, "/_emulator/" + name,
                            json_body=body if body is not None else None)
        if expect is not None and resp.status != expect:
            raise EmulatorError("%s /_emulator/%s: %d %s" % (
                method, name, resp.status, resp.text))
        return resp

    def users(self):
        """{"caller": id, "users": [generic users]} in listing order."""
        return self.control("GET", "users", expect=200).json()

    def user(self, user_id):
        resp = self.control("GET", "users/" + _quote(user_id))
        return resp.json() if resp.status == 200 else None

    def add_user(self, user):
        return self.control("POST", "users", user, expect=201).json()

    def patch_user(self, user_id, fields=None, **kw):
        fields = dict(fields or {}, **kw)
        return self.control("PATCH", "users/" + _quote(user_id), fields,
                            expect=200).json()

    def remove_user(self, user_id):
        self.control("DELETE", "users/" + _quote(user_id), expect=204)

    def deletes(self):
        return self.control("GET", "deletes", expect=200).json()

    def stats(self):
        return self.control("GET", "stats", expect=200).json()

    def reset_stats(self):
        self.control("POST", "stats/reset", expect=204)

    def config(self):
        return self.control("GET", "config", expect=200).json()

    def set_config(self, **settings):
        return self.control("POST", "config", settings, expect=200).json()


def _quote(s):
    return urllib.parse.quote(str(s), safe="")

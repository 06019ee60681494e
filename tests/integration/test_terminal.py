"""userprune on a terminal: the progress line and Ctrl-C, through a
pseudo-terminal of a given size (the program sees a tty on stdin, stdout
and stderr, with the pty as its controlling terminal, so that a ^C typed
into it is a SIGINT as on a real terminal)."""

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time

import up

POLICY = {"max_deletions": 1000, "max_delete_percent": 100}


class Terminal:
    """A process on a pty of rows x cols; everything it wrote is kept."""

    def __init__(self, test, args, cols=60, rows=24, env=None):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ,
                    struct.pack("HHHH", rows, cols, 0, 0))
        e = dict(test.env)
        e.update({"TERM": "xterm", "COLUMNS": "200"})  # the pty must win
        e.update(env or {})

        def controlling_tty():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.p = subprocess.Popen([up.binary()] + list(args), cwd=test.dir,
                                  env=e, stdin=slave, stdout=slave,
                                  stderr=slave, preexec_fn=controlling_tty)
        os.close(slave)
        self.out = b""

    def read(self, timeout=0.1):
        while True:
            r, _, _ = select.select([self.master], [], [], timeout)
            if not r:
                return
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.out += data

    def wait_for(self, pattern, timeout=60):
        """Reads until pattern (a regex of bytes) is in the output."""
        end = time.time() + timeout
        while time.time() < end:
            if re.search(pattern, self.out):
                return True
            self.read()
        raise AssertionError(f"{pattern!r} not seen in {self.text()!r}")

    def type(self, data):
        os.write(self.master, data)

    def finish(self, timeout=120):
        end = time.time() + timeout
        while self.p.poll() is None and time.time() < end:
            self.read()
        self.read(0.2)
        os.close(self.master)
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
            raise AssertionError("still running: " + self.text())
        return self.p.returncode

    def text(self):
        return self.out.decode("utf-8", "replace")

    def frames(self):
        """The progress lines drawn, each as the terminal shows it."""
        return [f for f in re.split(r"\r\x1b\[K", self.text())
                if f and "\n" not in f and "userprune" not in f]


def users(prefix, n, keep=2):
    """A population: the caller, keep kept users, n - keep to delete."""
    us = [up.user(up.CALLER, up.USER, "admin", "The Caller")]
    for i in range(n):
        us.append(up.user(f"{prefix}-{i:04d}", f"{prefix}{i}@acme.example",
                          f"{prefix}{i}"))
    return {"caller": up.CALLER, "users": us}


class ProgressTest(up.TestCase):

    def tenant_for(self, emu, name, keep, **limits):
        t = self.tenant("atlassian", emu, name=name, keep=keep,
                        policy=dict(POLICY))
        t["limits"] = dict(limits)
        return t

    def test_line_fits_a_60_column_pane_and_a_finished_rate_stays(self):
        fast = self.emulator("atlassian", population=users("fast", 40),
                             max_page=10)
        slow = self.emulator("atlassian", population=users("slow", 200),
                             max_page=5, latency_ms=40)
        self.write_config(
            self.tenant_for(fast, "jira-staging-europe-fast", ["x@x"],
                            concurrency=1),
            self.tenant_for(slow, "jira-staging-america-slow", ["x@x"],
                            concurrency=1))
        t = Terminal(self, ["plan"], cols=60)
        self.assertEqual(t.finish(), 0)
        frames = t.frames()
        self.assertGreater(len(frames), 5, t.text())
        for f in frames:
            self.assertLessEqual(len(f), 59, f)
        self.assertTrue(any(re.fullmatch(
            r"jira-staging-america-slow: listing \d+, \d+/s \| \+1 more", f)
            for f in frames), frames)
        # the finished tenant's rate is its final figure, frame after frame
        t = Terminal(self, ["plan"], cols=160)
        self.assertEqual(t.finish(), 0)
        frames = t.frames()
        rates = [m.group(1) for f in frames for m in
                 [re.search(r"jira-staging-europe-fast: done 41, (\d+)/s",
                            f)] if m]
        self.assertGreater(len(rates), 2, frames)
        self.assertEqual(len(set(rates)), 1, rates)

    def test_many_tenants_say_how_many_more(self):
        emu = self.emulator("atlassian", population=users("u", 100),
                            max_page=5, latency_ms=20)
        self.write_config(*[self.tenant_for(emu, f"tenant-{i:02d}", ["x@x"],
                                            concurrency=1)
                            for i in range(8)])
        t = Terminal(self, ["plan"], cols=80)
        t.finish()
        frames = t.frames()
        self.assertTrue(any(re.search(r" \| \+\d+ more$", f)
                            for f in frames), frames)
        for f in frames:
            self.assertLessEqual(len(f), 79, f)

    def test_apply_listing_shows_a_rate_and_resume_counts_earlier_runs(self):
        emu = self.emulator("atlassian", population=users("u", 60),
                            max_page=5, latency_ms=30)
        keep = [f"u{i}@acme.example" for i in range(10)]
        self.write_config(self.tenant_for(emu, "qa", keep, concurrency=1,
                                          requests_per_second=6))
        self.assertRan(self.up("plan", "-o", "plan.json"), 0)
        t = Terminal(self, ["apply", "plan.json", "--journal", "j.jsonl"])
        # the listing before deleting has a rate
        t.wait_for(rb"qa: listing \d+, \d+/s")
        t.wait_for(rb"qa: deleting (1[5-9]|[2-9]\d)/50")
        t.type(b"\x03")
        self.assertEqual(t.finish(), 130)
        done = len([1 for line in self.journal("j.jsonl")
                    if line["type"] == "outcome"])
        self.assertLess(done, 50)
        t = Terminal(self, ["apply", "--resume", "j.jsonl"])
        self.assertEqual(t.finish(), 0)
        counts = [int(m.group(1)) for f in t.frames()
                  for m in [re.search(r"qa: deleting (\d+)/50", f)] if m]
        self.assertTrue(counts, t.text())
        self.assertGreaterEqual(counts[0], done)
        self.assertIn("qa: done 50/50", t.text())


class InterruptTest(up.TestCase):

    def test_ctrl_c_while_listing(self):
        quick = self.emulator("atlassian", population=users("q", 400),
                              max_page=5, latency_ms=10)
        stuck = self.emulator("atlassian", population=users("s", 20),
                              latency_ms=2500)
        self.write_config(
            self.tenant("atlassian", quick, name="quick", keep=["x@x"]),
            self.tenant("atlassian", stuck, name="stuck", keep=["x@x"]))
        t = Terminal(self, ["plan"], cols=100)
        t.wait_for(rb"quick: listing [1-9]\d*")
        t.type(b"\x03")
        self.assertEqual(t.finish(), 130)
        text = t.text()
        # said at once, on a line of its own
        self.assertRegex(text, r"\r\x1b\[Kuserprune: warning: stopping: "
                         r"waiting for \d+ requests? in flight \(interrupt "
                         r"again to stop at once")
        frames = t.frames()
        self.assertTrue(any("quick: interrupted" in f for f in frames),
                        frames)
        self.assertFalse(any("quick: failed" in f for f in frames), frames)

    def test_second_ctrl_c_stops_at_once(self):
        stuck = self.emulator("atlassian", population=users("s", 20),
                              latency_ms=5000)
        self.write_config(self.tenant("atlassian", stuck, name="stuck",
                                      keep=["x@x"]))
        t = Terminal(self, ["plan"])
        time.sleep(0.5)
        t.type(b"\x03")
        t.wait_for(rb"stopping: waiting for 1 request in flight")
        t.type(b"\x03")
        self.assertEqual(t.finish(timeout=4), 130)
        self.assertIn("stopping now: 1 request in flight given up",
                      t.text())

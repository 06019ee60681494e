"""The manual and the README say what the program does: every option that
`userprune COMMAND --help` prints is in that command's synopsis in
userprune(1) and in the README's Usage, and every option they name is one
that some --help prints."""

import os
import re
import subprocess
import unittest

import up

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][a-zA-Z-]*)")
COMMON = {"-v", "--verbose", "-q", "--quiet", "--color", "-h", "--help"}
SOURCE = {"-f", "--file", "--git-url", "--git-ref", "--git-path"}


def run_help(*args):
    p = subprocess.run([up.binary(), *args, "--help"], capture_output=True,
                       text=True, check=True)
    return p.stdout


def commands():
    out = run_help()
    block = out.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in block.splitlines()]


def help_options(cmd):
    """The options a command's --help lists, short and long."""
    opts = set()
    for line in run_help(cmd).splitlines():
        m = re.match(r"^  (-\w), (--[a-z][a-z-]*)", line) or \
            re.match(r"^  (--[a-z][a-z-]*)", line)
        if m:
            opts.update(m.groups())
    return opts


def top_options():
    usage = run_help().split("\n\n", 1)[0]
    return set(OPTION.findall(usage)) | {"-h", "--help"}


def man_text():
    with open(os.path.join(ROOT, "man", "userprune.1")) as f:
        return f.read().replace("\\-", "-").replace("\\&", "")


def man_synopses():
    """command -> the options its SYNOPSIS entries name."""
    text = man_text()
    syn = text.split(".SH SYNOPSIS\n", 1)[1].split(".SH ", 1)[0]
    out = {}
    for m in re.finditer(r'\.SY "userprune ?(\w*)"\n(.*?)\.YS', syn, re.S):
        opts = set(OPTION.findall(m.group(2)))
        if re.search(r"\bsource\b", m.group(2)):
            opts |= SOURCE
        out.setdefault(m.group(1), set()).update(opts)
    return out


def readme_synopses():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    usage = text.split("## Usage\n", 1)[1].split("```\n", 2)[1]
    out, cmd = {}, None
    for line in usage.splitlines():
        m = re.match(r"userprune (\w+)\b(.*)", line)
        if m and not m.group(1).startswith("-"):
            cmd, rest = m.group(1), m.group(2)
        elif line.startswith("userprune "):
            cmd, rest = "", line[len("userprune"):]
        else:
            rest = line
        opts = set(OPTION.findall(rest))
        if re.search(r"\bsource\b", rest):
            opts |= SOURCE
        out.setdefault(cmd, set()).update(opts)
    return out


class ManualTest(unittest.TestCase):

    def test_every_command_is_in_the_synopses(self):
        cmds = set(commands())
        self.assertIn("completion", cmds)
        self.assertEqual(set(man_synopses()) - {""}, cmds)
        self.assertEqual(set(readme_synopses()) - {""}, cmds)

    def test_synopses_name_exactly_the_options_of_help(self):
        for name, synopses in (("userprune(1)", man_synopses()),
                               ("README", readme_synopses())):
            for cmd in commands():
                with self.subTest(doc=name, command=cmd):
                    want = help_options(cmd) - COMMON
                    if cmd == "version":
                        want |= {"-v"}
                    got = synopses[cmd] - (COMMON - {"-v"} if cmd ==
                                           "version" else COMMON)
                    self.assertEqual(got, want)
            with self.subTest(doc=name, command="(none)"):
                self.assertEqual(synopses[""] | COMMON,
                                 top_options() | COMMON)

    def test_every_option_the_manual_names_exists(self):
        known = top_options()
        said = set(OPTION.findall(run_help()))
        for cmd in commands():
            known |= help_options(cmd)
            said |= set(OPTION.findall(run_help(cmd)))
        text = man_text()
        named = set(OPTION.findall(text))
        # another program's option: jq -R in the JOURNAL section
        named -= {"-R"}
        # what the manual names, --help lists or at least mentions (-vv)
        self.assertEqual(named - known - said, set())
        self.assertEqual(known - named, set())

    def test_every_option_has_an_entry(self):
        """Each option of each command is described (.TP) in COMMANDS or
        OPTIONS, not only listed."""
        text = man_text()
        body = text.split(".SH COMMANDS\n", 1)[1].split(".SH EXIT", 1)[0]
        entries = set()
        for m in re.finditer(r"\.TP\n([^\n]+)\n", body):
            entries |= set(OPTION.findall(m.group(1)))
        for cmd in commands():
            with self.subTest(command=cmd):
                self.assertEqual(help_options(cmd) - entries, set())

    def test_the_page_renders_without_warnings_or_stray_spaces(self):
        p = subprocess.run(["groff", "-man", "-ww", "-z",
                            os.path.join(ROOT, "man", "userprune.1")],
                           capture_output=True, text=True)
        if p.returncode == 127:
            self.skipTest("groff is not installed")
        self.assertEqual(p.stderr, "")
        p = subprocess.run(["groff", "-man", "-Tutf8", "-rLL=80n",
                            os.path.join(ROOT, "man", "userprune.1")],
                           capture_output=True, text=True,
                           env=dict(os.environ, GROFF_NO_SGR="1"))
        text = re.sub(r".\x08", "", p.stdout)
        for bad in (" ,", " .\n", "( ", " )"):
            self.assertNotIn(bad, text)

"""Shell completions (completions/): the bash script is sourced in a bash
subprocess and asked for completions the way bash asks (COMP_WORDS,
COMP_CWORD, the function, COMPREPLY); fish's answers come from `complete
-C`; zsh's script must at least parse. The options each script offers
for a command are the ones `userprune COMMAND --help` lists."""

import os
import re
import shutil
import subprocess
import unittest

import up

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
COMPLETIONS = os.path.join(ROOT, "completions")
COMMANDS = ["validate", "plan", "apply", "restore", "show", "tenants", "who",
            "import", "version", "completion", "help"]

# Tenant names hide among other name: keys: matchers in keep lists,
# comments, quoting, a flow-style item, and a section after tenants:.
CONFIG = """\
# yaml-language-server: $schema=schema/desired-state.schema.json
version: 1
defaults:
  policy: { max_deletions: 10 }   # name: not-a-tenant
tenants:
  - name: jira-qa                 # the first
    vendor: atlassian
    url: https://acme-qa.atlassian.net
    keep:
      - name: "Keep Me"
      - { name: "Also Not" }
    protect:
      - name: boss
    scope:
      include:
        name: "*Tester*"
  - vendor: scim
    url: https://scim.example/scim/v2
    name: "scim-staging"
  - { name: 'bevy.test', vendor: bevy, url: https://b.example/api }
  -   name: uipath_2
      vendor: uipath
other:
  - name: not-a-tenant-either
"""

OTHER = """\
version: 1
tenants:
- name: other-one
  keep: [{name: x}]
- name: other-two
"""


def help_options(command):
    """The long options `userprune COMMAND --help` documents."""
    p = subprocess.run([up.binary(), command, "--help"],
                       capture_output=True, text=True, check=True)
    opts = set()
    for line in p.stdout.splitlines():
        m = re.match(r"^  (?:-\w, )?(--[a-z][a-z-]*)", line)
        if m:
            opts.add(m.group(1))
    return opts


class BashCompletionTest(up.TestCase):

    def setUp(self):
        super().setUp()
        with open(self.path("userprune.yaml"), "w") as f:
            f.write(CONFIG)
        os.makedirs(self.path("conf"))
        with open(self.path("conf", "other.yaml"), "w") as f:
            f.write(OTHER)
        with open(self.path("plan-1.json"), "w") as f:
            f.write("{}")

    def complete(self, *words, cword=None):
        """COMPREPLY for the command line words, completing word cword
        (default: the last)."""
        words = list(words)
        if cword is None:
            cword = len(words) - 1
        script = ('source "$1"; shift; COMP_WORDS=("$@"); '
                  f'COMP_CWORD={cword}; '
                  'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; '
                  '_userprune; rc=$?; '
                  'printf "%s\\n" "${COMPREPLY[@]}"; exit $rc')
        p = subprocess.run(
            ["bash", "--norc", "--noprofile", "-c", script, "bash",
             os.path.join(COMPLETIONS, "userprune.bash"), *words],
            cwd=self.dir, env=self.env, capture_output=True, text=True,
            timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        return [w for w in p.stdout.split("\n") if w]

    def expect(self, want, *words, cword=None):
        """The completions of `userprune WORDS...` are want."""
        self.assertCountEqual(self.complete("userprune", *words, cword=cword),
                              want)

    def test_commands(self):
        self.expect(COMMANDS, "")
        self.expect(["plan"], "pl")
        self.expect(["tenants"], "t")
        self.expect(["apply"], "-v", "--color", "never", "ap")
        self.expect(["validate", "version"], "help", "v")

    def test_options_are_the_documented_ones(self):
        for cmd in COMMANDS[:-1]:
            with self.subTest(command=cmd):
                got = {w for w in self.complete("userprune", cmd, "--")}
                self.assertEqual(got, help_options(cmd))
        self.expect(["--shard"], "plan", "--sh")
        self.expect(help_options("apply"), "apply", "--")

    def test_tenant_names_from_the_default_file(self):
        self.expect(["jira-qa", "scim-staging", "bevy.test", "uipath_2"],
                    "plan", "--tenant", "")
        self.expect(["jira-qa"], "apply", "--tenant", "j")

    def test_tenant_names_from_the_file_given(self):
        self.expect(["other-one", "other-two"], "plan", "-f",
                    "conf/other.yaml", "--tenant", "")
        # -f after the word being completed counts too
        self.expect(["other-one", "other-two"], "import", "--tenant", "",
                    "--file", "conf/other.yaml", cword=3)
        # bash splits --file=FILE at the =
        self.expect(["other-two"], "plan", "--file", "=", "conf/other.yaml",
                    "--tenant", "other-t")
        self.expect([], "plan", "-f", "missing.yaml", "--tenant", "")

    def test_values_and_files(self):
        self.expect(["text", "json", "markdown"], "plan", "--format", "")
        self.expect(["text", "json"], "tenants", "--format", "")
        self.expect(["auto", "always", "never"], "--color", "")
        self.expect(["email"], "import", "--field", "e")
        self.expect(["plan-1.json"], "apply", "p")
        self.expect(["conf", "userprune.yaml"], "plan", "-f", "")
        self.expect([], "plan", "--shard", "")


class CompletionCommandTest(BashCompletionTest):
    """`userprune completion SHELL` prints the installed scripts; bash
    sourcing what it printed completes as the file does."""

    def complete(self, *words, cword=None):
        words = list(words)
        if cword is None:
            cword = len(words) - 1
        script = ('source <("$1" completion bash); shift; '
                  'COMP_WORDS=("$@"); '
                  f'COMP_CWORD={cword}; '
                  'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; '
                  '_userprune; rc=$?; '
                  'printf "%s\\n" "${COMPREPLY[@]}"; exit $rc')
        p = subprocess.run(
            ["bash", "--norc", "--noprofile", "-c", script, "bash",
             up.binary(), *words],
            cwd=self.dir, env=self.env, capture_output=True, text=True,
            timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        return [w for w in p.stdout.split("\n") if w]

    def test_prints_the_files(self):
        for shell, name in (("bash", "userprune.bash"), ("zsh", "_userprune"),
                            ("fish", "userprune.fish")):
            with self.subTest(shell=shell):
                p = subprocess.run([up.binary(), "completion", shell],
                                   capture_output=True, text=True)
                self.assertEqual(p.returncode, 0, p.stderr)
                with open(os.path.join(COMPLETIONS, name)) as f:
                    self.assertEqual(p.stdout, f.read())
        p = subprocess.run([up.binary(), "completion", "tcsh"],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no completion for 'tcsh': bash, zsh or fish",
                      p.stderr)

    def test_completes_its_own_arguments(self):
        self.expect(["bash"], "completion", "b")
        self.expect(["bash", "zsh", "fish"], "completion", "")
        self.expect(["--version", "--verbose"], "--ver")


@unittest.skipUnless(shutil.which("fish"), "fish is not installed")
class FishCompletionTest(BashCompletionTest):

    def complete(self, *words, cword=None):
        self.assertIsNone(cword, "fish completes at the end only")
        line = " ".join(words)
        p = subprocess.run(
            ["fish", "--no-config", "-c",
             'source $argv[1]; complete -C $argv[2]',
             os.path.join(COMPLETIONS, "userprune.fish"), line],
            cwd=self.dir, env=self.env, capture_output=True, text=True,
            timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        return [w.split("\t")[0] for w in p.stdout.split("\n") if w]

    def test_commands(self):
        self.expect(COMMANDS, "")
        self.expect(["plan"], "pl")

    def test_options_are_the_documented_ones(self):
        for cmd in COMMANDS[:-1]:
            with self.subTest(command=cmd):
                got = {w for w in self.complete("userprune", cmd, "--")
                       if w.startswith("--")}
                self.assertEqual(got - {"--colour"}, help_options(cmd))

    def test_tenant_names_from_the_file_given(self):
        self.expect(["other-one", "other-two"], "plan", "-f",
                    "conf/other.yaml", "--tenant", "")
        self.expect(["other-two"], "plan", "--file=conf/other.yaml",
                    "--tenant", "other-t")

    def test_values_and_files(self):
        self.expect(["text", "json", "markdown"], "plan", "--format", "")
        self.expect(["plan-1.json"], "apply", "p")


@unittest.skipUnless(shutil.which("zsh"), "zsh is not installed")
class ZshCompletionTest(unittest.TestCase):

    def test_parses_and_names_every_documented_option(self):
        path = os.path.join(COMPLETIONS, "_userprune")
        p = subprocess.run(["zsh", "-n", path], capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        text = open(path).read()
        self.assertTrue(text.startswith("#compdef userprune\n"))
        for cmd in COMMANDS[:-1]:
            body = re.search(r"\n    %s\)\n(.*?)\n      ;;" % cmd, text,
                             re.S)
            self.assertIsNotNone(body, cmd)
            spec = body.group(1)
            if "$source" in spec:
                spec += " --file= --git-url= --git-ref= --git-path="
            got = set(re.findall(r"(--[a-z][a-z-]*)[=\[]", spec))
            got |= {"--verbose", "--quiet", "--color", "--help"}
            self.assertEqual(got, help_options(cmd), cmd)

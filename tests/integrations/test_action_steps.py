"""The composite action's shell steps, run with bash as the GitHub runner runs them.

``action.yml`` is parsed with PyYAML; each ``run:`` step gets the environment GitHub
sets (``GITHUB_EVENT_PATH``, ``GITHUB_STEP_SUMMARY``, ``GITHUB_OUTPUT``,
``GITHUB_WORKSPACE``, ``GITHUB_ACTION_PATH``, ``GITHUB_API_URL``, ``RUNNER_TEMP``, ...)
and its ``env:`` with the ``${{ }}`` expressions evaluated as the runner would. The
``uses:`` steps (setting up Python) are skipped with ``EQUIVCHECK_SKIP_INSTALL=1``, as
the action documents, and the ``equivcheck`` of this environment is used. The kernel
tree is a small git repository with the three paths that make a folder a kernel tree
(``Makefile``, ``mm/``, ``include/linux/``): unconfigured, so the check runs in light
mode on the two commits that change a C file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.integrations.fake_github import REPO, FakeGitHub, serve

yaml = pytest.importorskip("yaml", reason="PyYAML (dev dependency) parses action.yml")

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
if not (BIN / "equivcheck").exists():
    pytest.skip(f"no equivcheck script beside {sys.executable}", allow_module_level=True)
ACTION = ROOT / "action.yml"
TOKEN = "ghs_actionTOKEN0123456789abcdef"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

BASE_C = """\
int add(int a, int b)
{
\tint r = a + b;
\treturn r;
}

int sub(int a, int b)
{
\treturn a - b;
}
"""
REFACTOR_C = BASE_C.replace("\tint r = a + b;\n\treturn r;", "\treturn a + b;")
CHANGE_C = REFACTOR_C.replace("return a - b;", "return b - a;")


# ---------------------------------------------------------------------- a kernel-shaped repo


@dataclass(frozen=True)
class Repo:
    """The git repository the action checks: base, an equivalent commit, a different one."""

    path: Path
    base: str
    refactor: str
    change: str


def git(repo: Path, *args: str) -> str:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="Dev",
        GIT_AUTHOR_EMAIL="dev@example.org",
        GIT_COMMITTER_NAME="Dev",
        GIT_COMMITTER_EMAIL="dev@example.org",
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(repo),
    )
    out = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True
    )
    return out.stdout.strip()


def commit(repo: Path, files: Mapping[str, str], message: str) -> str:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    path = tmp_path_factory.mktemp("workspace")
    git(path, "init", "-q", "-b", "main")
    base = commit(
        path,
        {
            "Makefile": "# kernel\n",
            "mm/Makefile": "obj-y += dummy.o\n",
            "include/linux/types.h": "/* types */\n",
            "lib/calc.c": BASE_C,
        },
        "base",
    )
    refactor = commit(path, {"lib/calc.c": REFACTOR_C}, "lib/calc: return the sum directly")
    change = commit(path, {"lib/calc.c": CHANGE_C}, "lib/calc: tidy sub")
    return Repo(path, base, refactor, change)


# ---------------------------------------------------------------------- the runner


@dataclass
class Step:
    """What one step did."""

    name: str
    skipped: bool
    status: int = 0
    out: str = ""
    err: str = ""
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    """One run of the action: its steps, outputs and job summary."""

    steps: list[Step]
    outputs: dict[str, dict[str, str]]
    summary: str

    @property
    def status(self) -> int:
        return next((s.status for s in self.steps if s.status != 0), 0)

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name.startswith(name))

    @property
    def log(self) -> str:
        return "".join(s.out + s.err for s in self.steps)


def action() -> dict[str, Any]:
    loaded = yaml.safe_load(ACTION.read_text())
    assert isinstance(loaded, dict)
    return loaded


def evaluate(text: str, context: Mapping[str, Any]) -> str:
    """``${{ a.b.c }}`` references replaced as the runner does (missing: empty)."""

    def lookup(match: re.Match[str]) -> str:
        expr = match.group(1)
        assert re.fullmatch(r"[A-Za-z_][\w.-]*", expr), (
            f"expression the test cannot evaluate: {expr}"
        )
        value: Any = context
        for part in expr.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return EXPRESSION.sub(lookup, text)


def read_outputs(path: Path) -> dict[str, str]:
    """``GITHUB_OUTPUT``: ``name=value`` lines and ``name<<DELIM`` blocks."""
    outputs: dict[str, str] = {}
    lines = iter(path.read_text().splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            block = []
            for inner in lines:
                if inner == delim:
                    break
                block.append(inner)
            outputs[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def run_action(
    tmp: Path,
    repo: Repo,
    github: FakeGitHub,
    event: Mapping[str, Any],
    inputs: Mapping[str, str] | None = None,
    event_name: str = "pull_request",
) -> Run:
    """Every step of the composite action, in order, as the runner runs them."""
    tmp.mkdir(parents=True, exist_ok=True)
    runner_temp = tmp / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    event_path = tmp / "event.json"
    event_path.write_text(json.dumps(event))
    spec = action()
    given = dict(inputs or {})
    github_ctx = {
        "action_path": str(ROOT),
        "token": TOKEN,
        "repository": REPO,
        "event_name": event_name,
        "workspace": str(repo.path),
        "event": event,
    }
    input_values = {
        name: given.get(name, evaluate(str(decl.get("default", "")), {"github": github_ctx}))
        for name, decl in spec["inputs"].items()
    }
    assert set(given) <= set(input_values), "unknown input"
    base_env = {
        "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp),
        "LANG": "C.UTF-8",
        "no_proxy": "127.0.0.1,localhost",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_WORKSPACE": str(repo.path),
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_API_URL": github.url,
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_RUN_ID": "31337",
        "GITHUB_SHA": repo.change,
        "RUNNER_TEMP": str(runner_temp),
        "EQUIVCHECK_SKIP_INSTALL": "1",
        "EQUIVCHECK_CACHE": str(tmp / "cache"),
    }
    outputs: dict[str, dict[str, str]] = {}
    steps: list[Step] = []
    summary = ""
    for index, decl in enumerate(spec["runs"]["steps"]):
        name = decl.get("name", f"step {index}")
        if "uses" in decl:
            assert decl.get("if") == "env.EQUIVCHECK_SKIP_INSTALL != '1'", name
            steps.append(Step(name, skipped=True))
            continue
        assert "if" not in decl, f"{name}: the test runs every run step"
        assert decl["shell"] == "bash"
        context = {
            "inputs": input_values,
            "github": github_ctx,
            "steps": {sid: {"outputs": values} for sid, values in outputs.items()},
        }
        env = {k: evaluate(str(v), context) for k, v in decl.get("env", {}).items()}
        output_file = runner_temp / f"output-{index}"
        summary_file = runner_temp / f"summary-{index}"
        output_file.write_text("")
        summary_file.write_text("")
        script = runner_temp / f"step-{index}.sh"
        script.write_text(decl["run"])
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            capture_output=True,
            text=True,
            cwd=repo.path,
            env={
                **base_env,
                **env,
                "GITHUB_OUTPUT": str(output_file),
                "GITHUB_STEP_SUMMARY": str(summary_file),
            },
            check=False,
            timeout=120,
        )
        steps.append(Step(name, False, proc.returncode, proc.stdout, proc.stderr, env))
        if "id" in decl:
            outputs[decl["id"]] = read_outputs(output_file)
        summary += summary_file.read_text()
        if proc.returncode != 0:
            break  # a failed step ends a composite action
    return Run(steps, outputs, summary)


def pull_request(repo: Repo, head: str, number: int = 7, fork: bool = False) -> dict[str, Any]:
    """A ``pull_request`` event payload as GitHub writes it (the parts that matter)."""
    head_repo = "someone/linux" if fork else REPO
    return {
        "action": "synchronize",
        "number": number,
        "pull_request": {
            "number": number,
            "base": {"sha": repo.base, "ref": "main", "repo": {"full_name": REPO}},
            "head": {"sha": head, "ref": "topic", "repo": {"full_name": head_repo}},
        },
        "repository": {"full_name": REPO},
    }


@pytest.fixture(scope="module")
def github() -> Iterator[FakeGitHub]:
    with serve() as state:
        yield state


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory, repo: Repo, github: FakeGitHub) -> Run:
    """The action on a pull request of two commits: one EQUIVALENT, one DIFFERENT."""
    tmp = tmp_path_factory.mktemp("first")
    inputs = {"comment": "on", "sarif": str(tmp / "out" / "equivcheck.sarif")}
    return run_action(tmp, repo, github, pull_request(repo, repo.change), inputs)


# ---------------------------------------------------------------------- the action file


def test_expressions_reach_scripts_only_through_env() -> None:
    for step in action()["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], step["name"]
            assert "set -x" not in step["run"], step["name"]


def test_only_the_comment_step_sees_the_token() -> None:
    seeing = [
        step["name"]
        for step in action()["runs"]["steps"]
        if any("token" in str(v) for v in step.get("env", {}).values())
    ]
    assert seeing == ["Comment on the pull request"]


# ---------------------------------------------------------------------- a pull request


def test_a_pull_request_is_checked_commit_by_commit(first_run: Run, repo: Repo) -> None:
    check = first_run.outputs["check"]
    assert check["verdict"] == "different"
    assert check["exit-code"] == "1"
    report = json.loads(Path(check["report"]).read_text())
    assert [(f["function"], f["verdict"], f["patch_index"]) for f in report["functions"]] == [
        ("add", "equivalent", 1),
        ("sub", "different", 2),
    ]
    results = Path(check["results-dir"])
    assert (results / "pr-number").read_text().strip() == "7"
    assert f"Checking {repo.base}..{repo.change}" in first_run.step("Check").out


def test_the_summary_annotations_and_sarif(first_run: Run) -> None:
    assert "sub" in first_run.summary and "add" in first_run.summary
    assert "DIFFERENT" in first_run.summary and "EQUIVALENT" in first_run.summary
    lines = first_run.step("Annotate").out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "::error file=lib/calc.c,line=6,title=equivcheck%3A sub() DIFFERENT::"
    )
    sarif = Path(first_run.step("Write the job summary").env["INPUT_SARIF"])
    assert json.loads(sarif.read_text())["version"] == "2.1.0"


def test_fail_on_different_fails_the_last_step(first_run: Run) -> None:
    last = first_run.steps[-1]
    assert last.name == "Apply fail-on"
    assert last.status == 1
    assert "::error title=equivcheck::the verdict is DIFFERENT" in last.out
    assert all(s.status == 0 for s in first_run.steps[:-1])


def test_one_comment_updated_in_place_by_later_pushes(
    first_run: Run, tmp_path_factory: pytest.TempPathFactory, repo: Repo, github: FakeGitHub
) -> None:
    assert len(github.calls("POST")) == 1
    assert len(github.comments[7]) == 1
    first_body = github.comments[7][0]["body"]
    assert first_body.startswith("<!-- equivcheck-report -->\n")
    assert repo.change[:12] in first_body
    # a later push: the pull request now ends at the equivalent commit
    tmp = tmp_path_factory.mktemp("second")
    again = run_action(tmp, repo, github, pull_request(repo, repo.refactor), {"comment": "on"})
    assert again.status == 0, again.log
    assert again.outputs["check"]["verdict"] == "equivalent"
    assert len(github.calls("POST")) == 1
    assert len(github.calls("PATCH")) == 1
    assert len(github.comments[7]) == 1
    assert github.comments[7][0]["body"] != first_body
    assert repo.refactor[:12] in github.comments[7][0]["body"]


def test_the_token_never_appears_in_the_logs(first_run: Run, github: FakeGitHub) -> None:
    assert TOKEN not in first_run.log
    assert TOKEN not in first_run.summary
    assert {r.headers["authorization"] for r in github.requests} == {f"Bearer {TOKEN}"}
    for step in first_run.steps:
        assert (TOKEN in step.env.values()) == (step.name == "Comment on the pull request")


def test_a_fork_is_not_commented_and_fail_on_never_passes(tmp_path: Path, repo: Repo) -> None:
    with serve() as github:
        run = run_action(
            tmp_path,
            repo,
            github,
            pull_request(repo, repo.change, fork=True),
            {"comment": "on", "fail-on": "never", "range": f"{repo.base}..{repo.change}"},
        )
        assert run.status == 0, run.log
        assert "::warning title=equivcheck::not commenting: a pull request from a fork" in run.log
        assert github.requests == []


# ---------------------------------------------------------------------- workflow_run


def test_workflow_run_comments_from_the_artifact(
    first_run: Run, tmp_path: Path, repo: Repo
) -> None:
    artifact = tmp_path / "artifact"
    artifact.mkdir()
    results = Path(first_run.outputs["check"]["results-dir"])
    for name in ("report.json", "pr-number"):
        (artifact / name).write_bytes((results / name).read_bytes())
    event = {"workflow_run": {"head_sha": repo.change, "pull_requests": [], "id": 99}}
    with serve() as github:
        github.heads[7] = repo.change
        run = run_action(
            tmp_path / "run",
            repo,
            github,
            event,
            {"report": str(artifact / "report.json"), "comment": "on", "fail-on": "never"},
            event_name="workflow_run",
        )
        assert run.status == 0, run.log
        assert run.outputs["check"]["verdict"] == "different"
        assert run.step("Annotate").out == ""
        assert [r.method for r in github.requests] == ["GET", "GET", "POST"]
        assert github.requests[0].path == f"/repos/{REPO}/pulls/7"


def test_checking_in_a_write_token_event_is_refused(tmp_path: Path, repo: Repo) -> None:
    with serve() as github:
        run = run_action(
            tmp_path,
            repo,
            github,
            pull_request(repo, repo.change),
            event_name="pull_request_target",
        )
    assert run.status == 3
    assert (
        "::error title=equivcheck::not checking pull-request code in a pull_request_target job"
        in run.log
    )
    assert github.requests == []


def test_a_range_the_clone_lacks_is_one_clear_error(tmp_path: Path, repo: Repo) -> None:
    with serve() as github:
        run = run_action(
            tmp_path,
            repo,
            github,
            pull_request(repo, repo.change),
            {"range": "f00d" * 10 + "..HEAD"},
        )
    assert run.status == 3
    check = run.step("Check")
    assert "fetch-depth: 0" in check.out
    assert check.err.startswith("equivcheck: ") and "Traceback" not in check.err


# ---------------------------------------------------------------------- the ready workflows


def workflow(name: str) -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / "docs" / "workflows" / name).read_text())
    assert isinstance(loaded, dict)
    loaded["on"] = loaded.pop(True, loaded.get("on"))  # YAML 1.1 reads `on` as true
    return loaded


def test_the_check_workflow_is_read_only_and_uploads_the_report() -> None:
    check = workflow("equivcheck-kernel-fork.yml")
    assert list(check["on"]) == ["pull_request"]
    assert check["permissions"] == {"contents": "read"}
    (job,) = check["jobs"].values()
    assert "permissions" not in job
    steps = job["steps"]
    action_step = next(s for s in steps if str(s.get("uses", "")).endswith("/equivcheck@v1"))
    assert action_step["with"]["comment"] == "off"
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact"))
    assert upload["with"]["name"] == "equivcheck-results"
    assert "results-dir" in upload["with"]["path"]
    for step in steps:
        assert "${{" not in step.get("run", "")


def test_the_comment_workflow_runs_no_pull_request_code() -> None:
    check = workflow("equivcheck-kernel-fork.yml")
    comment = workflow("equivcheck-comment.yml")
    assert comment["on"]["workflow_run"]["workflows"] == [check["name"]]
    assert comment["permissions"] == {}
    (job,) = comment["jobs"].values()
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    uses = [str(s.get("uses", "")) for s in job["steps"]]
    assert not any(u.startswith("actions/checkout") for u in uses)
    assert all("run" not in s for s in job["steps"])
    download = job["steps"][0]
    assert download["with"]["name"] == "equivcheck-results"
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}"
    action_step = job["steps"][1]
    assert action_step["with"]["report"] == "equivcheck-results/report.json"
    assert action_step["with"]["comment"] == "on"


def test_the_yaml_in_the_documentation_parses() -> None:
    text = (ROOT / "docs" / "github-action.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 3
    for block in blocks:
        assert yaml.safe_load(block) is not None

"""A real Dask cluster: `dask scheduler` and two `dask worker` processes on loopback, evidence
on a path every worker sees. Batch intake and media triage run on it and leave the same case
as the local process pool."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tantalio.store import CaseStore

from ..ingest.batchfixture import batch_corpus
from ..ingest.casecontent import case_content, differences

distributed = pytest.importorskip("distributed")
DASK = Path(sys.executable).with_name("dask")
# analysis tables whose JSON evidence lists name row ids (messages, observations, identifiers),
# which depend on the order parallel workers wrote in: compared through the export document
ID_LISTS = {"group_event", "post", "propagation_edge", "person_merge", "first_sighting", "chat_obs_alignment"}


def tantalio(*args: str) -> str:
    done = subprocess.run([sys.executable, "-c", "from tantalio.cli import main; main()", *args],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[str]:
    if not DASK.exists():
        pytest.skip("the dask command is not installed beside this Python")
    info = tmp_path / "scheduler.json"
    common = ["--no-dashboard"]
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--scheduler-file", str(info), *common],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        for n in range(2):
            procs.append(subprocess.Popen(
                [str(DASK), "worker", "--scheduler-file", str(info), "--no-nanny", "--nthreads", "1",
                 "--host", "127.0.0.1", "--local-directory", str(tmp_path / f"worker-{n}"), *common],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        address = json.loads(info.read_text())["address"]
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in reversed(procs):
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.mark.slow
def test_batch_intake_and_triage_on_a_cluster_equal_the_local_run(cluster: str, tmp_path: Path) -> None:
    manifest = batch_corpus(tmp_path / "shared", copies=1)
    hashlist = tmp_path / "shared" / "demo" / "hashlists" / "known.vics.json"
    cases = {"local": tmp_path / "local", "cluster": tmp_path / "cluster"}
    for name, case in cases.items():
        where = ["--scheduler", cluster] if name == "cluster" else ["--workers", "2"]
        tantalio("case", "init", str(case), "--name", "op")
        out = tantalio("ingest-batch", str(case), str(manifest), *where)
        assert "5 exhibits" in out and "1 workers" not in out
        tantalio("hashlist", "import", str(case), str(hashlist), "--format", "vics", "--name", "known")
        tantalio("analyze", str(case), *where)
        tantalio("export", str(case), "--json", str(tmp_path / f"{name}.json"))
    local, remote = case_content(cases["local"]), case_content(cases["cluster"])
    for table in ID_LISTS:
        local.pop(table, None)
        remote.pop(table, None)
    assert differences(local, remote) == {}, __import__("json").dumps(differences(local, remote), default=str)[:4000]
    assert (tmp_path / "local.json").read_bytes() == (tmp_path / "cluster.json").read_bytes()
    with CaseStore.open(cases["cluster"]) as store:
        assert store.verify_audit() is None
        triaged = store.conn.execute("SELECT count(*) FROM media_item WHERE pdq IS NOT NULL").fetchone()[0]
    assert triaged > 10

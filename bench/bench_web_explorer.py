"""The network explorer with ~5,000 nodes in Chromium: load time, frame time while panning and
zooming, and the latency of filtering, finding and ego networks (not in the suite).

    python bench/bench_web_explorer.py [--persons 4800] [--groups 200] [--webgl]
    python bench/bench_web_explorer.py --compare main [--rounds 3]   # network.js before/after

Builds a synthetic analysed case straight into a store (invented people, numbers in the UK drama
range, benign texts), serves it on 127.0.0.1, opens /network in Debian's Chromium (headless,
--disable-gpu: software rendering, so a workstation with a GPU does better) and measures with
requestAnimationFrame inside the page. Prints JSON. The baseline in the same run is the same
page and graph with the viewport left still (the idle frame time).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

NOW = "2024-01-01T00:00:00Z"
ROLES = ("producer", "distributor", "administrator", "bridge", "consumer")


def build(folder: Path, persons: int, groups: int, seed: int = 5) -> None:
    from tantalio.store import CaseStore
    from tantalio.web.accounts import add_user

    rng = random.Random(seed)
    store = CaseStore.create(folder, name="Explorer benchmark (synthetic)")
    conn = store.conn
    with store.transaction():
        store.set_meta("synthetic", "1")
        conn.execute("INSERT INTO exhibit(id, timezone, registered_at) VALUES ('EX-01', 'UTC', ?)", (NOW,))
        conn.execute("INSERT INTO source_file(exhibit_id, path, size, sha256, md5, sha1, status, hashed_at) "
                     "VALUES ('EX-01', 'chat.txt', 1, '0', '0', '0', 'parsed', ?)", (NOW,))
        conn.executemany("INSERT INTO person(id, label, created_at) VALUES (?, ?, ?)",
                         [(p, f"P-{p:05d}", NOW) for p in range(1, persons + 1)])
        conn.executemany("INSERT INTO identifier(id, kind, value, normalized, country, person_id) VALUES (?,?,?,?,?,?)",
                         [(p, "phone", f"+447700{p:06d}", f"+447700{p:06d}", "GB", p) for p in range(1, persons + 1)])
        conn.executemany("INSERT INTO identifier(id, kind, value, normalized, scope, person_id) VALUES (?,?,?,?,?,?)",
                         [(persons + p, "display_name", f"Member {p}", f"Member {p}", "EX-01", p)
                          for p in range(1, persons + 1)])
        conn.executemany("INSERT INTO chat(id, label, platform, is_group) VALUES (?, ?, 'whatsapp', 1)",
                         [(g, f"G-{g:04d}") for g in range(1, groups + 1)])
        spells, events = [], []
        for p in range(1, persons + 1):
            for g in rng.sample(range(1, groups + 1), rng.randint(1, 3)):
                spells.append((g, p, "2023-01-01T00:00:00Z", None, "added", None))
                if rng.random() < 0.3:
                    actor = rng.randint(1, persons)
                    if actor != p:
                        events.append((g, "added", p, actor, "2023-01-01T00:00:00Z", "[]"))
        conn.executemany("INSERT INTO membership_spell(chat_id, person_id, start, end, start_kind, end_kind) "
                         "VALUES (?,?,?,?,?,?)", spells)
        conn.executemany("INSERT INTO group_event(chat_id, event, person_id, by_person_id, time, sources) "
                         "VALUES (?,?,?,?,?,?)", events)
        posts = []
        for n in range(1, persons // 4):
            posts.append((n, rng.randint(1, groups), rng.randint(1, persons), f"F-{n % 300}", "[]"))
        conn.executemany("INSERT INTO post(id, chat_id, person_id, family, message_ids) VALUES (?,?,?,?,?)", posts)
        conn.executemany("INSERT INTO propagation_edge(post_id, parent_post_id, confidence) VALUES (?, ?, 0.5)",
                         [(n, rng.randint(1, n - 1)) for n in range(2, persons // 4)])
        conn.executemany("INSERT INTO person_score(person_id, priority, explanation, community) VALUES (?,?,?,?)",
                         [(p, rng.random(), "{}", rng.randint(1, 30)) for p in range(1, persons + 1)])
        conn.executemany("INSERT INTO person_role(person_id, role, evidence) VALUES (?, ?, '[]')",
                         [(p, rng.choice(ROLES)) for p in range(1, persons + 1)])
        store.audit("bench.built", {"persons": persons, "groups": groups})
    add_user(store, "bench", "analyst", "explorer-graph-words")
    store.close()


FRAMES_JS = """async (action) => {
  const deltas = [];
  let last = performance.now(), running = true;
  const tick = (t) => { deltas.push(t - last); last = t; if (running) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  await action();
  running = false;
  await new Promise(r => setTimeout(r, 50));
  return deltas.slice(1);
}"""


def frame_stats(deltas: list[float]) -> dict[str, float]:
    if not deltas:
        return {}
    ordered = sorted(deltas)
    return {"frames": len(deltas), "median_ms": round(statistics.median(deltas), 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1), "max_ms": round(ordered[-1], 1),
            "fps": round(1000 / statistics.mean(deltas), 1)}


def measure(url: str, webgl: bool, script: str | None = None) -> dict[str, object]:
    from playwright.sync_api import sync_playwright
    from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS

    out: dict[str, object] = {"renderer": "webgl" if webgl else "canvas"}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(base_url=url, viewport={"width": 1400, "height": 1000})
        if script is not None:   # another version of the explorer's script, for a before/after comparison
            page.route("**/static/network.js",
                       lambda route: route.fulfill(body=script, content_type="application/javascript"))
        page.goto("/login")
        page.fill("#username", "bench")
        page.fill("#password", "explorer-graph-words")
        page.click("#login-button")
        page.wait_for_url(f"{url}/")
        started = time.perf_counter()
        page.goto("/network" + ("?webgl=1" if webgl else ""))
        page.wait_for_function("() => window.graphReady === true", timeout=120_000)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        out["load_to_first_frame_s"] = round(time.perf_counter() - started, 2)
        out["graph_fetch_ms"] = round(page.evaluate("window.graphFetchMs"), 1)
        out["graph_build_ms"] = round(page.evaluate("window.graphBuildMs"), 1)
        out["nodes"] = page.evaluate("cy.nodes().length")
        out["edges"] = page.evaluate("cy.edges().length")
        box = page.locator("#network-graph").bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        idle = page.evaluate(FRAMES_JS.replace("await action();", "await new Promise(r => setTimeout(r, 1500));"),
                             None)
        out["idle_frames"] = frame_stats(idle)
        # Continuous pan, as a drag does: the viewport moves every frame for 2 s.
        pan = page.evaluate(FRAMES_JS.replace("await action();", """await new Promise(r => {
            const end = performance.now() + 2000;
            const step = () => { cy.panBy({x: 3, y: 2}); if (performance.now() < end) requestAnimationFrame(step); else r(); };
            requestAnimationFrame(step); });"""), None)
        out["pan_frames"] = frame_stats(pan)
        # Real wheel events (zoom in and out around the centre) and a real mouse drag.
        page.mouse.move(cx, cy)

        def wheel_and_drag() -> None:
            for _ in range(10):
                page.mouse.wheel(0, -120)
                page.wait_for_timeout(60)
            for _ in range(10):
                page.mouse.wheel(0, 120)
                page.wait_for_timeout(60)
            page.mouse.down()
            for k in range(30):
                page.mouse.move(cx + 8 * k, cy + 4 * k)
            page.mouse.up()

        page.evaluate("""() => { window.__deltas = []; window.__last = performance.now(); window.__run = true;
            const tick = (t) => { window.__deltas.push(t - window.__last); window.__last = t;
                                  if (window.__run) requestAnimationFrame(tick); };
            requestAnimationFrame(tick); }""")
        t0 = time.perf_counter()
        wheel_and_drag()
        out["wheel_and_drag_wall_s"] = round(time.perf_counter() - t0, 2)
        deltas = page.evaluate("() => { window.__run = false; return window.__deltas.slice(1); }")
        out["wheel_and_drag_frames"] = frame_stats(deltas)
        out["zoom_after_wheel_out_in"] = round(page.evaluate("cy.zoom()"), 3)

        handler: dict[str, float] = {}
        out["handler_ms"] = handler   # the event handler alone; the rest of each latency is Cytoscape's frame

        def latency(js: str, name: str = "") -> float:
            sync, total = page.evaluate("""async () => { const t0 = performance.now(); """ + js + """;
                const t1 = performance.now();
                await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
                return [t1 - t0, performance.now() - t0]; }""")
            if name:
                handler[name] = round(sync, 1)
            return round(total, 1)

        # The floor for every interaction below: one full frame with nothing changed (a 1-pixel pan).
        out["redraw_ms"] = latency("cy.panBy({x: 1, y: 0})", "redraw_ms")
        latency("cy.panBy({x: -1, y: 0})")
        roles = page.evaluate("Array.from(document.querySelectorAll('#filter-role option')).map(o => o.value)")
        out["filter_role_ms"] = latency(f"""const s = document.getElementById('filter-role'); s.value = '{roles[1]}';
            s.dispatchEvent(new Event('change'))""", "filter_role_ms")
        out["filter_clear_ms"] = latency("""const s = document.getElementById('filter-role'); s.value = '';
            s.dispatchEvent(new Event('change'))""", "filter_clear_ms")
        out["edge_kind_toggle_ms"] = latency("""const k = document.querySelector("input.edge-kind[value='member']");
            k.checked = false; k.dispatchEvent(new Event('change'))""", "edge_kind_toggle_ms")
        latency("""const k = document.querySelector("input.edge-kind[value='member']");
            k.checked = true; k.dispatchEvent(new Event('change'))""")
        out["find_ms"] = latency("""document.getElementById('find').value = 'Member 4321';
            document.getElementById('filters').dispatchEvent(new Event('submit', {cancelable: true}))""", "find_ms")
        out["ego_1_hop_ms"] = latency("document.getElementById('ego').click()", "ego_1_hop_ms")
        out["ego_nodes_1_hop"] = page.evaluate("cy.nodes().filter(n => !n.hasClass('hidden')).length")
        out["ego_2_hops_ms"] = latency("""const h = document.getElementById('ego-hops'); h.value = '2';
            h.dispatchEvent(new Event('change'))""", "ego_2_hops_ms")
        out["ego_nodes_2_hops"] = page.evaluate("cy.nodes().filter(n => !n.hasClass('hidden')).length")
        out["reset_ms"] = latency("document.getElementById('reset').click()", "reset_ms")
        hover_point = page.evaluate("(() => { const p = cy.nodes()[10].renderedPosition(); return p; })()")
        t0 = time.perf_counter()
        page.mouse.move(box["x"] + hover_point["x"], box["y"] + hover_point["y"])
        page.wait_for_function("() => !document.getElementById('graph-tip').hidden")
        out["hover_tip_ms"] = round(1000 * (time.perf_counter() - t0), 1)
        out["console_errors"] = []
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=4800)
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--webgl", action="store_true", help="also measure Cytoscape's WebGL renderer")
    parser.add_argument("--compare", metavar="REV", help="also measure network.js as of git revision REV, "
                        "alternating with the working tree's, and print the medians of both")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each version with --compare")
    args = parser.parse_args()
    from tests.web.conftest import serving

    from tantalio.web.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        case = Path(tmp) / "case"
        build(case, args.persons, args.groups)
        with serving(create_app(case)) as url:
            results = _compare(url, args.compare, args.rounds) if args.compare else _run(case, url, args.webgl)
    print(json.dumps(results, indent=2))


def _compare(url: str, rev: str, rounds: int) -> dict[str, object]:
    """Before (network.js at `rev`) and after (the working tree), alternating so that both see the
    same machine load; medians of the latencies and frame times over the rounds."""
    import subprocess

    root = Path(__file__).resolve().parents[1]
    before = subprocess.run(["git", "show", f"{rev}:src/tantalio/web/static/network.js"], cwd=root,
                            check=True, capture_output=True, text=True).stdout
    runs: dict[str, list[dict[str, object]]] = {"before": [], "after": []}
    for _ in range(rounds):
        runs["before"].append(measure(url, webgl=False, script=before))
        runs["after"].append(measure(url, webgl=False))

    def medians(results: list[dict[str, object]]) -> dict[str, float]:
        keys = [k for k, v in results[0].items() if k.endswith(("_ms", "_s")) and isinstance(v, (int, float))]
        out = {k: round(statistics.median(float(r[k]) for r in results), 1) for k in keys}  # type: ignore[arg-type]
        for frames in ("pan_frames", "wheel_and_drag_frames"):
            out[frames + "_median_ms"] = round(statistics.median(
                float(r[frames]["median_ms"]) for r in results), 1)  # type: ignore[index]
            out[frames + "_p95_ms"] = round(statistics.median(
                float(r[frames]["p95_ms"]) for r in results), 1)  # type: ignore[index]
        return out

    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    return {"rev": rev, "rounds": rounds, "load_avg_at_end": load,
            "before": medians(runs["before"]), "after": medians(runs["after"])}


def _run(case: Path, url: str, webgl: bool) -> dict[str, object]:
    from tantalio.store import CaseStore
    from tantalio.web.data.graph import explorer_graph

    with CaseStore.open(case, migrate=False) as store:
        t0 = time.perf_counter()
        graph = explorer_graph(store)
        server_build = round(time.perf_counter() - t0, 2)
    return {"server_graph_and_layout_s": server_build, "nodes": len(graph["elements"]["nodes"]),
            "edges": len(graph["elements"]["edges"]),
            "runs": [measure(url, webgl=False)] + ([measure(url, webgl=True)] if webgl else [])}


if __name__ == "__main__":
    main()

"""The offline map in a real headless Chromium: it renders, runs no injected text, loads nothing.

Chromium comes from Debian's ``chromium`` package (``scripts/test.sh`` installs it when it can);
without it these tests skip with the reason. The browser runs with an empty profile and no
background networking. A small script injected into a copy of the page records JavaScript
errors, ``alert`` calls and every resource the page fetched, clicks a house and a sector to
open their popups, and writes what it saw into the DOM, which ``--dump-dom`` returns.
A screenshot of the map is kept under pytest's temporary folder (its path is printed).
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from typing import TYPE_CHECKING, Any

import pytest

import planner
from planner.report.webmap import map_html
from planner.scenario import load_scenario
from tests.conftest import ROOT

if TYPE_CHECKING:
    from pathlib import Path

    from planner.results.plan import Plan

EVIL = "<script>alert(1)</script>"
BREAKER = "Ta`${alert(2)}`"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
    "--virtual-time-budget=5000",
)
_HEAD_CHECK = """<script>
window.__errors = []; window.__alerts = [];
window.addEventListener('error', function (e) { window.__errors.push(String(e.message)); });
window.addEventListener('unhandledrejection', function (e) {
  window.__errors.push('unhandled rejection: ' + String(e.reason)); });
(function () { var original = console.error;
  console.error = function () { window.__errors.push(Array.from(arguments).join(' '));
    return original.apply(console, arguments); }; })();
window.alert = function (message) { window.__alerts.push(String(message)); };
</script>"""
_TAIL_CHECK = """<script>
window.addEventListener('load', function () { setTimeout(function () {
  var seen = {errors: window.__errors, alerts: window.__alerts};
  seen.paths = document.querySelectorAll('path.leaflet-interactive').length;
  seen.houses = document.querySelectorAll('.planner-house-icon').length;
  seen.overlays = document.querySelectorAll('.leaflet-control-layers-selector').length;
  seen.legend = document.querySelectorAll('.planner-legend').length;
  seen.title = (document.querySelector('.planner-title') || {}).textContent || '';
  var house = document.querySelector('.planner-house-icon');
  if (house) { house.dispatchEvent(new MouseEvent('click', {bubbles: true})); }
  var popup = document.querySelector('.leaflet-popup-content');
  seen.house_popup = popup ? popup.textContent : null;
  var sector = document.querySelector('path.leaflet-interactive');
  if (sector) { sector.dispatchEvent(new MouseEvent('click', {bubbles: true})); }
  var popups = document.querySelectorAll('.leaflet-popup-content');
  seen.sector_popup = popups.length ? popups[popups.length - 1].textContent : null;
  seen.scripts_in_popups = document.querySelectorAll('.leaflet-popup-content script').length;
  seen.resources = performance.getEntriesByType('resource').map(function (r) { return r.name; });
  var out = document.createElement('pre'); out.id = 'planner-check';
  out.textContent = JSON.stringify(seen); document.body.appendChild(out);
}, 300); });
</script>"""


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip(
            "Chromium is not installed and could not be installed here "
            "(scripts/test.sh installs Debian's 'chromium' package when run as root with apt-get)"
        )
    return found


def _run(browser: str, profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    profile.mkdir(exist_ok=True)
    return subprocess.run(  # noqa: S603 - a fixed browser binary and fixed flags
        [browser, *FLAGS, f"--user-data-dir={profile}", *arguments],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="module")
def offline_plan() -> Plan:
    """The demo city's plan, with a sector and a site given names that try to run code."""
    scenario = load_scenario(ROOT / "scenarios" / "demo.yaml", {"outputs.offline": True})
    plan = planner.run(scenario)
    sectors = plan.sectors.copy()
    sectors.loc[sectors.index[0], "name"] = EVIL
    sites = plan.sites.copy()
    house = sites.index[sites["role"] == "house"][0]
    sites.loc[house, "name"] = f"{EVIL} {BREAKER}"
    return dataclasses.replace(plan, sectors=sectors, sites=sites)


def _page_requests(netlog: Path) -> list[str]:
    """Return the http(s) addresses the page (a file:// origin) asked for, from a net log.

    The browser's own background requests (update checks and the like) carry another network
    isolation key and are left out.
    """
    text = netlog.read_text(encoding="utf-8").rstrip()
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # the browser ended before closing the log
        log = json.loads(text.rstrip(",") + "]}")
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = set()
    for event in log["events"]:
        params = event.get("params") or {}
        if event.get("type") != start_job or "url" not in params:
            continue
        if str(params.get("network_isolation_key", "")).startswith("file://"):
            urls.add(str(params["url"]))
    return sorted(url for url in urls if url.startswith(("http://", "https://")))


def _check(browser: str, page: str, folder: Path) -> tuple[dict[str, Any], list[str], str]:
    """Open a page with the check scripts; return what it saw, its requests and the log."""
    checked = page.replace("<head>", "<head>\n" + _HEAD_CHECK, 1).replace(
        "</html>", _TAIL_CHECK + "\n</html>"
    )
    path = folder / "map_checked.html"
    path.write_text(checked, encoding="utf-8")
    netlog = folder / "netlog.json"
    result = _run(
        browser, folder / "profile", f"--log-net-log={netlog}", "--dump-dom", path.as_uri()
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return _seen(result.stdout), _page_requests(netlog), result.stderr


def _seen(dom: str) -> dict[str, Any]:
    match = re.search(r'<pre id="planner-check">(.*?)</pre>', dom, re.DOTALL)
    assert match is not None, "the check script did not run: " + dom[-500:]
    text = match.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    result: dict[str, Any] = json.loads(text.replace("&amp;", "&"))
    return result


def test_offline_map_renders_without_errors_or_requests(offline_plan: Plan, tmp_path: Path) -> None:
    browser = _chromium()
    seen, requests, stderr = _check(browser, map_html(offline_plan), tmp_path)
    summary = offline_plan.summary
    assert seen["errors"] == []
    assert seen["alerts"] == []
    assert requests == []  # nothing asked from the web: no scripts, styles, images or tiles
    assert seen["resources"] == []
    assert seen["houses"] == summary["houses"]
    assert seen["paths"] >= len(offline_plan.sectors) + summary["antennes"]
    assert seen["overlays"] >= 8
    assert seen["legend"] == 1
    assert "demo" in seen["title"]
    assert seen["house_popup"] is not None
    assert "Huis van het Kind" in seen["house_popup"]
    assert seen["sector_popup"] is not None
    assert "Sector" in seen["sector_popup"]
    assert seen["scripts_in_popups"] == 0
    console = [line for line in stderr.splitlines() if "CONSOLE" in line]
    assert not [line for line in console if "Uncaught" in line or "Error" in line], console


def test_offline_map_text_from_data_stays_text(offline_plan: Plan, tmp_path: Path) -> None:
    seen, _, _ = _check(_chromium(), map_html(offline_plan), tmp_path)
    assert seen["alerts"] == []
    assert EVIL in (seen["house_popup"] or "")  # shown as text in the popup
    assert BREAKER in (seen["house_popup"] or "")
    assert EVIL in (seen["sector_popup"] or "")


def test_the_check_sees_errors_and_requests(offline_plan: Plan, tmp_path: Path) -> None:
    """The harness itself: an online map's CDN requests and a failing script are seen."""
    browser = _chromium()
    (tmp_path / "online").mkdir()
    _, requests, _ = _check(browser, map_html(offline_plan, offline=False), tmp_path / "online")
    assert "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js" in requests
    (tmp_path / "broken").mkdir()
    broken = "<html><head></head><body><script>null.boom();</script></body></html>"
    seen, _, _ = _check(browser, broken, tmp_path / "broken")
    assert seen["errors"]


def test_screenshot_of_the_offline_map(
    offline_plan: Plan, tmp_path_factory: pytest.TempPathFactory
) -> None:
    browser = _chromium()
    folder = tmp_path_factory.mktemp("browser-artifacts")
    page = folder / "map.html"
    page.write_text(map_html(offline_plan), encoding="utf-8")
    shot = folder / "map_screenshot.png"
    result = _run(
        browser,
        folder / "profile",
        f"--screenshot={shot}",
        "--window-size=1200,900",
        page.as_uri(),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.is_file()
    from PIL import Image  # noqa: PLC0415 - only this test looks at images

    with Image.open(shot) as image:
        assert image.size == (1200, 900)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None
    assert len(colours) > 50  # a drawn map, not a blank page
    print(f"screenshot of the offline demo map: {shot}")  # noqa: T201 - the test artifact
